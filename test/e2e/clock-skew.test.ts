import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { resetClock, setClock } from "../../engine/src/core/clock.ts";
import { transformLocal } from "../../engine/src/dataform/transform.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { prng } from "./harness.ts";
import { type Base, openTrial, prepareBase, removeBase, type Trial } from "./in-process.ts";

/**
 * The cap and late opt-outs (test/e2e/cap-ambiguity.test.ts, test/e2e/late-opt-out.test.ts) under
 * clocks that disagree between processes. Every "process" (a pull, an apply) gets its own clock before
 * it starts, as ENGINE_CLOCK_START or a machine's skew would give it: either one instant X for every
 * process (ENGINE_CLOCK_START exported once, the base pull included), or X shifted by up to two hours
 * either way. Per seed: apply, apply, pull, transform, apply, apply — with DNC entries appended before each
 * apply. Instantly never holds more than the cap, and no email suppressed when an apply starts is
 * added by it.
 */
const SEEDS = 12;
const CAP = 16;
const HOUR = 3_600_000;
// One instant for every process (ENGINE_CLOCK_START exported), a whole minute so stamps tie easily.
const X = Math.floor(Date.now() / 60_000) * 60_000;
let base: Base;

beforeAll(async () => {
  setClock(new Date(X));
  try {
    base = await prepareBase({ inventory_cap: String(CAP), max_adds_per_run: "100" }, 400);
  } finally {
    resetClock();
  }
}, 120_000);
afterAll(() => removeBase(base));
afterEach(() => resetClock());

async function optOut(trial: Trial, emails: string[]): Promise<void> {
  if (emails.length === 0) return;
  const values = emails
    .map((e) => `('${e.replaceAll("'", "''")}', 'email', 'late opt-out', 'test', now())`)
    .join(", ");
  await trial.sql(
    `insert into cold_email_raw.dnc_list (value, kind, reason, source, added_at) values ${values}`,
  );
}

describe("clocks that disagree between processes", () => {
  test(`${SEEDS} seeds: two applies, pull, transform, two applies, with skewed or pinned clocks`, async () => {
    let skewedRuns = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = prng(seed * 15_485_863);
      // Odd seeds: every process starts at X (ENGINE_CLOCK_START exported); even: X ± up to 2 h.
      const pinned = seed % 2 === 1;
      const clockOf = () => (pinned ? X : X + Math.round((r() * 4 - 2) * HOUR));
      const trial = await openTrial(base, `clock-${seed}`, { verification: { invalidRate: 0 } });
      const suppressed = new Set<string>();
      const context = (step: string) => `seed ${seed} (${pinned ? "pinned" : "skewed"}), ${step}`;
      const apply = async (step: string) => {
        // Opt-outs among the next candidates, appended before the run starts.
        const queue = (await trial.sql("select email from cold_email.push_queue order by rank")).map((x) =>
          String(x.email),
        );
        const held = new Set(trial.managedLeads().map((l) => String(l.email)));
        const late = queue.filter((e) => !held.has(e)).filter(() => r() < 0.25);
        await optOut(trial, late);
        for (const e of late) suppressed.add(e);
        const at = clockOf();
        if (at !== X) skewedRuns++;
        setClock(new Date(at));
        const result = await runApply({
          settings: trial.settings,
          warehouse: trial.warehouse,
          client: trial.client(),
          batchSizes: { add: 4 },
        });
        resetClock();
        expect(result.status, context(step)).toBe("succeeded");
        const after = trial.managedLeads().map((l) => String(l.email));
        expect(after.length, context(step)).toBeLessThanOrEqual(CAP);
        expect(
          after.filter((e) => !held.has(e) && suppressed.has(e)),
          context(step),
        ).toEqual([]);
        return after.length;
      };
      try {
        await apply("first apply");
        await apply("second apply of the first pull");
        setClock(new Date(clockOf()));
        await runPull({ settings: trial.settings, warehouse: trial.warehouse, client: trial.client() });
        resetClock();
        const transformed = await transformLocal({ settings: trial.settings, conn: trial.warehouse.conn });
        const failed = transformed.actions.filter((a) => a.status === "failed");
        expect(
          failed.map((a) => `${a.name}: ${a.error}`),
          context("transform"),
        ).toEqual([]);
        const [budget] = await trial.sql(
          "select b.pull_run_id, p.run_id from cold_email.push_budget b, cold_email_staging.stg_instantly_pulls p where p.is_latest",
        );
        expect(budget?.pull_run_id, context("transform")).toBe(budget?.run_id);
        await apply("first apply of the second pull");
        const held = await apply("second apply of the second pull");
        // The cap, not the queue, is what binds: the applies filled it.
        expect(held, context("last apply")).toBe(CAP);
      } finally {
        resetClock();
        await trial.close();
      }
    }
    expect(skewedRuns).toBeGreaterThan(SEEDS);
  }, 900_000);
});
