import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAndCheck, crashWorld, expectCountsAddUp, killed, pullAndCheck } from "./crash-world.ts";
import { describe as describeRun, prng, type World } from "./harness.ts";
import { checkInvariants, formatViolations } from "./invariants.ts";

/**
 * SIGKILL at random moments of apply: a seeded random delay after the apply's first progress line
 * (so start-up time is not wasted), anywhere from the first drain batch to near the end of a typical run.
 * Where a kill lands varies with the machine's speed — which is the point: the invariants must hold
 * wherever it lands. Two kills per pulled snapshot (the second apply retries on the same action
 * tables), then pull, check everything (final states, changelog == Instantly), transform, repeat.
 */
describe("e2e: crash at random moments of apply, then pull + apply", () => {
  let world: World;
  // E2E_SEED replays another schedule of kill moments (a failure prints the invariants it broke).
  const random = prng(Number(process.env.E2E_SEED ?? 5150));

  beforeAll(async () => {
    world = await crashWorld(34);
  });
  afterAll(async () => {
    await world?.close();
  });

  it("recovers from every kill", async () => {
    await pullAndCheck(world, "initial pull");
    await world.transform();
    // How long an apply's work takes here, from its first progress line to its exit.
    const timing = await applyAndCheck(world, "timing run");
    const firstLine = /^(drain|block list|push):/m;
    const full = Math.max(
      200,
      timing.finishedAt.getTime() - (timing.firstOutputAt ?? timing.startedAt).getTime(),
    );
    let deaths = 0;
    let attempts = 0;
    // Four days of two kills each: eight random deaths, every one followed by the full invariant check.
    for (let i = 0; i < 4; i++) {
      world.advance(1);
      await pullAndCheck(world, `before random kills ${i}`);
      await world.transform();
      // Two kills per pull: the second apply is a retry of the first (as a CI re-run of the apply step
      // would be) on the same action tables, with the first one's intents still unresolved.
      for (let k = 0; k < 2; k++) {
        const delayMs = Math.round(full * 0.8 * random());
        const crashed = await world.cli(["apply"], { killAfterOutput: { pattern: firstLine, delayMs } });
        attempts++;
        if (process.env.E2E_VERBOSE) console.log(`kill ${i}.${k}: ${delayMs} ms, killed ${killed(crashed)}`);
        if (killed(crashed)) deaths++;
        else expect([0, 1], describeRun(crashed)).toContain(crashed.code);
        const v = await checkInvariants(world, { afterPull: false });
        expect(v, `after kill ${i}.${k}\n${formatViolations(v)}`).toEqual([]);
      }
    }
    await pullAndCheck(world, "after the last random kill");
    await world.transform();
    await applyAndCheck(world, "final apply");
    await pullAndCheck(world, "final pull");
    await expectCountsAddUp(world);
    expect(deaths).toBeGreaterThanOrEqual(attempts / 2);
  }, 600_000);
});
