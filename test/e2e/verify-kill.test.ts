import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killed } from "./crash-world.ts";
import { describe as describeRun, World } from "./harness.ts";

/**
 * A kill during verification loses at most one write-ahead batch of results (100 rows): every earlier
 * batch's results are already in email_verifications, and the next apply does not pay for them again.
 * A fresh world (no leads in the campaigns, so no drains) with room for 250 adds: the first wave
 * verifies 250 rows in batches of 100, and the process dies after the SECOND batch's calls.
 */
describe("e2e: killed during verification", () => {
  let world: World;

  beforeAll(async () => {
    world = await World.create({
      seed: 71,
      leads: 1500,
      vars: { inventory_cap: "1000", max_adds_per_run: "250", overfetch_multiplier: "1.2" },
      sandbox: { verification: { pendingRate: 0, invalidRate: 0.05, catchAllRate: 0 } },
      slackSink: false,
    });
    await world.graph();
  });
  afterAll(async () => {
    await world?.close();
  });

  it("keeps the results of every finished batch and never verifies them again", async () => {
    expect((await world.cli(["pull"])).code).toBe(0);
    await world.transform();
    const crashed = await world.cli(["apply"], { env: { ENGINE_CRASH_AT: "apply.after-call#2" } });
    expect(killed(crashed), describeRun(crashed)).toBe(true);
    const verifiedBy = async (runId: string) =>
      (
        await world.query<{ email: string }>(
          `select email from ${world.ops("email_verifications")} where run_id = '${runId}'`,
        )
      ).map((r) => r.email);
    const [killedRun] = await world.query<{ run_id: string }>(
      `select run_id from ${world.ops("sync_runs")} where mode = 'apply'`,
    );
    const kept = await verifiedBy(String(killedRun?.run_id));
    // The first batch's results survived the kill; the second batch (paid, not written) is the loss.
    expect(kept).toHaveLength(100);

    const again = await world.cli(["apply"]);
    expect([0, 1], describeRun(again)).toContain(again.code);
    const latest = await world.latestRun("apply");
    const second = await verifiedBy(String(latest?.run_id));
    expect(second.length).toBeGreaterThan(0);
    const keptSet = new Set(kept);
    expect(second.filter((e) => keptSet.has(e))).toEqual([]);
    // Credits re-spent because of the kill: at most the one batch whose results were lost.
    const sandboxVerifications = Object.entries(world.sandbox.stats().byRoute)
      .filter(([route]) => route.startsWith("POST /email-verification"))
      .reduce((n, [, v]) => n + v, 0);
    expect(sandboxVerifications).toBeGreaterThanOrEqual(kept.length + second.length);
    expect(sandboxVerifications).toBeLessThanOrEqual(kept.length + second.length + 100);
  }, 300_000);
});

/**
 * The same kill while pending answers are still being polled: every answer that came back, pending
 * ones included, was stored with its credit before the next batch went out, so the next apply asks
 * for those results (a GET) instead of paying again. What a kill can cost stays one batch.
 */
describe("e2e: killed while pending verifications are polled", () => {
  let world: World;

  beforeAll(async () => {
    world = await World.create({
      seed: 72,
      leads: 1500,
      vars: { inventory_cap: "1000", max_adds_per_run: "250", overfetch_multiplier: "1.2" },
      sandbox: { verification: { pendingRate: 1, pollsUntilFinal: 2, invalidRate: 0.05, catchAllRate: 0 } },
      slackSink: false,
    });
    await world.graph();
  });
  afterAll(async () => {
    await world?.close();
  });

  it("stores every pending answer and resumes it rather than buying it again", async () => {
    expect((await world.cli(["pull"])).code).toBe(0);
    await world.transform();
    const crashed = await world.cli(["apply"], { env: { ENGINE_CRASH_AT: "apply.after-poll#1" } });
    expect(killed(crashed), describeRun(crashed)).toBe(true);
    const rowsOf = async (runId: string) =>
      world.query<{ email: string; result: string; credits_used: number | null }>(
        `select email, result, credits_used from ${world.ops("email_verifications")} where run_id = '${runId}'`,
      );
    const [killedRun] = await world.query<{ run_id: string }>(
      `select run_id from ${world.ops("sync_runs")} where mode = 'apply'`,
    );
    const kept = await rowsOf(String(killedRun?.run_id));
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.every((r) => r.result === "pending" && Number(r.credits_used) === 1)).toBe(true);

    expect((await world.cli(["pull"])).code).toBe(0);
    await world.transform();
    const again = await world.cli(["apply"]);
    expect([0, 1], describeRun(again)).toContain(again.code);
    const latest = await world.latestRun("apply");
    const second = await rowsOf(String(latest?.run_id));
    const keptSet = new Set(kept.map((r) => r.email));
    const resumed = second.filter((r) => keptSet.has(r.email));
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((r) => Number(r.credits_used ?? 0) === 0)).toBe(true);
    // Credits bought over both runs: every address once, plus at most the batch the kill lost.
    const posts = Object.entries(world.sandbox.stats().byRoute)
      .filter(([route]) => route.startsWith("POST /email-verification"))
      .reduce((n, [, v]) => n + v, 0);
    const addresses = new Set([...kept, ...second].map((r) => r.email)).size;
    expect(posts).toBeGreaterThanOrEqual(addresses);
    expect(posts).toBeLessThanOrEqual(addresses + 100);
  }, 300_000);
});
