import { startRowCounts } from "../apply-history.ts";
import { ciRunUrl } from "../run-id.ts";
import { UNFINISHED_ERROR, writeRunRow } from "../run-record.ts";
import { blockLeads } from "./block.ts";
import { alignClock, checkFreshness, preflight } from "./checks.ts";
import { createContext, type Preflight, type RunContext, type RunInputs } from "./context.ts";
import { drainLeads } from "./drain.ts";
import { notify } from "./notify.ts";
import { pushLeads } from "./push.ts";
import { recordRun, withWarnings } from "./record.ts";
import { addUp, type BlockResult, type DrainResult, fatalEnd, fatalOf, type PushResult } from "./results.ts";
import type { ApplyOptions, ApplyResult, Phase } from "./types.ts";

/**
 * `engine apply` / `engine plan`: execute what the SQL decided.
 *
 *   freshness  action tables from the latest COMPLETE pull (else refuse: stale), a plan from it too
 *   preflight  key works, campaigns exist; guards: inactive / bouncing campaigns get no adds, a drain
 *              over max_drain_fraction or an empty source stops the run (unless --force)
 *   drain      bulk delete per campaign; then the block list for unsubscribes
 *   push       waves in rank order: verify what needs it, re-check suppression, add in bulk, until
 *              the room is used (unknown outcomes count as landed)
 *   record     status, report, the final sync_runs row (and the plan, in plan mode)
 *   notify     run messages and alerts (apply mode; they never fail the run)
 *
 * Each phase returns what it did (results.ts); the report is built from those results. Every batch
 * is write-ahead (write-ahead.ts). `plan` runs this same code with a recording writer and journal:
 * nothing goes to Instantly, the intents become the plan file.
 */
export async function runApply(options: ApplyOptions): Promise<ApplyResult> {
  await alignClock(options.warehouse, options.log ?? (() => {}));
  const ctx = createContext(options);
  const inputs = await checkFreshness(ctx);
  if (ctx.mode === "apply") await writeStartRow(ctx, inputs);

  let pre: Preflight | undefined;
  let fatal: string | undefined;
  try {
    pre = await preflight(ctx, inputs);
    if (pre.guards.abort.length > 0) fatal = pre.guards.abort.join("; ");
  } catch (error) {
    fatal = fatalEnd(error).error;
  }
  const done = pre && fatal === undefined ? await act(ctx, inputs, pre) : { phaseMs: {} };

  const totals = addUp(done, done.phaseMs, [...inputs.warnings, ...(pre?.warnings ?? [])]);
  const recorded = await recordRun(ctx, inputs, pre, totals, fatal ?? done.fatal);
  if (ctx.mode !== "apply") return recorded;
  return withWarnings(recorded, await notify(options.onReport, recorded.report, pre));
}

/** What the acting phases returned, with their durations and the first fatal error among them. */
interface Done {
  drain?: DrainResult;
  block?: BlockResult;
  push?: PushResult;
  phaseMs: Partial<Record<Phase, number>>;
  fatal?: string;
}

/** drain → block → push, as --only allows; a fatal end stops the run there. */
async function act(ctx: RunContext, inputs: RunInputs, pre: Preflight): Promise<Done> {
  const done: Done = { phaseMs: {} };
  if (ctx.phases.drain) {
    await timed(done.phaseMs, "drain", async () => {
      done.drain = await drainLeads(ctx, inputs.prior, pre.drainRows);
      // A drain stopped by a failing API leaves the block list for the next run.
      if (done.drain.end.kind === "completed") done.block = await blockLeads(ctx, inputs.prior);
    });
    const fatal = fatalOf(done.drain?.end, done.block?.end);
    if (fatal !== undefined) return { ...done, fatal };
  }
  if (ctx.phases.push) {
    const push = await timed(done.phaseMs, "push", () =>
      pushLeads(ctx, {
        budget: inputs.budget,
        prior: inputs.prior,
        blocked: Object.keys(pre.guards.blockedCampaigns),
        drainsConfirmed: done.drain?.tally.count("drain", "succeeded") ?? 0,
      }),
    );
    const fatal = fatalOf(push.end);
    return { ...done, push, ...(fatal !== undefined ? { fatal } : {}) };
  }
  return done;
}

/**
 * The start row: a run killed before its final row still shows (as failed), and the next apply finds
 * its changelog rows (run-record.ts).
 */
async function writeStartRow(ctx: RunContext, inputs: RunInputs): Promise<void> {
  await writeRunRow(ctx.warehouse, {
    runId: ctx.runId,
    mode: "apply",
    startedAt: ctx.startedAt,
    finishedAt: null,
    status: "failed",
    error: UNFINISHED_ERROR,
    counts: startRowCounts(inputs.pull.runId, inputs.applyNumber),
    ciRunUrl: ciRunUrl(ctx.options.env),
  });
}

async function timed<T>(
  phaseMs: Partial<Record<Phase, number>>,
  phase: Phase,
  fn: () => Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  const result = await fn();
  phaseMs[phase] = Math.round(performance.now() - t0);
  return result;
}
