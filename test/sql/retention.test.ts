import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { compileProject } from "../../engine/src/dataform/compile.ts";
import { runGraph } from "../../engine/src/dataform/runner.ts";
import {
  changelog,
  daysAgo,
  drains,
  insert,
  leads,
  openScenario,
  pull,
  queuedEmails,
  rows,
  run,
  type Scenario,
} from "./harness.ts";

/**
 * Retention: snapshot rows older than snapshot_retention_days (30) are deleted once merged, and every
 * rule still holds: long suppressions (unsubscribe, bounce, wrong person, not interested 400-500 days
 * ago), the 90- and 365-day cooldowns, a company's reply holding back its colleagues, stale at 90 days;
 * in the incremental state and after a full refresh from what is left.
 */

let s: Scenario;

/** One sequence that ended `days` ago: its last snapshot, then the engine's drain (and block). */
async function endedSequence(
  email: string,
  days: number,
  reason: string,
  lead: Record<string, string | number | null>,
): Promise<void> {
  await pull(s, `pull-${email}`, [{ lead_id: `L-${email}`, email, ...lead }], daysAgo(days + 0.01));
  const base = { op: "drain" as const, email, reason, run_id: `apply-${email}` };
  await changelog(s, [
    { ...base, action_id: `d-${email}`, state: "intent", recorded_at: daysAgo(days) },
    { ...base, action_id: `d-${email}`, state: "succeeded", recorded_at: daysAgo(days - 0.0001) },
  ]);
  if (reason === "unsubscribed") {
    await changelog(s, [
      {
        ...base,
        op: "block",
        action_id: `b-${email}`,
        state: "succeeded",
        recorded_at: daysAgo(days - 0.0002),
      },
    ]);
  }
}

beforeAll(async () => {
  s = await openScenario({ snapshot_retention_days: "30" });
  await leads(s, [
    { email: "unsub@u1.com" },
    { email: "bounce@b1.com" },
    { email: "wrong@w1.com" },
    { email: "nope@n1.com" },
    { email: "replied@r1.com" },
    { email: "done80@c1.com" },
    { email: "done100@c2.com" },
    { email: "new@acme.com" },
    { email: "fresh@f1.com" },
  ]);
  await endedSequence("unsub@u1.com", 450, "unsubscribed", { status: -2 });
  await endedSequence("bounce@b1.com", 400, "bounced", { status: -1 });
  await endedSequence("wrong@w1.com", 420, "wrong_person", {
    status: 1,
    email_reply_count: 1,
    lt_interest_status: -2,
  });
  await endedSequence("nope@n1.com", 480, "not_interested", {
    status: 1,
    email_reply_count: 1,
    lt_interest_status: -1,
  });
  await endedSequence("replied@r1.com", 300, "replied", {
    status: 1,
    email_reply_count: 1,
    timestamp_last_reply: daysAgo(300.5),
  });
  await endedSequence("done80@c1.com", 80, "completed", { status: 3 });
  await endedSequence("done100@c2.com", 100, "completed", { status: 3 });
  await endedSequence("boss@acme.com", 60, "replied", {
    status: 1,
    email_reply_count: 1,
    timestamp_last_reply: daysAgo(60.5),
  });
  // Still in Instantly: a colleague of the company that replied, and a lead kept 100 days.
  const current = [
    { lead_id: "dev", email: "dev@acme.com", status: 1, timestamp_created: daysAgo(70) },
    { lead_id: "old", email: "old@stale.com", status: 1, timestamp_created: daysAgo(100) },
  ];
  await pull(s, "pull-60", current, daysAgo(60));
  await pull(s, "pull-now", current, daysAgo(0.01));
}, 60_000);
afterAll(() => s?.wh.close());

async function expectRulesHold(): Promise<void> {
  expect(await queuedEmails(s)).toEqual(expect.arrayContaining(["fresh@f1.com", "done100@c2.com"]));
  expect((await queuedEmails(s)).sort()).toEqual(["done100@c2.com", "fresh@f1.com"]);
  expect(await drains(s)).toEqual({ "dev@acme.com": "company_replied", "old@stale.com": "stale" });
  const suppressed = await rows(
    s,
    `select suppressed_value, reason from "cold_email_staging"."int_suppression"
     where suppression_kind = 'email' order by 1, 2`,
  );
  expect(suppressed).toEqual([
    { suppressed_value: "bounce@b1.com", reason: "bounced" },
    { suppressed_value: "nope@n1.com", reason: "not_interested" },
    { suppressed_value: "unsub@u1.com", reason: "unsubscribed" },
    { suppressed_value: "wrong@w1.com", reason: "wrong_person" },
  ]);
  const why = await rows(
    s,
    `select email, ineligible_reason, cooldown_reason from "cold_email_staging"."int_lead_eligibility"
     where email in ('replied@r1.com', 'done80@c1.com', 'new@acme.com') order by 1`,
  );
  expect(why).toEqual([
    { email: "done80@c1.com", ineligible_reason: "cooling_down", cooldown_reason: "completed" },
    { email: "new@acme.com", ineligible_reason: "company_cooling_down", cooldown_reason: "company_replied" },
    { email: "replied@r1.com", ineligible_reason: "cooling_down", cooldown_reason: "replied" },
  ]);
}

describe("snapshot retention", () => {
  it("deletes snapshot rows older than snapshot_retention_days once merged, never the latest pull", async () => {
    const [before] = await rows(s, `select count(*) as n from "cold_email_ops"."instantly_leads"`);
    expect(before?.n).toBe(12);
    await run(s);
    const left = await rows(
      s,
      `select run_id, count(*) as n from "cold_email_ops"."instantly_leads" group by 1 order by 1`,
    );
    expect(left).toEqual([{ run_id: "pull-now", n: 2 }]);
    // The lead state still knows every lead, including those whose every snapshot is gone.
    const [state] = await rows(
      s,
      `select count(*) as n from "cold_email_staging"."stg_instantly_lead_state"`,
    );
    expect(state?.n).toBe(10);
  });

  it("every rule holds on the incremental state after the old snapshots are gone", async () => {
    await expectRulesHold();
    await run(s);
    await expectRulesHold();
  });

  it("every rule holds after a full refresh from the retained history and the changelog", async () => {
    const result = await runGraph(s.conn, s.graph, { fullRefresh: true });
    expect(result.ok, JSON.stringify(result.actions.filter((a) => a.status !== "ok"))).toBe(true);
    await expectRulesHold();
  });

  it("keeps rows recorded within snapshot_retention_days", async () => {
    await insert(s, "cold_email_ops", "instantly_leads", [
      { run_id: "pull-now", recorded_at: daysAgo(29), lead_id: "x", email: "x@recent.com" },
    ]);
    await run(s);
    const [kept] = await rows(
      s,
      `select count(*) as n from "cold_email_ops"."instantly_leads" where lead_id = 'x'`,
    );
    expect(kept?.n).toBe(1);
  });

  it("refuses a snapshot_retention_days that is not a whole number of days", async () => {
    await expect(
      compileProject({ projectDir: repoRoot(), vars: { dialect: "duckdb", snapshot_retention_days: "0" } }),
    ).rejects.toThrow(/snapshot_retention_days must be a whole number >= 1, got "0"/);
  });
});
