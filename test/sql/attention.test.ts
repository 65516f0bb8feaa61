import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AS_OF,
  changelog,
  daysAgo,
  insert,
  leads,
  MIDSIZE,
  OTHER_CAMPAIGN,
  openScenario,
  pull,
  resetInputs,
  rows,
  run,
  type Scenario,
  SMB,
} from "./harness.ts";

/**
 * rpt_attention (definitions/reporting): what needs attention, one row per kind x subject, read by
 * `engine status` and the local report; rpt_handoffs_daily: hand-off counts per day and campaign;
 * rpt_campaign_trends: outcome rates per campaign and week of first email.
 */

const ATTENTION = `select * from "cold_email_reporting"."rpt_attention" order by sort_order, kind, subject`;
const isoOf = (v: unknown) => (v instanceof Date ? v.toISOString() : null);

let s: Scenario;
const scenario = () => s;
beforeAll(async () => {
  s = await openScenario({
    pacing: "capacity",
    first_touch_days: "2",
    pacing_headroom: "0.9",
    overfetch_multiplier: "1",
    max_active_per_domain: "1",
  });
}, 120_000);
afterAll(() => s?.wh.close());

/** One healthy mailbox (30 a day) for SMB, none for MIDSIZE, in pull `runId`. */
async function sendingSetup(runId: string, s: Scenario = scenario()): Promise<void> {
  const at = { run_id: runId, recorded_at: daysAgo(0.01) };
  await insert(s, "cold_email_ops", "instantly_sending_accounts", [
    { ...at, email: "box@sender.io", daily_limit: 30, status: 1, warmup_status: 1, setup_pending: false },
  ]);
  await insert(
    s,
    "cold_email_ops",
    "instantly_campaign_sending",
    [SMB, MIDSIZE].map((id) => ({
      ...at,
      campaign_id: id,
      is_managed: true,
      status: 1,
      step_count: 3,
      sequence_days: 14,
    })),
  );
  await insert(s, "cold_email_ops", "instantly_campaign_accounts", [
    { ...at, campaign_id: SMB, email: "box@sender.io" },
  ]);
}

const drain = (id: string, email: string, reason: string, at: number, campaign = SMB) => [
  {
    action_id: id,
    op: "drain" as const,
    email,
    campaign_id: campaign,
    reason,
    state: "intent",
    recorded_at: daysAgo(at + 0.001),
  },
  {
    action_id: id,
    op: "drain" as const,
    email,
    campaign_id: campaign,
    reason,
    state: "succeeded",
    recorded_at: daysAgo(at),
  },
];

describe("rpt_attention", () => {
  let got: Record<string, unknown>[];
  const of = (kind: string) => got.filter((r) => r.kind === kind);

  beforeAll(async () => {
    await resetInputs(s);
    const smb = Array.from({ length: 20 }, (_, i) => ({
      email: `s${i}@s${i}.com`,
      estimated_sales_yearly: 100_000,
    }));
    await leads(s, [
      ...smb,
      // one domain, three leads: max_active_per_domain 1 keeps two out
      ...["a", "b", "c"].map((p) => ({ email: `${p}@shared.com`, estimated_sales_yearly: 100_000 })),
      { email: "d@blocked.com", estimated_sales_yearly: 100_000 },
      { email: "cool@cool.com", estimated_sales_yearly: 100_000 },
    ]);
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "d@blocked.com", kind: "email", added_at: daysAgo(5) },
    ]);
    // an earlier pull saw a lead in a campaign the latest pull no longer lists: a campaign_gone orphan
    await pull(
      s,
      "pull-0",
      [{ lead_id: "L-gone", email: "gone@gone.com", campaign_id: OTHER_CAMPAIGN }],
      daysAgo(2),
    );
    await pull(s, "pull-1", []);
    await sendingSetup("pull-1");
    // MIDSIZE bounces 10 % of 100 contacted: over bounce_block_pct (3)
    await s.conn.run(
      `update "cold_email_ops"."instantly_campaigns" set contacted_count = 100, bounced_count = 10, emails_sent_count = 200 where id = '${MIDSIZE}' and run_id = 'pull-1'`,
    );
    await insert(s, "cold_email_ops", "sync_runs", [
      {
        run_id: "apply-old",
        mode: "apply",
        started_at: daysAgo(4),
        finished_at: daysAgo(3.99),
        status: "failed",
        error: "old",
      },
      {
        run_id: "apply-ok",
        mode: "apply",
        started_at: daysAgo(3),
        finished_at: daysAgo(2.99),
        status: "succeeded",
      },
      {
        run_id: "apply-bad",
        mode: "apply",
        started_at: daysAgo(2),
        finished_at: daysAgo(1.99),
        status: "failed",
        error: "HTTP 500 from Instantly",
      },
      {
        run_id: "apply-part",
        mode: "apply",
        started_at: daysAgo(1.5),
        finished_at: daysAgo(1.49),
        status: "partial",
      },
      // the start row of a run that never wrote its final row
      {
        run_id: "apply-killed",
        mode: "apply",
        started_at: daysAgo(1),
        status: "failed",
        error: "did not finish",
      },
    ]);
    await insert(s, "cold_email_ops", "alert_events", [
      { run_id: "apply-bad", recorded_at: daysAgo(2), alert: "run_failed", state: "raised" },
      { run_id: "apply-part", recorded_at: daysAgo(1.5), alert: "run_failed", state: "cleared" },
      { run_id: "apply-bad", recorded_at: daysAgo(2), alert: "capacity_80", state: "raised", value: 85.5 },
      // raised and cleared at the same instant: cleared wins
      { run_id: "apply-part", recorded_at: daysAgo(1.5), alert: "tie", state: "raised" },
      { run_id: "apply-part", recorded_at: daysAgo(1.5), alert: "tie", state: "cleared" },
    ]);
    await changelog(s, [
      {
        action_id: "a-cool",
        op: "add",
        email: "cool@cool.com",
        state: "succeeded",
        recorded_at: daysAgo(30),
      },
      ...drain("d-cool", "cool@cool.com", "completed", 10),
      ...drain("d-h1", "h1@x.com", "interested", 1),
      ...drain("d-h2", "h2@y.com", "meeting_booked", 2, MIDSIZE),
      // a hand-off older than 7 days is not waiting any more
      ...drain("d-h3", "h3@z.com", "replied", 20),
    ]);
    await run(s);
    got = await rows(s, ATTENTION);
  }, 180_000);

  it("lists the open alerts: the last transition of each alert is raised", () => {
    expect(of("open_alert").map((r) => [r.subject, r.value, isoOf(r.since)])).toEqual([
      ["capacity_80", 85.5, daysAgo(2)],
    ]);
  });

  it("lists failed, partial and unfinished runs since the last succeeded run of their mode", () => {
    expect(
      got
        .filter((r) => String(r.kind).startsWith("run_"))
        .map((r) => [r.kind, r.subject, r.reason, r.detail]),
    ).toEqual([
      ["run_failed", "apply-bad", "apply", "HTTP 500 from Instantly"],
      ["run_partial", "apply-part", "apply", null],
      ["run_unfinished", "apply-killed", "apply", "did not finish"],
    ]);
  });

  it("names each blocked campaign and why: the bounce guard, a campaign with no healthy mailbox", () => {
    expect(
      of("campaign_blocked")
        .map((r) => [r.campaign_id, r.reason, r.value, r.threshold])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    ).toEqual([
      [MIDSIZE, "bounce_guard", 10, 3],
      [MIDSIZE, "no_healthy_sender", null, null],
    ]);
  });

  it("counts orphans per kind and hand-offs of the last 7 days per campaign", () => {
    expect(of("orphans").map((r) => [r.subject, r.reason, r.items])).toEqual([["campaign_gone", "none", 1]]);
    expect(of("handoffs").map((r) => [r.campaign_id, r.segment, r.items, isoOf(r.since)])).toEqual(
      [
        [SMB, "smb", 1, daysAgo(1)],
        [MIDSIZE, "midsize", 1, daysAgo(2)],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it("gives each segment's runway and what keeps the rest of the pool out", () => {
    const [smb, mid] = of("pool_runway");
    // 21 candidates (20 + one of shared.com) at 1 mailbox x 30 x 0.9 = 27 new starts a day
    expect(smb).toMatchObject({
      segment: "smb",
      eligible_left: 21,
      adds_per_day: 27,
      held_domain_limit: 2,
      held_cooldown: 1,
      held_suppressed: 1,
      threshold: 14,
      needs_attention: true,
    });
    expect(Number(smb?.runway_days)).toBeCloseTo(21 / 27, 5);
    // no mailbox: no starts, so no runway to judge
    expect(mid).toMatchObject({
      segment: "midsize",
      adds_per_day: 0,
      runway_days: null,
      needs_attention: false,
    });
  });

  it("flags a run whose candidates fill under half its slots", () => {
    const [fill] = of("pool_fill");
    // 2 days x 27 new starts = 54 paced slots, 21 candidates
    expect(fill).toMatchObject({
      slots: 54,
      items: 21,
      threshold: 27,
      eligible_left: 21,
      needs_attention: true,
    });
    expect(fill).toMatchObject({ held_domain_limit: 2, held_cooldown: 1, held_suppressed: 1 });
  });

  it("every item row except pool rows needs attention, and nothing in it is an email", () => {
    for (const r of got) {
      if (!String(r.kind).startsWith("pool_")) expect(r.needs_attention).toBe(true);
      for (const v of Object.values(r)) expect(String(v)).not.toMatch(/@/);
    }
  });

  it("rpt_handoffs_daily counts hand-offs per day and campaign, by reason, without a lead", async () => {
    const daily = await rows(
      s,
      `select * from "cold_email_reporting"."rpt_handoffs_daily" order by day, campaign_id`,
    );
    const day = (n: number) => daysAgo(n).slice(0, 10);
    expect(
      daily.map((r) => [
        String(isoOf(r.day) ?? r.day).slice(0, 10),
        r.campaign_id,
        r.handoffs,
        r.handoffs_interested,
        r.handoffs_meeting_booked,
        r.handoffs_replied,
      ]),
    ).toEqual([
      [day(20), SMB, 1, 0, 0, 1],
      [day(2), MIDSIZE, 1, 0, 1, 0],
      [day(1), SMB, 1, 1, 0, 0],
    ]);
    expect(Object.keys(daily[0] ?? {})).not.toContain("email");
  });
});

describe("rpt_campaign_trends", () => {
  it("rates each week's cohort of first emails by its outcomes, per campaign", async () => {
    await resetInputs(s);
    await leads(s, [{ email: "x@x.com" }]);
    // AS_OF is Monday 2025-06-02: week 2025-05-26 (4 leads) and week 2025-05-19 (2 leads)
    const lead = (id: string, contactDaysAgo: number, extra: Record<string, unknown> = {}) => ({
      lead_id: id,
      email: `${id}@t.com`,
      timestamp_last_contact: daysAgo(contactDaysAgo),
      ...extra,
    });
    await pull(s, "pull-1", [
      lead("b1", 3, { status: -1 }),
      lead("u1", 3, { status: -2 }),
      lead("i1", 4, { lt_interest_status: 1, email_reply_count: 1 }),
      lead("m1", 5, { lt_interest_status: 2, email_reply_count: 1 }),
      lead("r1", 10, { email_reply_count: 1 }),
      lead("q1", 11),
      // never emailed: not in any cohort
      { lead_id: "n1", email: "n1@t.com" },
    ]);
    await run(s);
    const got = await rows(
      s,
      `select * from "cold_email_reporting"."rpt_campaign_trends" order by campaign_id, week`,
    );
    expect(AS_OF.slice(0, 10)).toBe("2025-06-02");
    expect(
      got.map((r) => [
        String(isoOf(r.week) ?? r.week).slice(0, 10),
        r.campaign_id,
        r.segment,
        r.contacted,
        r.replied,
        r.positive,
        r.meetings,
        r.bounced,
        r.unsubscribed,
      ]),
    ).toEqual([
      ["2025-05-19", SMB, "smb", 2, 1, 0, 0, 0, 0],
      ["2025-05-26", SMB, "smb", 4, 2, 2, 1, 1, 1],
    ]);
    const [older, newer] = got;
    expect(older).toMatchObject({ reply_rate_pct: 50, positive_rate_pct: 0, bounce_rate_pct: 0 });
    expect(newer).toMatchObject({
      reply_rate_pct: 50,
      positive_rate_pct: 50,
      meeting_rate_pct: 25,
      bounce_rate_pct: 25,
      unsubscribe_rate_pct: 25,
    });
  });
});

describe("rpt_attention with alert_runway_min_days set", () => {
  let own: Scenario;
  beforeAll(async () => {
    own = await openScenario({
      pacing: "capacity",
      first_touch_days: "2",
      pacing_headroom: "0.9",
      alert_runway_min_days: "0.5",
    });
  }, 120_000);
  afterAll(() => own?.wh.close());

  it("judges the runway against the var: 20 leads at 27 new starts a day last 0.74 days, over 0.5", async () => {
    await leads(
      own,
      Array.from({ length: 20 }, (_, i) => ({ email: `r${i}@r${i}.com`, estimated_sales_yearly: 100_000 })),
    );
    await pull(own, "pull-1", []);
    await sendingSetup("pull-1", own);
    await run(own);
    const [smb] = await rows(
      own,
      `select * from "cold_email_reporting"."rpt_attention" where kind = 'pool_runway' and segment = 'smb'`,
    );
    expect(smb).toMatchObject({
      eligible_left: 20,
      adds_per_day: 27,
      threshold: 0.5,
      needs_attention: false,
    });
  });
});
