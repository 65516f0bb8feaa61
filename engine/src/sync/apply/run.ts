import { UserError } from "../../core/errors.ts";
import { startRowCounts } from "../apply-history.ts";
import { ciRunUrl } from "../run-id.ts";
import { UNFINISHED_ERROR, writeRunRow } from "../run-record.ts";
import { blockLeads } from "./block.ts";
import { alignClock, checkFreshness, preflight } from "./checks.ts";
import { createContext, type Preflight, type RunContext } from "./context.ts";
import { drainLeads } from "./drain.ts";
import { describeFatal, finish } from "./finish.ts";
import { pushLeads } from "./push.ts";
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
 *   finish     status, report, sync_runs row, notifications
 *
 * Every batch is write-ahead (write-ahead.ts). `plan` runs this same code with a recording writer
 * and journal: nothing goes to Instantly, the intents become the plan file.
 */
export async function runApply(options: ApplyOptions): Promise<ApplyResult> {
  await alignClock(options.warehouse, options.log ?? (() => {}));
  const ctx = createContext(options);
  const inputs = await checkFreshness(ctx);
  if (ctx.mode === "apply") {
    await writeRunRow(ctx.warehouse, {
      runId: ctx.runId,
      mode: "apply",
      startedAt: ctx.startedAt,
      finishedAt: null,
      status: "failed",
      error: UNFINISHED_ERROR,
      counts: startRowCounts(inputs.pull.runId, inputs.applyNumber),
      ciRunUrl: ciRunUrl(options.env),
    });
  }
  let pre: Preflight | undefined;
  let fatal: string | undefined;
  try {
    pre = await preflight(ctx, inputs);
    const checked = pre;
    if (checked.guards.abort.length > 0) fatal = checked.guards.abort.join("; ");
    else {
      if (ctx.phases.drain) {
        await timed(ctx, "drain", async () => {
          if (await drainLeads(ctx, inputs, checked.drainRows)) await blockLeads(ctx, inputs);
        });
      }
      if (ctx.phases.push) await timed(ctx, "push", () => pushLeads(ctx, inputs, checked));
    }
  } catch (error) {
    fatal = describeFatal(error);
    if (!(error instanceof UserError) && process.env.ENGINE_DEBUG) console.error(error);
  }
  return finish(ctx, inputs, pre, fatal);
}

async function timed(ctx: RunContext, phase: Phase, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    ctx.progress.phaseMs[phase] = Math.round(performance.now() - t0);
  }
}
