import { now } from "../../core/clock.ts";
import { ExitCode, UserError } from "../../core/errors.ts";
import { PLAN_VERSION } from "../../core/plan.ts";
import { deriveRunStatus, exitCodeFor } from "../../core/run-status.ts";
import { InstantlyFatalError, safeMessage } from "../../instantly/index.ts";
import { crashPoint } from "../crash-points.ts";
import type { RecordingJournal } from "../journal.ts";
import { ciRunUrl } from "../run-id.ts";
import { writeRunRow } from "../run-record.ts";
import { readDrainCounts, readEligibleCount } from "../warehouse-reads.ts";
import type { Preflight, RunContext, RunInputs } from "./context.ts";
import { buildCounts, buildReport } from "./report.ts";
import type { ApplyResult } from "./types.ts";

/**
 * The end of every run, whatever happened: status from the final rows, the report, the plan (plan
 * mode), the final sync_runs row, then notifications (apply mode; they never fail the run).
 */
export async function finish(
  ctx: RunContext,
  inputs: RunInputs | undefined,
  pre: Preflight | undefined,
  fatal: string | undefined,
): Promise<ApplyResult> {
  const finishedAt = now();
  const status = deriveRunStatus({ fatal: fatal !== undefined, states: ctx.tally.states() });
  // Reporting counts are a nicety here, never a reason to fail the run.
  const eligibleBefore = await readEligibleCount(ctx.warehouse).catch(() => undefined);
  const drainCounts = await readDrainCounts(ctx.warehouse).catch(() => undefined);
  const results = {
    ctx,
    inputs,
    pre,
    status,
    finishedAt,
    fatal,
    eligibleBefore,
    drainCounts,
    ciRunUrl: ciRunUrl(ctx.options.env),
    statsNow: ctx.client.stats().totals,
  };
  const report = buildReport(results);
  const counts = buildCounts(results);
  const capacity = ctx.progress.capacity;
  const result: ApplyResult = {
    runId: ctx.runId,
    mode: ctx.mode,
    status,
    exitCode: exitCodeFor(status),
    report,
    counts,
    warnings: ctx.warnings,
    ...(fatal ? { error: fatal } : {}),
    ...(pre ? { guards: pre.guards } : {}),
    ...(capacity ? { capacity } : {}),
  };
  if (ctx.mode === "plan" && inputs) {
    result.plan = {
      version: PLAN_VERSION,
      plan_run_id: ctx.runId,
      pull_run_id: inputs.pull.runId,
      created_at: ctx.startedAt.toISOString(),
      managed_campaign_ids: [...ctx.settings.managedCampaignIds],
      only: ctx.options.only ?? null,
      capacity: { allowed: capacity?.allowed ?? 0, per_campaign: capacity?.perCampaign ?? {} },
      actions: (ctx.journal as RecordingJournal).actions,
    };
  }
  crashPoint("apply.before-run-row");
  try {
    await writeRunRow(ctx.warehouse, {
      runId: ctx.runId,
      mode: ctx.mode,
      startedAt: ctx.startedAt,
      finishedAt,
      status,
      counts,
      error: fatal ?? null,
      ciRunUrl: ciRunUrl(ctx.options.env),
    });
  } catch (error) {
    ctx.warnings.push(`could not write the sync_runs row: ${describeFatal(error)}`);
    if (status !== "failed") {
      result.status = "failed";
      result.exitCode = ExitCode.failed;
    }
  }
  if (ctx.mode === "apply" && ctx.options.onReport) {
    try {
      ctx.warnings.push(
        ...(await ctx.options.onReport(report, {
          campaigns: pre?.campaigns ?? [],
          health: pre?.health ?? [],
        })),
      );
    } catch (error) {
      ctx.warnings.push(`notification failed: ${describeFatal(error)}`);
    }
  }
  return result;
}

/** One line for a fatal error, free of secrets and PII. */
export function describeFatal(error: unknown): string {
  if (error instanceof InstantlyFatalError || error instanceof UserError) {
    return safeMessage(error.hint ? `${error.message} (${error.hint})` : error.message, 1000);
  }
  return safeMessage(
    error instanceof Error ? (error.message.split("\n")[0] ?? "error") : String(error),
    1000,
  );
}
