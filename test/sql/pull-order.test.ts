import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runGraph } from "../../engine/src/dataform/runner.ts";
import {
  budget,
  changelog,
  daysAgo,
  drains,
  insert,
  openScenario,
  pull,
  resetInputs,
  rows,
  run,
  type Scenario,
  SMB,
} from "./harness.ts";

/**
 * Pulls are ordered by the order the transform merges them, not by the stamps of the machine that
 * ran them: a pull whose clock is behind, two pulls stamped at one instant (ENGINE_CLOCK_START given
 * to every process), a clock ahead of real time — each is merged as the newest pull, the action tables
 * follow it, and no later transform refuses or waits for wall time to catch up.
 */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario();
});
afterAll(() => s?.wh.close());
beforeEach(async () => {
  await resetInputs(s);
});

const merged = async () =>
  (
    await rows(
      s,
      `select run_id, is_latest from "cold_email_staging"."stg_instantly_pull_log" order by pull_number`,
    )
  ).map((r) => `${r.run_id}${r.is_latest ? "*" : ""}`);

/** The pull the engine treats as latest (the view apply reads). */
const latestSeen = async () =>
  (await rows(s, `select run_id from "cold_email_staging"."stg_instantly_pulls" where is_latest`)).map(
    (r) => r.run_id,
  );

const active = { lead_id: "1", email: "a@held.com", status: 1 };
const completed = { lead_id: "1", email: "a@held.com", status: 3, email_reply_count: 0 };

describe("pull order", () => {
  it("a pull from a machine whose clock is a day behind is merged as the newest pull", async () => {
    await pull(s, "pull-1", [active], daysAgo(0.5));
    await run(s);
    await pull(s, "pull-behind", [completed], daysAgo(1.5));
    // Before the transform, apply already sees a newer complete pull (its tables are stale).
    expect(await latestSeen()).toEqual(["pull-behind"]);
    await run(s);
    expect(await merged()).toEqual(["pull-1", "pull-behind*"]);
    expect(await latestSeen()).toEqual(["pull-behind"]);
    expect((await budget(s)).pull_run_id).toBe("pull-behind");
    expect(await drains(s)).toEqual({ "a@held.com": "completed" });
    // And the next pull, on a right clock, follows it.
    await pull(s, "pull-3", [completed], daysAgo(0.1));
    await run(s);
    expect(await merged()).toEqual(["pull-1", "pull-behind", "pull-3*"]);
  });

  it("two pulls started at one instant (ENGINE_CLOCK_START exported) are both merged, and later transforms go on", async () => {
    // Every process starts its clock at the same instant: each pull's sync_runs row starts there, its
    // rows are stamped a little later.
    const at = daysAgo(0.5);
    const startAt = async (runId: string) =>
      s.conn.run(`update "cold_email_ops"."sync_runs" set started_at = '${at}' where run_id = '${runId}'`);
    await pull(s, "pull-a", [active], daysAgo(0.49));
    await startAt("pull-a");
    await run(s);
    await pull(s, "pull-b", [completed], daysAgo(0.49));
    await startAt("pull-b");
    await run(s);
    expect(await merged()).toEqual(["pull-a", "pull-b*"]);
    expect((await budget(s)).pull_run_id).toBe("pull-b");
    expect(await latestSeen()).toEqual(["pull-b"]);
    await pull(s, "pull-c", [completed], daysAgo(0.495));
    await startAt("pull-c");
    await run(s);
    expect(await merged()).toEqual(["pull-a", "pull-b", "pull-c*"]);
    expect((await budget(s)).pull_run_id).toBe("pull-c");
  });

  it("a clock ahead of real time does not wedge the pulls after it", async () => {
    await pull(s, "pull-ahead", [active], daysAgo(-3));
    await run(s);
    await pull(s, "pull-now", [completed], daysAgo(0.1));
    await run(s);
    expect(await merged()).toEqual(["pull-ahead", "pull-now*"]);
    expect((await budget(s)).pull_run_id).toBe("pull-now");
    expect(await latestSeen()).toEqual(["pull-now"]);
    expect(await drains(s)).toEqual({ "a@held.com": "completed" });
  });

  it("a pull killed before the latest merged pull is never taken for the latest", async () => {
    await insert(s, "cold_email_ops", "sync_runs", [
      {
        run_id: "pull-killed",
        mode: "pull",
        started_at: daysAgo(0.6),
        finished_at: daysAgo(0.6),
        status: "failed",
      },
    ]);
    await insert(s, "cold_email_ops", "instantly_campaigns", [
      { run_id: "pull-killed", recorded_at: daysAgo(0.6), id: SMB, name: SMB, status: 1 },
    ]);
    await pull(s, "pull-1", [active], daysAgo(0.5));
    await run(s);
    expect(await latestSeen()).toEqual(["pull-1"]);
    // One killed after it (on a right clock) is the latest, so apply refuses the tables of pull-1.
    await insert(s, "cold_email_ops", "instantly_campaigns", [
      { run_id: "pull-killed-2", recorded_at: daysAgo(0.2), id: SMB, name: SMB, status: 1 },
    ]);
    expect(await latestSeen()).toEqual(["pull-killed-2"]);
  });

  it("a full refresh keeps every pull (numbered by stamps: the merge order is gone)", async () => {
    await pull(s, "pull-1", [active], daysAgo(0.5));
    await run(s);
    await pull(s, "pull-behind", [completed], daysAgo(1.5));
    await run(s);
    const refreshed = await runGraph(s.conn, s.graph, { fullRefresh: true });
    expect(refreshed.ok).toBe(true);
    expect(await merged()).toEqual(["pull-behind", "pull-1*"]);
    expect(await latestSeen()).toEqual(["pull-1"]);
    expect((await budget(s)).pull_run_id).toBe("pull-1");
  });

  it("an action's final row stamped before its intent (a clock behind) is still its latest state", async () => {
    await pull(s, "pull-1", [active], daysAgo(0.5));
    // The add's intent from a machine ahead, its final row from one behind; a drain settled the same way
    // after the transform (read only by the live view, stg_sync_actions).
    await changelog(s, [
      { action_id: "add-1", op: "add", email: "b@held.com", state: "intent", recorded_at: daysAgo(0.3) },
      { action_id: "add-1", op: "add", email: "b@held.com", state: "succeeded", recorded_at: daysAgo(0.4) },
    ]);
    await run(s);
    const stateOf = async (view: string, id: string) =>
      (await rows(s, `select state from "cold_email_staging"."${view}" where action_id = '${id}'`)).map(
        (r) => r.state,
      );
    expect(await stateOf("stg_sync_action_state", "add-1")).toEqual(["succeeded"]);
    expect(await stateOf("stg_sync_actions", "add-1")).toEqual(["succeeded"]);
    await changelog(s, [
      {
        action_id: "drain-1",
        op: "drain",
        email: "a@held.com",
        state: "succeeded",
        recorded_at: daysAgo(0.25),
      },
      { action_id: "drain-1", op: "drain", email: "a@held.com", state: "intent", recorded_at: daysAgo(0.2) },
    ]);
    expect(await stateOf("stg_sync_actions", "drain-1")).toEqual(["succeeded"]);
    await run(s);
    expect(await stateOf("stg_sync_action_state", "drain-1")).toEqual(["succeeded"]);
    // A late duplicate of an intent (at-least-once delivery) stamped after the merge never revives it.
    await changelog(s, [
      { action_id: "add-1", op: "add", email: "b@held.com", state: "intent", recorded_at: daysAgo(0.1) },
    ]);
    expect(await stateOf("stg_sync_actions", "add-1")).toEqual(["succeeded"]);
  });
});
