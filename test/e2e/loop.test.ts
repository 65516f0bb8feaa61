import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunStatus } from "../../engine/src/core/run-report.ts";
import { exitCodeFor } from "../../engine/src/core/run-status.ts";
import { describe as describeRun, noisyFaults, smallWorldVars, World } from "./harness.ts";
import { checkInvariants, formatViolations } from "./invariants.ts";

/**
 * The loop over simulated days, as CI runs it (`engine pull` → transform → `engine apply`), against a
 * sandbox that injects 429 bursts, 5xx, timeouts, connection resets and partial bulk results on every
 * call, with writes that sometimes land before the failure. Every invariant of test/e2e/invariants.ts is
 * checked after every pull and every apply. Deterministic: fixed seeds for the pool, the sandbox's
 * simulation and its fault stream.
 */
const DAYS = 7;
const ms = (r: { startedAt: Date; finishedAt: Date }) => r.finishedAt.getTime() - r.startedAt.getTime();

describe("e2e: pull → transform → apply over simulated days with random faults", () => {
  let world: World;

  beforeAll(async () => {
    world = await World.create({
      seed: 21,
      leads: 700,
      vars: smallWorldVars,
      unmanagedLeads: 6,
      unmanagedFromPool: 2,
      // Some verifications come back pending and are polled; most answer at once (polls wait >= 1 s).
      sandbox: { faults: noisyFaults, verification: { pendingRate: 0.1 } },
    });
    await world.graph();
  });
  afterAll(async () => {
    await world?.close();
  });

  it(`keeps every invariant after every run for ${DAYS} days`, async () => {
    const statuses: string[] = [];
    for (let day = 0; day < DAYS; day++) {
      const pull = await world.cli(["pull"]);
      expect(pull.code, describeRun(pull)).toBe(0);
      const afterPull = await checkInvariants(world, { afterPull: true });
      expect(afterPull, `day ${day} after pull:\n${formatViolations(afterPull)}`).toEqual([]);

      await world.transform();

      const apply = await world.cli(["apply"]);
      const run = await world.latestRun("apply");
      expect(run, describeRun(apply)).toBeDefined();
      statuses.push(run?.status ?? "none");
      expect(["succeeded", "partial"], describeRun(apply)).toContain(run?.status);
      expect(apply.code, describeRun(apply)).toBe(exitCodeFor(run?.status as RunStatus));
      const afterApply = await checkInvariants(world, { afterPull: false });
      expect(afterApply, `day ${day} after apply:\n${formatViolations(afterApply)}`).toEqual([]);

      if (process.env.E2E_VERBOSE)
        console.log(`day ${day}: pull ${ms(pull)} ms, apply ${ms(apply)} ms, ${run?.status}`);
      world.advance(1);
    }
    const last = await world.cli(["pull"]);
    expect(last.code, describeRun(last)).toBe(0);
    const final = await checkInvariants(world, { afterPull: true });
    expect(final, formatViolations(final)).toEqual([]);

    // The world really exercised the loop: faults were served, leads were added, sequences ended and
    // were drained for several reasons, and unsubscribes reached the block list.
    const stats = world.sandbox.stats();
    expect(stats.faults["5xx"]).toBeGreaterThan(0);
    expect(stats.faults.reset).toBeGreaterThan(0);
    expect(stats.faults.timeout).toBeGreaterThan(0);
    expect(stats.faults["partial-bulk"]).toBeGreaterThan(0);
    expect(stats.injected429).toBeGreaterThan(0);

    const ops = await world.query<{ op: string; reason: string | null; n: number }>(
      `with final as (
         select action_id, op, reason, state,
                row_number() over (partition by action_id order by recorded_at desc) as rn
         from ${world.ops("sync_changelog")})
       select op, reason, count(*)::integer as n from final where rn = 1 and state = 'succeeded'
       group by all order by op, reason`,
    );
    const count = (op: string, reason?: string) =>
      ops
        .filter((o) => o.op === op && (reason === undefined || o.reason === reason))
        .reduce((s, o) => s + o.n, 0);
    expect(count("add")).toBeGreaterThan(40);
    expect(count("drain")).toBeGreaterThan(10);
    expect(count("drain", "completed")).toBeGreaterThan(0);
    expect(count("drain", "unsubscribed")).toBeGreaterThan(0);
    expect(count("block")).toBeGreaterThan(0);
    expect(count("verify")).toBeGreaterThan(0);
    expect(statuses.length).toBe(DAYS);
  }, 600_000);
});
