import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isAmbiguousFailure } from "../../engine/src/core/action-state.ts";
import { resetClock } from "../../engine/src/core/clock.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { prng } from "./harness.ts";
import { type Base, openTrial, prepareBase, removeBase } from "./in-process.ts";
import { clockModeOf, startProcessClock } from "./process-clock.ts";

/**
 * Property: whatever the API does to an add — a 5xx, a reset or a timeout AFTER the write landed, a
 * bulk result that drops rows — Instantly never holds more than the cap after apply + pull. Each of
 * the 50 seeds draws its own fault schedule (rates and the sandbox's fault stream). The cap (16) is
 * below max_adds_per_run (100) and the candidates (56) are plenty, so the cap is what binds; adds go
 * out in batches of 4 so an ambiguous batch is followed by more. Each seed runs its apply and pull on
 * the real clock, on one pinned instant (ENGINE_CLOCK_START) or on clocks skewed up to two hours.
 */
const SEEDS = 50;
const CAP = 16;
let base: Base;

beforeAll(async () => {
  base = await prepareBase({ inventory_cap: String(CAP), max_adds_per_run: "100" }, 400);
}, 120_000);
afterAll(() => removeBase(base));

describe("the cap holds when adds fail ambiguously", () => {
  test(`${SEEDS} random fault schedules with writes that land before the failure`, async () => {
    let unknownTotal = 0;
    let landedBeyondConfirmed = 0;
    let filled = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = prng(seed * 7919);
      const faults = {
        rate5xx: 0.1 + 0.4 * r(),
        resetRate: 0.1 * r(),
        partialBulkRate: 0.4 * r(),
        appliedBeforeFailureRate: 0.5 + 0.5 * r(),
        paths: ["/leads/add"],
      };
      const trial = await openTrial(base, `cap-${seed}`, { faults });
      const clock = clockModeOf(seed);
      try {
        startProcessClock(clock, r);
        const result = await runApply({
          settings: trial.settings,
          warehouse: trial.warehouse,
          client: trial.client(),
          batchSizes: { add: 4 },
        });
        const context = `seed ${seed} (${clock} clock) faults ${JSON.stringify(faults)}: ${JSON.stringify(result.counts.by_op_state)}`;
        expect(["succeeded", "partial"], context).toContain(result.status);
        const held = trial.managedLeads().length;
        expect(held, context).toBeLessThanOrEqual(CAP);
        // Every add sent either landed, or was confirmed not to, or holds room as unknown.
        const confirmed = result.report.adds.added;
        expect(confirmed + Number(result.counts.adds_unknown), context).toBeLessThanOrEqual(CAP);
        unknownTotal += Number(result.counts.adds_unknown);
        landedBeyondConfirmed += held - confirmed;
        if (held === CAP) filled++;

        trial.sandbox.setFaults({ rate5xx: 0, resetRate: 0, partialBulkRate: 0 });
        startProcessClock(clock, r);
        const pull = await runPull({
          settings: trial.settings,
          warehouse: trial.warehouse,
          client: trial.client(),
        });
        expect(pull.leads, context).toBe(held);
        expect(trial.managedLeads().length, context).toBeLessThanOrEqual(CAP);
        // The pull settled every add: no intent and no unknown outcome is left, and what the changelog
        // calls added is exactly what Instantly holds.
        const latest = await trial.sql(
          `with latest as (
             select action_id, state, error_code, row_number() over (partition by action_id order by
               case when state = 'intent' then 1 else 0 end, recorded_at desc) as n
             from cold_email_ops.sync_changelog where op = 'add')
           select state, error_code from latest where n = 1`,
        );
        const unsettled = latest.filter(
          (x) => x.state === "intent" || (x.state === "failed" && isAmbiguousFailure(x.error_code as string)),
        );
        expect(unsettled, context).toEqual([]);
        expect(latest.filter((x) => x.state === "succeeded").length, context).toBe(held);
      } finally {
        resetClock();
        await trial.close();
      }
    }
    // The schedules really produced the case this test is about: unknown outcomes that had landed.
    expect(unknownTotal).toBeGreaterThan(0);
    expect(landedBeyondConfirmed).toBeGreaterThan(0);
    expect(filled).toBeGreaterThan(0);
  }, 600_000);
});
