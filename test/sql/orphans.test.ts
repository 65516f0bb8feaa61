import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  changelog,
  daysAgo,
  drains,
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
 * Orphans (definitions/README.md, "Orphans"): an add Instantly confirmed that no pull ever sees
 * (lost_add after lost_add_pulls pulls, then queued again), a lead paused for stuck_days (drained as
 * stuck), and leads last seen in a campaign the pipeline no longer manages (reported in rpt_orphans).
 */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario({ verify_before_push: "false" });
});
afterAll(() => s?.wh.close());
beforeEach(async () => {
  await resetInputs(s);
});

async function orphans(): Promise<Record<string, unknown>[]> {
  return rows(
    s,
    `select kind, email, campaign_id, pipeline_action from "cold_email_reporting"."rpt_orphans" order by kind, email`,
  );
}

async function history(email: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await rows(
    s,
    `select has_pending_add, is_ongoing, end_reason, cooldown_days, ended_at from "cold_email_staging"."int_contact_history" where email = '${email}'`,
  );
  return row;
}

async function pendingAdds(): Promise<number> {
  const r = await rows(s, `select sum(pending_adds) as n from "cold_email_staging"."int_inventory"`);
  return Number(r[0]?.n ?? 0);
}

describe("lost_add", () => {
  it("a confirmed add no pull sees stays pending for lost_add_pulls (3) pulls, then ends lost_add and is queued again", async () => {
    await leads(s, [{ email: "ghost@l1.com" }, { email: "seen@l2.com" }]);
    await changelog(s, [
      { action_id: "g1", op: "add", email: "ghost@l1.com", state: "intent", recorded_at: daysAgo(3) },
      { action_id: "g1", op: "add", email: "ghost@l1.com", state: "succeeded", recorded_at: daysAgo(3) },
      { action_id: "s1", op: "add", email: "seen@l2.com", state: "intent", recorded_at: daysAgo(3) },
      { action_id: "s1", op: "add", email: "seen@l2.com", state: "succeeded", recorded_at: daysAgo(3) },
    ]);
    const seen = { lead_id: "S", email: "seen@l2.com", campaign_id: SMB, status: 1 };
    // Pulls 1 and 2 (the state tables are merged incrementally after each) do not list the ghost.
    for (const [i, at] of [daysAgo(2), daysAgo(1)].entries()) {
      await pull(s, `pull-${i + 1}`, [seen], at);
      await run(s);
      expect(await history("ghost@l1.com")).toMatchObject({ has_pending_add: true, is_ongoing: true });
      expect(await queuedEmails(s)).toEqual([]);
      expect(await pendingAdds()).toBe(1);
    }
    expect(await orphans()).toEqual([]);
    await pull(s, "pull-3", [seen], daysAgo(0.5));
    await run(s);
    const ghost = await history("ghost@l1.com");
    expect(ghost).toMatchObject({
      has_pending_add: false,
      is_ongoing: false,
      end_reason: "lost_add",
      cooldown_days: 0,
    });
    // It ended when the third pull started (the pull that made it lost).
    expect(new Date(String(ghost?.ended_at)).toISOString()).toBe(daysAgo(0.5));
    // No longer holds a slot, and the retry is queued (cooldown_days_lost_add is 0 by default).
    expect(await pendingAdds()).toBe(0);
    expect(await queuedEmails(s)).toEqual(["ghost@l1.com"]);
    expect(await orphans()).toEqual([
      { kind: "lost_add", email: "ghost@l1.com", campaign_id: SMB, pipeline_action: "retry" },
    ]);
    // The lead that pulls saw is an ordinary running sequence.
    expect(await history("seen@l2.com")).toMatchObject({ is_ongoing: true, end_reason: null });
  });

  it("an add a pull saw and that then left Instantly is removed, not lost (cooldown_days)", async () => {
    await leads(s, [{ email: "left@l3.com" }]);
    await changelog(s, [
      { action_id: "x1", op: "add", email: "left@l3.com", state: "intent", recorded_at: daysAgo(5) },
      { action_id: "x1", op: "add", email: "left@l3.com", state: "succeeded", recorded_at: daysAgo(5) },
    ]);
    // emailed before it left: an unsent lead would carry no cooldown (test/sql/pacing.test.ts)
    await pull(
      s,
      "pull-1",
      [{ lead_id: "X", email: "left@l3.com", status: 1, timestamp_last_contact: daysAgo(4.5) }],
      daysAgo(4),
    );
    for (const [i, at] of [daysAgo(3), daysAgo(2), daysAgo(1)].entries())
      await pull(s, `pull-${i + 2}`, [], at);
    await run(s);
    expect(await history("left@l3.com")).toMatchObject({ end_reason: "removed", cooldown_days: 90 });
    expect(await orphans()).toEqual([]);
  });
});

describe("stuck", () => {
  it("a paused lead with no update for stuck_days (30) drains as stuck; not before, not out-of-office, not in a paused campaign", async () => {
    await pull(s, "pull-1", [
      { lead_id: "1", email: "stuck@p1.com", status: 2, timestamp_updated: daysAgo(30) },
      { lead_id: "2", email: "recent@p2.com", status: 2, timestamp_updated: daysAgo(29.99) },
      {
        lead_id: "3",
        email: "away@p3.com",
        status: 2,
        lt_interest_status: 0,
        email_reply_count: 1,
        timestamp_updated: daysAgo(60),
        timestamp_last_interest_change: daysAgo(60),
      },
      {
        lead_id: "4",
        email: "waiting@p4.com",
        campaign_id: MIDSIZE,
        status: 2,
        timestamp_updated: daysAgo(40),
      },
      { lead_id: "5", email: "active@p5.com", status: 1, timestamp_updated: daysAgo(40) },
    ]);
    // The Midsize campaign itself is paused: its leads wait for it.
    await s.conn.run(`update "cold_email_ops"."instantly_campaigns" set status = 2 where id = '${MIDSIZE}'`);
    await run(s);
    expect(await drains(s)).toEqual({ "stuck@p1.com": "stuck" });
    expect(await orphans()).toEqual([
      { kind: "stuck", email: "stuck@p1.com", campaign_id: SMB, pipeline_action: "drain" },
    ]);
    const [flags] = await rows(s, `select suppress, block from "cold_email"."drain_queue"`);
    expect(flags).toEqual({ suppress: false, block: false });
  });
});

describe("campaign_gone", () => {
  it("a lead last seen in sequence in a campaign the pipeline no longer manages is reported, never drained", async () => {
    await pull(
      s,
      "pull-0",
      [
        { lead_id: "1", email: "left@g1.com", campaign_id: OTHER_CAMPAIGN, status: 1 },
        { lead_id: "2", email: "done@g2.com", campaign_id: OTHER_CAMPAIGN, status: 3 },
        { lead_id: "3", email: "mine@g3.com", campaign_id: SMB, status: 1 },
      ],
      daysAgo(2),
    );
    await pull(s, "pull-1", []);
    await run(s);
    expect(await drains(s)).toEqual({});
    expect(await orphans()).toEqual([
      { kind: "campaign_gone", email: "left@g1.com", campaign_id: OTHER_CAMPAIGN, pipeline_action: "none" },
    ]);
  });
});

describe("the orphan vars", () => {
  let t: Scenario;
  beforeAll(async () => {
    t = await openScenario({
      verify_before_push: "false",
      lost_add_pulls: "1",
      cooldown_days_lost_add: "7",
      stuck_days: "10",
    });
  });
  afterAll(() => t?.wh.close());

  it("lost_add_pulls, cooldown_days_lost_add and stuck_days move the rules", async () => {
    await leads(t, [{ email: "ghost@v1.com" }]);
    await changelog(t, [
      { action_id: "g1", op: "add", email: "ghost@v1.com", state: "intent", recorded_at: daysAgo(3) },
      { action_id: "g1", op: "add", email: "ghost@v1.com", state: "succeeded", recorded_at: daysAgo(3) },
    ]);
    await pull(t, "pull-1", [
      { lead_id: "1", email: "held@v2.com", status: 2, timestamp_updated: daysAgo(10) },
      { lead_id: "2", email: "young@v3.com", status: 2, timestamp_updated: daysAgo(9.99) },
    ]);
    await run(t);
    // One pull is enough to lose the add; it then cools down 7 days instead of being retried at once.
    const [ghost] = await rows(
      t,
      `select end_reason, cooldown_days from "cold_email_staging"."int_contact_history" where email = 'ghost@v1.com'`,
    );
    expect(ghost).toEqual({ end_reason: "lost_add", cooldown_days: 7 });
    const [why] = await rows(
      t,
      `select ineligible_reason, cooldown_reason from "cold_email_staging"."int_lead_eligibility" where email = 'ghost@v1.com'`,
    );
    expect(why).toEqual({ ineligible_reason: "cooling_down", cooldown_reason: "lost_add" });
    const drained = await rows(t, `select email, reason from "cold_email"."drain_queue" order by email`);
    expect(drained).toEqual([{ email: "held@v2.com", reason: "stuck" }]);
  });
});
