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

  const phaseMs: Partial<Record<Phase, number>> = {};
  let pre: Preflight | undefined;
  let fatal: string | undefined;
  let drain: DrainResult | undefined;
  let block: BlockResult | undefined;
  let push: PushResult | undefined;
  try {
    pre = await preflight(ctx, inputs);
  } catch (error) {
    fatal = fatalEnd(error).error;
  }
  const checked = pre;
  if (checked && checked.guards.abort.length > 0) fatal = checked.guards.abort.join("; ");
  else if (checked) {
    if (ctx.phases.drain) {
      await timed(phaseMs, "drain", async () => {
        drain = await drainLeads(ctx, inputs.prior, checked.drainRows);
        if (drain.end.kind === "completed") block = await blockLeads(ctx, inputs.prior);
      });
      fatal = fatalOf(drain?.end, block?.end);
    }
    if (ctx.phases.push && fatal === undefined) {
      const drainsConfirmed = drain?.tally.count("drain", "succeeded") ?? 0;
      const blocked = Object.keys(checked.guards.blockedCampaigns);
      await timed(phaseMs, "push", async () => {
        push = await pushLeads(ctx, { budget: inputs.budget, prior: inputs.prior, blocked, drainsConfirmed });
      });
      fatal = fatalOf(push?.end);
    }
  }

  const totals = addUp({ drain, block, push }, phaseMs, [...inputs.warnings, ...(pre?.warnings ?? [])]);
  const recorded = await recordRun(ctx, inputs, pre, totals, fatal);
  if (ctx.mode !== "apply") return recorded;
  return withWarnings(recorded, await notify(options.onReport, recorded.report, pre));
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

async function timed(phaseMs: Partial<Record<Phase, number>>, phase: Phase, fn: () => Promise<void>) {
  const t0 = performance.now();
  await fn();
  phaseMs[phase] = Math.round(performance.now() - t0);
}
