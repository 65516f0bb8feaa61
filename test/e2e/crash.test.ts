import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRASH_POINTS } from "../../engine/src/sync/crash-points.ts";
import { applyAndCheck, crashWorld, expectCountsAddUp, killed, pullAndCheck } from "./crash-world.ts";
import { describe as describeRun, type World } from "./harness.ts";

/**
 * The engine process dies (SIGKILL: no finally, no flush) at every named crash point of apply
 * (engine/src/sync/crash-points.ts) — before a batch's intents, after them, after the Instantly call,
 * in the middle of the write-back, before the run row — on the first and on later batches, and at
 * every crash point of pull, all on ONE warehouse and ONE Instantly. After every death the next pull
 * must leave every action with a final state and the changelog in exact agreement with Instantly
 * (nothing duplicated or lost), and the next apply must carry on from there.
 */
describe("e2e: crash at every named point of pull and apply, then pull + apply", () => {
  let world: World;

  beforeAll(async () => {
    world = await crashWorld(33);
  });
  afterAll(async () => {
    await world?.close();
  });

  it("dies at each point and recovers without losing or duplicating a lead", async () => {
    // point#n = the n-th time the process passes that point (a later batch of the same run).
    const applyTargets = [
      "apply.before-intents#1",
      "apply.after-intents#1",
      "apply.after-call#1",
      "apply.mid-writeback#1",
      "apply.after-poll#1",
      "apply.before-run-row#1",
      "apply.after-intents#3",
      "apply.after-call#4",
      "apply.mid-writeback#3",
      "apply.before-intents#5",
    ];
    expect(new Set(applyTargets.map((t) => t.split("#")[0]))).toEqual(
      new Set(CRASH_POINTS.filter((p) => p.startsWith("apply."))),
    );
    let deaths = 0;
    await pullAndCheck(world, "initial pull");
    for (const [i, target] of applyTargets.entries()) {
      await world.transform();
      const crashed = await world.cli(["apply"], { env: { ENGINE_CRASH_AT: target } });
      // A point passed fewer than n times lets the apply finish: fine, just not a death.
      if (killed(crashed)) deaths++;
      else expect([0, 1], describeRun(crashed)).toContain(crashed.code);
      await pullAndCheck(world, `after a crash at ${target}`);
      if (i % 3 === 2) world.advance(1);
    }
    for (const point of CRASH_POINTS.filter((p) => p.startsWith("pull."))) {
      const crashed = await world.cli(["pull"], { env: { ENGINE_CRASH_AT: point } });
      expect(killed(crashed), describeRun(crashed)).toBe(true);
      deaths++;
      await pullAndCheck(world, `after a crash of pull at ${point}`);
      await world.transform();
      await applyAndCheck(world, `apply after a pull crash at ${point}`);
      world.advance(1);
    }
    await pullAndCheck(world, "final");
    await expectCountsAddUp(world);
    expect(deaths).toBeGreaterThanOrEqual(10);
  }, 600_000);
});
