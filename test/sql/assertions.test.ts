import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGraph } from "../../engine/src/dataform/runner.ts";
import { daysAgo, insert, leads, openScenario, pull, resetInputs, run, type Scenario } from "./harness.ts";

/**
 * The SQL invariants in definitions/assertions/ pass on good data and catch a broken output: the
 * outputs are built, then tampered with, and only the assertions are run again.
 */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario();
});
afterAll(() => s?.wh.close());

async function failingAssertions(): Promise<string[]> {
  const names = s.graph.assertions.map((a) => a.target.name);
  const result = await runGraph(s.conn, s.graph, { actions: names });
  return result.actions.filter((a) => a.status === "failed").map((a) => a.name.split(".").pop() as string);
}

describe("assertions", () => {
  it("pass on a consistent build and fail on a suppressed, duplicated or over-budget queue", async () => {
    await resetInputs(s);
    await leads(s, [{ email: "ok@fine.com" }, { email: "x@dnc.com" }]);
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "dnc.com", kind: "domain", added_at: daysAgo(1) },
    ]);
    await pull(s, "pull-1", [{ lead_id: "9", email: "c@other-campaign.com", status: 3 }]);
    await run(s);
    expect(await failingAssertions()).toEqual([]);

    await s.conn.run(
      `INSERT INTO "cold_email"."push_queue" SELECT * REPLACE ('x@dnc.com' AS email, 'tampered' AS action_id, 2 AS rank) FROM "cold_email"."push_queue"`,
    );
    await s.conn.run(
      `INSERT INTO "cold_email"."push_queue" SELECT * REPLACE ('tampered-2' AS action_id, 3 AS rank) FROM "cold_email"."push_queue" WHERE rank = 1`,
    );
    await s.conn.run(`UPDATE "cold_email"."push_budget" SET slots = cap + 1`);
    await s.conn.run(
      `UPDATE "cold_email"."drain_queue" SET campaign_id = '11111111-2222-3333-4444-555555555555'`,
    );
    expect((await failingAssertions()).sort()).toEqual([
      "assert_drain_managed_campaigns_only",
      "assert_push_domain_limit",
      "assert_push_queue_not_suppressed",
      "assert_push_queue_one_row_per_email",
      "assert_push_within_cap",
      "cold_email_drain_queue_assertions_rowConditions",
      "cold_email_push_budget_assertions_rowConditions",
    ]);
  });
});
