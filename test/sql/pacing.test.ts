import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  AS_OF,
  budget,
  changelog,
  daysAgo,
  insert,
  leads,
  MIDSIZE,
  OTHER_CAMPAIGN,
  openScenario,
  pull,
  queuedEmails,
  resetInputs,
  rows,
  run,
  type Scenario,
  SMB,
} from "./harness.ts";

/**
 * Pacing by sending capacity (int_sender_capacity, int_send_capacity): each campaign gets the adds its
 * mailboxes can start, keeping first_touch_days of new starts waiting for their first email. Every
 * case writes one pull with its sending snapshot (accounts, campaigns, senders, daily analytics) and
 * reads the per-campaign figures and the slots the engine is given.
 */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario({
    pacing: "capacity",
    first_touch_days: "2",
    pacing_headroom: "0.9",
    inventory_cap: "100000",
    max_adds_per_run: "150",
    overfetch_multiplier: "1",
  });
});
afterAll(() => s?.wh.close());
beforeEach(async () => {
  await resetInputs(s);
});

interface Account {
  email: string;
  daily_limit?: number;
  status?: number;
  warmup_status?: number;
  setup_pending?: boolean;
  enable_slow_ramp?: boolean;
}
interface CampaignSetup {
  id: string;
  is_managed?: boolean;
  status?: number;
  daily_limit?: number | null;
  daily_max_leads?: number | null;
  step_count?: number;
  sequence_days?: number;
  senders: string[];
}

/** The sending snapshot of pull `runId` (recorded just after the pull's lead rows). */
async function sending(
  runId: string,
  accounts: Account[],
  campaigns: CampaignSetup[],
  daily: {
    campaign_id?: string;
    email?: string;
    daysAgo: number;
    sent: number;
    new_leads_contacted: number;
  }[] = [],
  recordedAt = daysAgo(0.01),
): Promise<void> {
  const at = { run_id: runId, recorded_at: recordedAt };
  await insert(
    s,
    "cold_email_ops",
    "instantly_sending_accounts",
    accounts.map((a) => ({
      ...at,
      daily_limit: 30,
      status: 1,
      warmup_status: 1,
      setup_pending: false,
      ...a,
    })),
  );
  await insert(
    s,
    "cold_email_ops",
    "instantly_campaign_sending",
    campaigns.map(({ senders: _, id, ...c }) => ({
      ...at,
      campaign_id: id,
      is_managed: id === SMB || id === MIDSIZE,
      status: 1,
      step_count: 3,
      sequence_days: 14,
      ...c,
    })),
  );
  await insert(
    s,
    "cold_email_ops",
    "instantly_campaign_accounts",
    campaigns.flatMap((c) => c.senders.map((email) => ({ ...at, campaign_id: c.id, email }))),
  );
  const day = (n: number) => new Date(Date.parse(AS_OF) - n * 86_400_000).toISOString().slice(0, 10);
  await insert(
    s,
    "cold_email_ops",
    "instantly_campaign_daily",
    daily
      .filter((d) => d.campaign_id)
      .map((d) => ({
        ...at,
        campaign_id: d.campaign_id,
        date: day(d.daysAgo),
        sent: d.sent,
        new_leads_contacted: d.new_leads_contacted,
      })),
  );
  await insert(
    s,
    "cold_email_ops",
    "instantly_account_daily",
    daily
      .filter((d) => d.email)
      .map((d) => ({
        ...at,
        email: d.email,
        date: day(d.daysAgo),
        sent: d.sent,
        new_leads_contacted: d.new_leads_contacted,
      })),
  );
}

async function capacityOf(campaignId: string): Promise<Record<string, unknown>> {
  const [row] = await rows(
    s,
    `select * from "cold_email_staging"."int_send_capacity" where campaign_id = '${campaignId}'`,
  );
  if (!row) throw new Error(`no int_send_capacity row for ${campaignId}`);
  return row;
}

const pool = (n: number, revenue: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({
    email: `${prefix}${i}@${prefix}${i}.com`,
    estimated_sales_yearly: revenue,
  }));
const mailboxes = (prefix: string, n: number, extra: Partial<Account> = {}): Account[] =>
  Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@sender.io`, ...extra }));

describe("pacing by sending capacity", () => {
  it("a fresh campaign starts what its healthy mailboxes send, and holds first_touch_days of it", async () => {
    await leads(s, [...pool(400, 100_000, "smb"), ...pool(400, 5_000_000, "mid")]);
    await pull(s, "pull-1", []);
    const smbSenders = mailboxes("s", 3);
    await sending("pull-1", smbSenders, [
      { id: SMB, senders: smbSenders.map((a) => a.email) },
      { id: MIDSIZE, senders: [] },
    ]);
    await run(s);
    // 3 x 30 x 0.9 = 81 sends a day; nobody in sequence yet, so every send can be a first email.
    expect(await capacityOf(SMB)).toMatchObject({
      healthy_senders: 3,
      sends_per_day: 81,
      sends_per_new_lead: 3,
      follow_ups_per_day: 0,
      new_starts_per_day: 81,
      backlog: 0,
      target_backlog: 162,
      paced_slots: 162,
      no_adds_reason: null,
    });
    // a campaign with no sender gets nothing, and says why
    expect(await capacityOf(MIDSIZE)).toMatchObject({
      senders: 0,
      paced_slots: 0,
      no_adds_reason: "no_healthy_sender",
    });
    // max_adds_per_run (150) still bounds the run: the campaign may take 162, the run lands 150
    const b = await budget(s);
    expect(b.slots).toBe(150);
    expect(JSON.parse(String(b.campaign_slots))).toEqual({ [SMB]: 162, [MIDSIZE]: 0 });
    const queued = await rows(
      s,
      `select campaign_id, count(*)::int as n from "cold_email"."push_queue" group by 1`,
    );
    expect(queued).toEqual([{ campaign_id: SMB, n: 150 }]);
  });

  it("follow-ups come first: leads in sequence take their share of the sends", async () => {
    await leads(s, pool(300, 100_000, "smb"));
    // 140 leads in sequence (emailed, active): 140 x (3 - 1) / 14 = 20 follow-ups a day.
    const inSequence = Array.from({ length: 140 }, (_, i) => ({
      lead_id: `q${i}`,
      email: `seq${i}@seq${i}.com`,
      timestamp_last_contact: daysAgo(1),
    }));
    // 10 held leads not emailed yet: the backlog.
    const waiting = Array.from({ length: 10 }, (_, i) => ({
      lead_id: `w${i}`,
      email: `wait${i}@wait${i}.com`,
      timestamp_last_contact: null,
    }));
    await pull(s, "pull-1", [...inSequence, ...waiting]);
    const senders = mailboxes("s", 1, { daily_limit: 50 });
    await sending("pull-1", senders, [{ id: SMB, senders: [senders[0]?.email as string] }]);
    await run(s);
    // floor(50 x 0.9) = 45 a day; 45 - 20 follow-ups = 25 starts (above the steady 45 / 3 = 15)
    expect(await capacityOf(SMB)).toMatchObject({
      sends_per_day: 45,
      leads_in_sequence: 140,
      follow_ups_per_day: 20,
      new_starts_per_day: 25,
      backlog: 10,
      target_backlog: 50,
      paced_slots: 40,
    });
  });

  it("a shared account is split evenly between the active campaigns it serves, managed or not", async () => {
    await leads(s, [...pool(50, 100_000, "smb"), ...pool(50, 5_000_000, "mid")]);
    await pull(s, "pull-1", []);
    await sending(
      "pull-1",
      [
        { email: "shared@sender.io", daily_limit: 60 },
        { email: "own@sender.io", daily_limit: 20 },
      ],
      [
        { id: SMB, senders: ["shared@sender.io", "own@sender.io"] },
        { id: MIDSIZE, senders: ["shared@sender.io"] },
        { id: OTHER_CAMPAIGN, senders: ["shared@sender.io"] },
      ],
    );
    await run(s);
    // shared: 60 / 3 active campaigns = 20 each; SMB 20 + 20 = 40 -> x0.9 = 36; midsize 20 -> 18
    expect(await capacityOf(SMB)).toMatchObject({ sender_capacity: 40, sends_per_day: 36 });
    expect(await capacityOf(MIDSIZE)).toMatchObject({ sender_capacity: 20, sends_per_day: 18 });
  });

  it("a paused campaign does not take a shared account's share, and gets no adds itself", async () => {
    await leads(s, [...pool(50, 100_000, "smb"), ...pool(50, 5_000_000, "mid")]);
    await pull(s, "pull-1", []);
    await sending(
      "pull-1",
      [{ email: "shared@sender.io", daily_limit: 60 }],
      [
        { id: SMB, senders: ["shared@sender.io"] },
        { id: MIDSIZE, status: 2, senders: ["shared@sender.io"] },
      ],
    );
    await run(s);
    expect(await capacityOf(SMB)).toMatchObject({ sender_capacity: 60, sends_per_day: 54 });
    expect(await capacityOf(MIDSIZE)).toMatchObject({
      paced_slots: 0,
      no_adds_reason: "campaign_not_active",
    });
  });

  it("unhealthy, banned and unfinished accounts send nothing", async () => {
    await leads(s, pool(50, 100_000, "smb"));
    await pull(s, "pull-1", []);
    await sending(
      "pull-1",
      [
        { email: "ok@sender.io", daily_limit: 30 },
        { email: "bounce-error@sender.io", status: -1 },
        { email: "banned@sender.io", warmup_status: -1 },
        { email: "setup@sender.io", setup_pending: true },
        { email: "paused@sender.io", status: 2 },
      ],
      [
        {
          id: SMB,
          senders: [
            "ok@sender.io",
            "bounce-error@sender.io",
            "banned@sender.io",
            "setup@sender.io",
            "paused@sender.io",
          ],
        },
      ],
    );
    await run(s);
    expect(await capacityOf(SMB)).toMatchObject({
      senders: 5,
      healthy_senders: 1,
      sender_capacity: 30,
      sends_per_day: 27,
    });
    const health = await rows(
      s,
      `select email, is_healthy, effective_limit from "cold_email_staging"."int_sender_capacity" order by email`,
    );
    expect(health.filter((h) => h.is_healthy).map((h) => h.email)).toEqual(["ok@sender.io"]);
    expect(health.filter((h) => !h.is_healthy).every((h) => h.effective_limit === 0)).toBe(true);
  });

  it("a campaign whose senders are all unhealthy gets no adds", async () => {
    await leads(s, pool(50, 100_000, "smb"));
    await pull(s, "pull-1", []);
    await sending("pull-1", [{ email: "x@sender.io", status: -3 }], [{ id: SMB, senders: ["x@sender.io"] }]);
    await run(s);
    expect(await capacityOf(SMB)).toMatchObject({
      healthy_senders: 0,
      paced_slots: 0,
      no_adds_reason: "no_healthy_sender",
    });
    expect(await queuedEmails(s)).toEqual([]);
  });

  it("slow ramp: the limit counted is the most sent on a recent day plus slow_ramp_step", async () => {
    await leads(s, pool(50, 100_000, "smb"));
    await pull(s, "pull-1", []);
    await sending(
      "pull-1",
      [
        { email: "ramp@sender.io", daily_limit: 30, enable_slow_ramp: true },
        { email: "new@sender.io", daily_limit: 30, enable_slow_ramp: true },
        { email: "ramped@sender.io", daily_limit: 30, enable_slow_ramp: true },
      ],
      [{ id: SMB, senders: ["ramp@sender.io", "new@sender.io", "ramped@sender.io"] }],
      [
        { email: "ramp@sender.io", daysAgo: 1, sent: 10, new_leads_contacted: 10 },
        { email: "ramp@sender.io", daysAgo: 2, sent: 8, new_leads_contacted: 8 },
        { email: "ramped@sender.io", daysAgo: 1, sent: 29, new_leads_contacted: 5 },
      ],
    );
    await run(s);
    const limits = Object.fromEntries(
      (await rows(s, `select email, effective_limit from "cold_email_staging"."int_sender_capacity"`)).map(
        (r) => [r.email, r.effective_limit],
      ),
    );
    expect(limits).toEqual({ "ramp@sender.io": 12, "new@sender.io": 2, "ramped@sender.io": 30 });
  });

  it("daily_max_leads caps new starts; the campaign's daily_limit caps its sends", async () => {
    await leads(s, [...pool(50, 100_000, "smb"), ...pool(50, 5_000_000, "mid")]);
    await pull(s, "pull-1", []);
    const a = mailboxes("a", 3);
    const b = mailboxes("b", 3);
    await sending(
      "pull-1",
      [...a, ...b],
      [
        { id: SMB, daily_max_leads: 5, senders: a.map((x) => x.email) },
        { id: MIDSIZE, daily_limit: 40, senders: b.map((x) => x.email) },
      ],
    );
    await run(s);
    expect(await capacityOf(SMB)).toMatchObject({
      sends_per_day: 81,
      new_starts_per_day: 5,
      paced_slots: 10,
    });
    expect(await capacityOf(MIDSIZE)).toMatchObject({ sends_per_day: 36, new_starts_per_day: 36 });
  });

  it("survival: the sends per new lead observed over a whole sequence replace the step count", async () => {
    await leads(s, pool(100, 100_000, "smb"));
    // 14 days of analytics, each 20 sends for 10 new leads: 2 emails per lead (replies stop sequences)
    const daily = Array.from({ length: 14 }, (_, i) => ({
      campaign_id: SMB,
      daysAgo: i + 1,
      sent: 20,
      new_leads_contacted: 10,
    }));
    await pull(s, "pull-1", []);
    const senders = mailboxes("s", 1, { daily_limit: 100 });
    await sending(
      "pull-1",
      senders,
      [{ id: SMB, sequence_days: 10, senders: [senders[0]?.email as string] }],
      daily,
    );
    await run(s);
    expect(await capacityOf(SMB)).toMatchObject({ observed_sends_per_new_lead: 2, sends_per_new_lead: 2 });
  });

  it("no sending snapshot for a campaign: no adds (never a guess)", async () => {
    await leads(s, pool(50, 100_000, "smb"));
    await pull(s, "pull-1", []);
    await run(s);
    expect(await capacityOf(SMB)).toMatchObject({
      has_capacity_data: false,
      paced_slots: 0,
      no_adds_reason: "no_capacity_data",
    });
    expect((await budget(s)).slots).toBe(0);
  });

  it("the backlog of leads not yet emailed is topped up, never overfilled", async () => {
    await leads(s, pool(300, 100_000, "smb"));
    const waiting = Array.from({ length: 200 }, (_, i) => ({
      lead_id: `w${i}`,
      email: `wait${i}@w${i}.com`,
    }));
    await pull(s, "pull-1", waiting);
    const senders = mailboxes("s", 3);
    await sending("pull-1", senders, [{ id: SMB, senders: senders.map((x) => x.email) }]);
    await run(s);
    expect(await capacityOf(SMB)).toMatchObject({
      backlog: 200,
      target_backlog: 162,
      paced_slots: 0,
      no_adds_reason: "backlog_full",
    });
    expect(Number((await capacityOf(SMB)).backlog_days)).toBeCloseTo(200 / 81, 5);
  });

  it("keeps the figures of every pull (int_send_capacity_history) and charts one row a day (rpt_send_capacity)", async () => {
    await leads(s, pool(400, 100_000, "smb"));
    const senders = mailboxes("s", 3);
    const setup = [{ id: SMB, senders: senders.map((x) => x.email) }];
    await pull(s, "pull-1", [], daysAgo(2));
    await sending("pull-1", senders, setup, [], daysAgo(2));
    await run(s);
    await pull(s, "pull-2", [], daysAgo(1.5));
    await sending(
      "pull-2",
      senders,
      setup,
      [{ campaign_id: SMB, daysAgo: 2, sent: 70, new_leads_contacted: 70 }],
      daysAgo(1.5),
    );
    await run(s);
    await pull(s, "pull-3", [], daysAgo(0.01));
    await sending("pull-3", senders, setup, [
      { campaign_id: SMB, daysAgo: 1, sent: 80, new_leads_contacted: 75 },
    ]);
    await run(s);
    const history = await rows(
      s,
      `select pull_run_id, sends_per_day, pool_left from "cold_email_staging"."int_send_capacity_history"
       where campaign_id = '${SMB}' order by pulled_at`,
    );
    expect(history.map((h) => h.pull_run_id)).toEqual(["pull-1", "pull-2", "pull-3"]);
    expect(history.every((h) => h.sends_per_day === 81 && Number(h.pool_left) > 0)).toBe(true);
    const chart = await rows(
      s,
      `select cast(day as varchar) as day, sent_last_day, new_leads_last_day from "cold_email_reporting"."rpt_send_capacity"
       where campaign_id = '${SMB}' order by day`,
    );
    // one row a day: the day's last pull (pull-2 on day -2... pull-1 and pull-2 share a day when
    // 1.5 and 2 days ago fall on one date), each with the analytics of the day before it
    expect(chart.length).toBe(
      new Set([daysAgo(2), daysAgo(1.5), daysAgo(0.01)].map((d) => d.slice(0, 10))).size,
    );
    expect(chart.at(-1)).toMatchObject({ sent_last_day: 80, new_leads_last_day: 75 });
  });
});

describe("no lead burned unsent", () => {
  const senders = mailboxes("s", 3);
  const setUp = async (runId: string) =>
    sending(runId, senders, [{ id: SMB, senders: senders.map((x) => x.email) }], [], undefined);

  it("stale counts from the first email: a lead emailed recently is kept, however old its add", async () => {
    await leads(s, pool(5, 100_000, "smb"));
    await pull(s, "pull-1", [
      {
        lead_id: "a",
        email: "old-add-recent-mail@x.com",
        timestamp_created: daysAgo(120),
        timestamp_last_contact: daysAgo(3),
      },
      {
        lead_id: "b",
        email: "emailed-long-ago@y.com",
        timestamp_created: daysAgo(120),
        timestamp_last_contact: daysAgo(100),
      },
    ]);
    await setUp("pull-1");
    await run(s);
    const drained = await rows(s, `select email, reason from "cold_email"."drain_queue" order by email`);
    expect(drained).toEqual([{ email: "emailed-long-ago@y.com", reason: "stale" }]);
  });

  it.each([
    ["stale while waiting for a first email", "stale"],
    ["removed from Instantly before any email", "removed"],
  ])("%s: no cooldown, straight back to the pool", async (_title, how) => {
    const email = "unsent@u.com";
    const emailed = "mailed@m.com";
    await leads(s, [{ email }, { email: emailed }]);
    // pull-1 holds both; the first was never emailed, the second was
    await pull(
      s,
      "pull-1",
      [
        { lead_id: "u", email, timestamp_created: daysAgo(100), timestamp_last_contact: null },
        {
          lead_id: "m",
          email: emailed,
          timestamp_created: daysAgo(100),
          timestamp_last_contact: daysAgo(95),
        },
      ],
      daysAgo(2),
    );
    await setUp("pull-1");
    if (how === "stale") {
      // the engine drained both (stale), then a later pull no longer sees them
      await changelog(s, [
        {
          action_id: "d-u",
          op: "drain",
          email,
          state: "succeeded",
          reason: "stale",
          recorded_at: daysAgo(1.9),
        },
        {
          action_id: "d-m",
          op: "drain",
          email: emailed,
          state: "succeeded",
          reason: "stale",
          recorded_at: daysAgo(1.9),
        },
      ]);
    }
    await pull(s, "pull-2", [], daysAgo(1));
    await setUp("pull-2");
    await run(s);
    const history = await rows(
      s,
      `select email, end_reason, was_emailed, cooldown_days from "cold_email_staging"."int_contact_history" order by email`,
    );
    expect(history).toEqual([
      { email: emailed, end_reason: how, was_emailed: true, cooldown_days: 90 },
      { email, end_reason: how, was_emailed: false, cooldown_days: 0 },
    ]);
    const queued = await queuedEmails(s);
    expect(queued).toContain(email);
    expect(queued).not.toContain(emailed);
  });

  it("a suppression still holds when the lead was never emailed (unsubscribed before the first send)", async () => {
    const email = "optout@o.com";
    await leads(s, [{ email }]);
    await pull(s, "pull-1", [{ lead_id: "o", email, status: -2, timestamp_last_contact: null }], daysAgo(2));
    await setUp("pull-1");
    await pull(s, "pull-2", [], daysAgo(1));
    await setUp("pull-2");
    await run(s);
    expect(await queuedEmails(s)).not.toContain(email);
  });
});
