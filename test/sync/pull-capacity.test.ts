import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { resetClock, setClock } from "../../engine/src/core/clock.ts";
import { dayWindows, stepDelaysDays } from "../../engine/src/instantly/capacity-calls.ts";
import type { Campaign } from "../../engine/src/instantly/index.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { sequenceDays } from "../../engine/src/sync/pull-capacity.ts";
import { accounts } from "./fake-instantly.ts";
import { makePullWorld, type PullWorld } from "./pull-world.ts";

/**
 * Each pull snapshots the sending capacity (engine/src/sync/pull-capacity.ts) into the four tables
 * the pacing rules read, with the pull's run_id, in as few calls as the API allows; a capacity read
 * that fails leaves the lead snapshot and the pull's status alone and records the capacity missing.
 */
const OTHER = "019cc043-0000-7000-8000-0000000000ff";
const smbSenders = accounts("s", 3);
const midSenders = accounts("m", 250, { daily_limit: 40, enable_slow_ramp: true });

describe("pull: sending capacity", () => {
  let w: PullWorld;
  let ids: { smb: string; midsize: string };
  beforeAll(async () => {
    w = await makePullWorld((campaignIds) => {
      ids = campaignIds;
      return {
        campaigns: [
          {
            id: campaignIds.smb,
            name: "SMB",
            daily_limit: 90,
            daily_max_leads: 20,
            email_list: smbSenders.map((a) => a.email),
            sequences: [
              { steps: [{ delay: 3 }, { delay: 48, delay_unit: "hours" }, { delay: 0, delay_unit: "days" }] },
            ],
          },
          {
            id: campaignIds.midsize,
            name: "Midsize",
            daily_limit: null,
            email_list: [...midSenders.map((a) => a.email), "s1@senders.test"],
            sequences: [{ steps: [{ delay: 720, delay_unit: "minutes" }, { delay: 1 }] }],
          },
          // Not managed: listed for the shared-account split, its own senders are not snapshotted.
          { id: OTHER, name: "Other", email_list: ["S2@senders.test", "o1@senders.test"] },
        ],
        leads: { [campaignIds.smb]: [{ id: "l1" }, { id: "l2" }], [campaignIds.midsize]: [{ id: "l3" }] },
        accounts: [...smbSenders, ...midSenders, ...accounts("o", 1), ...accounts("idle", 40)],
        sendingStatus: { diagnostics: { status: "waiting_for_leads", follow_ups_waiting: { count: 7 } } },
        days: ["2026-11-02", "2026-11-03", "2026-11-30"],
      };
    });
  });
  afterAll(async () => w?.close());
  afterEach(() => resetClock());

  test("snapshots every campaign, the managed campaigns' accounts, diagnosis and 28 days of analytics", async () => {
    setClock("2026-11-30T12:00:00Z");
    const r = await runPull({
      settings: w.settings,
      warehouse: w.warehouse,
      client: w.client(),
      notifier: false,
    });
    expect(r.complete).toBe(true);
    expect(r.capacity).toEqual({
      status: "complete",
      campaigns: 3,
      accounts: 253,
      accountsMissing: 0,
      campaignDays: 4,
      accountDays: 506,
    });
    const run = `run_id = '${r.runId}'`;
    const sending = await w.query(
      `select campaign_id, is_managed, status, daily_limit, daily_max_leads, step_delays_days::varchar as delays,
              step_count, sequence_days, sending_status, follow_ups_waiting
       from cold_email_ops.instantly_campaign_sending where ${run} order by campaign_id`,
    );
    const byId = Object.fromEntries(sending.map((row) => [row.campaign_id, row]));
    expect(byId[ids.smb]).toMatchObject({
      is_managed: true,
      status: 1,
      daily_limit: 90,
      daily_max_leads: 20,
      delays: "[3,2,0]",
      step_count: 3,
      sequence_days: 5,
      sending_status: "waiting_for_leads",
      follow_ups_waiting: 7,
    });
    expect(byId[ids.midsize]).toMatchObject({
      is_managed: true,
      daily_limit: null,
      daily_max_leads: null,
      delays: "[0.5,1]",
      step_count: 2,
      sequence_days: 0.5,
    });
    expect(byId[OTHER]).toMatchObject({
      is_managed: false,
      sending_status: null,
      step_count: 0,
      sequence_days: null,
    });

    const senders = await w.query(
      `select campaign_id, count(*) as n, count(distinct email) as d, min(email) as first
       from cold_email_ops.instantly_campaign_accounts where ${run} group by campaign_id order by campaign_id`,
    );
    expect(Object.fromEntries(senders.map((s) => [s.campaign_id, [Number(s.n), Number(s.d)]]))).toEqual({
      [ids.smb]: [3, 3],
      [ids.midsize]: [251, 251],
      [OTHER]: [2, 2],
    });
    expect(senders.every((s) => s.first === String(s.first).toLowerCase())).toBe(true);

    const accountRows = await w.query(
      `select email, daily_limit, status, warmup_status, setup_pending, enable_slow_ramp
       from cold_email_ops.instantly_sending_accounts where ${run} order by email`,
    );
    expect(accountRows).toHaveLength(253);
    expect(
      accountRows.some((a) => String(a.email).startsWith("o1") || String(a.email).startsWith("idle")),
    ).toBe(false);
    expect(accountRows.find((a) => a.email === "m7@senders.test")).toEqual({
      email: "m7@senders.test",
      daily_limit: 40,
      status: 1,
      warmup_status: 1,
      setup_pending: false,
      enable_slow_ramp: true,
    });

    const campaignDays = await w.query(
      `select campaign_id, strftime(date, '%Y-%m-%d') as date, sent, contacted, new_leads_contacted
       from cold_email_ops.instantly_campaign_daily where ${run} order by campaign_id, date`,
    );
    // 2026-11-02 is outside the 28 days ending on the (pinned) engine day 2026-11-30.
    expect(campaignDays.map((d) => d.date)).toEqual(["2026-11-03", "2026-11-30", "2026-11-03", "2026-11-30"]);
    expect(campaignDays[0]).toMatchObject({ sent: 30, contacted: 25, new_leads_contacted: 10 });
    const accountDays = await w.query(
      `select count(*) as n, count(distinct email) as accounts, sum(sent) as sent, sum(bounced) as bounced
       from cold_email_ops.instantly_account_daily where ${run}`,
    );
    expect(accountDays[0]).toEqual({ n: 506, accounts: 253, sent: 506 * 12, bounced: 506 });

    // As few calls as the API allows: one campaign listing, the account pages, per managed campaign
    // one diagnosis and one daily read, and the accounts' analytics 200 at a time.
    const calls = (route: string) => w.fake.requests.filter((q) => q.path === route);
    expect(calls("/campaigns")).toHaveLength(1);
    expect(calls("/accounts")).toHaveLength(3); // 294 accounts, 100 a page
    expect(w.fake.requests.filter((q) => q.path.endsWith("/sending-status"))).toHaveLength(2);
    const daily = calls("/campaigns/analytics/daily").map((q) => new URL(q.url, "http://x").searchParams);
    expect(daily.map((p) => [p.get("start_date"), p.get("end_date")])).toEqual([
      ["2026-11-03", "2026-11-30"],
      ["2026-11-03", "2026-11-30"],
    ]);
    const perCall = calls("/accounts/analytics/daily").map(
      (q) => new URL(q.url, "http://x").searchParams.getAll("emails").length,
    );
    expect(perCall).toEqual([200, 53]);
  });

  test("a failed capacity read keeps the lead snapshot and the pull's status, and records the capacity missing", async () => {
    w.fake.failing.set("GET /accounts", 403);
    try {
      const r = await runPull({
        settings: w.settings,
        warehouse: w.warehouse,
        client: w.client(),
        notifier: false,
      });
      expect(r.complete).toBe(true);
      expect(r.capacity.status).toBe("missing");
      expect(r.warnings.join(" ")).toMatch(/sending capacity not read: .*GET \/accounts/);
      const run = `run_id = '${r.runId}'`;
      const [runs] = await w.query(
        `select status, json_extract_string(counts, '$.capacity.status') as capacity
         from cold_email_ops.sync_runs where ${run}`,
      );
      expect(runs).toEqual({ status: "succeeded", capacity: "missing" });
      expect(await w.query(`select count(*) as n from cold_email_ops.instantly_leads where ${run}`)).toEqual([
        { n: 3 },
      ]);
      for (const table of [
        "instantly_campaign_sending",
        "instantly_campaign_accounts",
        "instantly_sending_accounts",
        "instantly_campaign_daily",
        "instantly_account_daily",
      ]) {
        expect(await w.query(`select count(*) as n from cold_email_ops.${table} where ${run}`)).toEqual([
          { n: 0 },
        ]);
      }
    } finally {
      w.fake.failing.clear();
    }
  });

  test("the diagnosis falls back to summary.status", async () => {
    w.fake.data.sendingStatus = { diagnostics: null, summary: { status: "healthy" } };
    const r = await runPull({
      settings: w.settings,
      warehouse: w.warehouse,
      client: w.client(),
      notifier: false,
    });
    const rows = await w.query(
      `select sending_status, follow_ups_waiting from cold_email_ops.instantly_campaign_sending
       where run_id = '${r.runId}' and is_managed`,
    );
    expect(rows).toEqual([
      { sending_status: "healthy", follow_ups_waiting: null },
      { sending_status: "healthy", follow_ups_waiting: null },
    ]);
  });
});

describe("capacity helpers", () => {
  test("delays convert to days (minutes and hours as fractions); an unknown unit or no delay is null", () => {
    const campaign = {
      sequences: [
        {
          steps: [
            { delay: 90, delay_unit: "minutes" },
            { delay: 6, delay_unit: "hours" },
            { delay: 2 },
            { delay: 1, delay_unit: "weeks" },
            { delay_unit: "days" },
          ],
        },
        { steps: [{ delay: 99 }] },
      ],
    } as unknown as Campaign;
    expect(stepDelaysDays(campaign)).toEqual([0.0625, 0.25, 2, null, null]);
    expect(stepDelaysDays({ sequences: null } as unknown as Campaign)).toEqual([]);
    expect(sequenceDays([3, 2, null])).toBe(5);
    expect(sequenceDays([3, null, 0])).toBeNull();
  });

  test("analytics date ranges are cut into windows of at most 31 days", () => {
    expect(dayWindows("2026-01-01", "2026-03-02")).toEqual([
      ["2026-01-01", "2026-01-31"],
      ["2026-02-01", "2026-03-02"],
    ]);
    expect(dayWindows("2026-11-03", "2026-11-30")).toEqual([["2026-11-03", "2026-11-30"]]);
    expect(() => dayWindows("2026-02-01", "2026-01-01")).toThrow(/start ≤ end/);
  });
});
