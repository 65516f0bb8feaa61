import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runGraph } from "../../engine/src/dataform/runner.ts";
import {
  budget,
  daysAgo,
  drains,
  insert,
  leads,
  openScenario,
  pull,
  resetInputs,
  rows,
  run,
  type Scenario,
  SMB,
} from "./harness.ts";

/** The incremental state survives broken runs: killed pulls (skewed clocks: test/sql/pull-order.test.ts). */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario();
});
afterAll(() => s?.wh.close());
beforeEach(async () => {
  await resetInputs(s);
});

/** Snapshot rows of a pull that died midway: no succeeded sync_runs row (here a failed one). */
async function killedPull(runId: string, at: string, leadRows: Record<string, unknown>[]): Promise<void> {
  await insert(s, "cold_email_ops", "sync_runs", [
    { run_id: runId, mode: "pull", started_at: at, finished_at: at, status: "failed" },
  ]);
  await insert(
    s,
    "cold_email_ops",
    "instantly_leads",
    leadRows.map((r) => ({ run_id: runId, recorded_at: at, campaign_id: SMB, ...r })) as Parameters<
      typeof insert
    >[3],
  );
}

const pulledRunIds = async () =>
  (
    await rows(s, `select run_id from "cold_email_staging"."stg_instantly_pull_log" order by pull_number`)
  ).map((r) => r.run_id);

describe("broken runs", () => {
  it("a pull without a succeeded sync_runs row is never merged, incrementally or on a full refresh", async () => {
    await leads(s, [{ email: "new@fresh.com" }]);
    await pull(s, "pull-1", [{ lead_id: "1", email: "a@held.com", status: 1 }], daysAgo(0.5));
    await run(s);
    await killedPull("pull-2", daysAgo(0.3), [
      { lead_id: "1", email: "a@held.com", status: 3, email_reply_count: 0 },
      { lead_id: "2", email: "b@half.com", status: 1 },
    ]);
    await run(s);
    expect((await budget(s)).pull_run_id).toBe("pull-1");
    expect(await drains(s)).toEqual({});
    expect(await pulledRunIds()).toEqual(["pull-1"]);
    const held = await rows(s, `select lead_id from "cold_email_staging"."stg_instantly_leads" order by 1`);
    expect(held).toEqual([{ lead_id: "1" }]);

    // The next complete pull is merged; the killed one stays out, and a full refresh agrees.
    await pull(s, "pull-3", [{ lead_id: "1", email: "a@held.com", status: 3 }], daysAgo(0.1));
    await run(s);
    expect(await pulledRunIds()).toEqual(["pull-1", "pull-3"]);
    expect(await drains(s)).toEqual({ "a@held.com": "completed" });
    const refreshed = await runGraph(s.conn, s.graph, { fullRefresh: true });
    expect(refreshed.ok).toBe(true);
    expect(await pulledRunIds()).toEqual(["pull-1", "pull-3"]);
    expect(await drains(s)).toEqual({ "a@held.com": "completed" });
  });
});
