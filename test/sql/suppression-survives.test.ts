import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGraph } from "../../engine/src/dataform/runner.ts";
import { daysAgo, leads, openScenario, pull, queuedEmails, rows, run, type Scenario } from "./harness.ts";

/**
 * Suppressions outlive everything (definitions/intermediate/int_suppression_history.sqlx, a protected
 * incremental): 34 leads unsubscribed, bounced or said not interested in Instantly, then a person
 * deleted them there before any drain (no changelog row ever recorded them), the snapshots that showed
 * it were pruned by retention, and the warehouse was rebuilt with a full refresh. All 34 stay
 * suppressed and none is queued.
 */

let s: Scenario;
const OPTED_OUT = Array.from({ length: 34 }, (_, i) => `out${i}@optout${i}.com`);
const FRESH = ["new1@fresh1.com", "new2@fresh2.com"];
/** Instantly fields of each way to opt out, in turn. */
const OUTCOMES = [{ status: -2 }, { status: -1 }, { status: 1, lt_interest_status: -1 }];

beforeAll(async () => {
  s = await openScenario({ snapshot_retention_days: "30", verify_before_push: "false" });
  await leads(
    s,
    [...OPTED_OUT, ...FRESH].map((email) => ({ email })),
  );
}, 60_000);
afterAll(() => s?.wh.close());

async function protectedState(): Promise<number> {
  const [row] = await rows(
    s,
    `select count(*) as n from "cold_email_staging"."int_suppression_history"
     where reason in ('unsubscribed', 'bounced', 'not_interested')`,
  );
  return Number(row?.n);
}

describe("suppressions survive deletion in Instantly, retention and a full refresh", () => {
  it("keeps all 34 opt-outs suppressed and queues none of them", async () => {
    // 40 days ago: the opt-outs are in Instantly and a transform sees them.
    await pull(
      s,
      "pull-old",
      OPTED_OUT.map((email, i) => ({
        lead_id: `L${i}`,
        email,
        timestamp_updated: daysAgo(40.5),
        ...OUTCOMES[i % OUTCOMES.length],
      })),
      daysAgo(40),
    );
    await run(s);
    expect(await protectedState()).toBe(34);

    // Deleted in Instantly before any drain: today's pull no longer lists them; the transform prunes
    // the old snapshots (older than snapshot_retention_days).
    await pull(s, "pull-new", [], daysAgo(0.01));
    await run(s);
    const [left] = await rows(s, `select count(*) as n from "cold_email_ops"."instantly_leads"`);
    expect(Number(left?.n)).toBe(0);

    // The upgrade recipe: a full refresh rebuilds everything else from what is left.
    const refreshed = await runGraph(s.conn, s.graph, { fullRefresh: true });
    expect(refreshed.ok, JSON.stringify(refreshed.actions.filter((a) => a.status !== "ok"))).toBe(true);
    expect(await protectedState()).toBe(34);
    expect(await queuedEmails(s)).toEqual(FRESH);
    const suppressed = await rows(
      s,
      `select email from "cold_email_staging"."int_lead_eligibility"
       where ineligible_reason = 'suppressed' order by email`,
    );
    expect(suppressed.map((r) => r.email)).toEqual([...OPTED_OUT].sort());
    // Kept, not rebuilt: the runner honours `protected` on a full refresh.
    const history = refreshed.actions.find((a) => a.name.endsWith("int_suppression_history"));
    expect(history?.mode).toBe("merge");
  });
});
