import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { resetClock } from "../../engine/src/core/clock.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { prng } from "./harness.ts";
import { type Base, openTrial, prepareBase, removeBase, type Trial } from "./in-process.ts";
import { clockModeOf, startProcessClock } from "./process-clock.ts";

/**
 * Property: a do-not-contact entry that arrives AFTER the transform (between `dataform run` and
 * `engine apply`, or after `engine plan` and before `apply --plan`) is honoured: the email, or every
 * email of the domain, is never added. Such rows end `skipped` / `suppressed_since_transform` and take
 * no room: the run still fills its slots from the other candidates. 50 seeds; odd seeds go through a
 * plan file made before the opt-outs arrived; each seed runs its processes on the real clock, on one
 * pinned instant (ENGINE_CLOCK_START) or on clocks skewed up to two hours either way.
 */
const SEEDS = 50;
const CAP = 16;
let base: Base;

beforeAll(async () => {
  base = await prepareBase({ inventory_cap: String(CAP), max_adds_per_run: "100" }, 400);
}, 120_000);
afterAll(() => removeBase(base));

const domainOf = (email: string) => email.slice(email.indexOf("@") + 1);

/** Appends DNC rows the way another system would: raw values, mixed case and spacing. */
async function optOut(trial: Trial, emails: string[], domains: string[]): Promise<void> {
  const rows = [
    ...emails.map((e, i) => [i % 2 ? ` ${e.toUpperCase()} ` : e, "email"]),
    ...domains.map((d, i) => [i % 2 ? `@${d}` : d.toUpperCase(), "domain"]),
  ];
  if (rows.length === 0) return;
  const values = rows
    .map(([v, k]) => `('${String(v).replaceAll("'", "''")}', '${k}', 'late opt-out', 'test', now())`)
    .join(", ");
  await trial.sql(
    `insert into cold_email_raw.dnc_list (value, kind, reason, source, added_at) values ${values}`,
  );
}

describe("an opt-out that arrives after the transform is never pushed", () => {
  test(`${SEEDS} seeds: DNC emails and domains appended between transform (or plan) and apply`, async () => {
    let skippedTotal = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = prng(seed * 104_729);
      const trial = await openTrial(base, `dnc-${seed}`, { verification: { invalidRate: 0 } });
      const clock = clockModeOf(seed);
      try {
        const queue = (await trial.sql("select email from cold_email.push_queue order by rank")).map((x) =>
          String(x.email),
        );
        const [budget] = await trial.sql("select slots from cold_email.push_budget");
        const slots = Number(budget?.slots);
        const viaPlan = seed % 2 === 1;
        startProcessClock(clock, r);
        const planned = viaPlan
          ? await runApply({
              settings: trial.settings,
              warehouse: trial.warehouse,
              client: trial.client(),
              mode: "plan",
            })
          : undefined;
        // Opt-outs among the candidates the run would reach first, and a few whole domains.
        const reach = queue.slice(0, slots * 2);
        const emails = reach.filter(() => r() < 0.3);
        const domains = [...new Set(reach.filter(() => r() < 0.08).map(domainOf))];
        await optOut(trial, emails, domains);
        const dncEmails = new Set(emails);
        const dncDomains = new Set(domains);
        const isSuppressed = (e: string) => dncEmails.has(e) || dncDomains.has(domainOf(e));

        startProcessClock(clock, r);
        const result = await runApply({
          settings: trial.settings,
          warehouse: trial.warehouse,
          client: trial.client(),
          batchSizes: { add: 4 },
          ...(planned?.plan ? { plan: planned.plan } : {}),
        });
        const context = `seed ${seed} (${viaPlan ? "plan" : "apply"}, ${clock} clock): ${emails.length} email(s), ${domains.length} domain(s)`;
        expect(result.status, context).toBe("succeeded");
        const held = trial.managedLeads().map((l) => String(l.email));
        expect(held.filter(isSuppressed), context).toEqual([]);

        // Every suppressed candidate the run reached has its skipped row, and no intent was sent.
        const rows = await trial.sql(
          `select email, state, error_code from cold_email_ops.sync_changelog where run_id = '${result.runId}' and op = 'add'`,
        );
        const skipped = rows.filter((x) => x.error_code === "suppressed_since_transform");
        for (const x of skipped) {
          expect(x.state, context).toBe("skipped");
          expect(isSuppressed(String(x.email)), context).toBe(true);
        }
        expect(
          rows.filter((x) => x.state === "intent" && isSuppressed(String(x.email))),
          context,
        ).toEqual([]);
        skippedTotal += skipped.length;
        // They took no room: the run still filled its slots from the candidates left.
        const candidates = (
          planned?.plan?.actions.filter((a) => a.op === "add").map((a) => a.email) ?? queue
        ).filter((e) => !isSuppressed(e)).length;
        expect(result.report.adds.added, context).toBe(Math.min(slots, candidates));
        expect(held.length, context).toBe(result.report.adds.added);
      } finally {
        resetClock();
        await trial.close();
      }
    }
    expect(skippedTotal).toBeGreaterThan(SEEDS);
  }, 600_000);
});
