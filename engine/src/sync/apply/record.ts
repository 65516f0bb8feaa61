import { now } from "../../core/clock.ts";
import { ExitCode } from "../../core/errors.ts";
import { PLAN_VERSION } from "../../core/plan.ts";
import { deriveRunStatus, exitCodeFor } from "../../core/run-status.ts";
import { crashPoint } from "../crash-points.ts";
import type { RecordingJournal } from "../journal.ts";
import { ciRunUrl } from "../run-id.ts";
import { writeRunRow } from "../run-record.ts";
import { readDrainCounts, readEligibleCount } from "../warehouse-reads.ts";
import type { Preflight, RunContext, RunInputs } from "./context.ts";
import { buildCounts, buildReport } from "./report.ts";
import { describeFatal, type RunTotals } from "./results.ts";
import type { ApplyResult } from "./types.ts";

/**
 * The end of every run, whatever happened: status from the final rows, the report, the plan (plan
 * mode), the final sync_runs row. Notifications are the next step (notify.ts), not part of this one.
 */
export async function recordRun(
  ctx: RunContext,
  inputs: RunInputs | undefined,
  pre: Preflight | undefined,
  totals: RunTotals,
  fatal: string | undefined,
): Promise<ApplyResult> {
  const finishedAt = now();
  const status = deriveRunStatus({ fatal: fatal !== undefined, states: totals.tally.states() });
  // Reporting counts are a nicety here, never a reason to fail the run.
  const eligibleBefore = await readEligibleCount(ctx.warehouse).catch(() => undefined);
  const drainCounts = await readDrainCounts(ctx.warehouse).catch(() => undefined);
  const results = {
    ctx,
    inputs,
    pre,
    totals,
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
  const { capacity } = totals;
  const result: ApplyResult = {
    runId: ctx.runId,
    mode: ctx.mode,
    status,
    exitCode: exitCodeFor(status),
    report,
    counts,
    warnings: totals.warnings,
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
    const warning = `could not write the sync_runs row: ${describeFatal(error)}`;
    return {
      ...withWarnings(result, [warning]),
      ...(status !== "failed" ? { status: "failed", exitCode: ExitCode.failed } : {}),
    };
  }
  return result;
}

/**
 * The result with warnings raised after the run row was built (the row keeps the ones it was written
 * with); the result's counts carry the same list as its warnings.
 */
export function withWarnings(result: ApplyResult, more: readonly string[]): ApplyResult {
  if (more.length === 0) return result;
  const warnings = [...result.warnings, ...more];
  return { ...result, warnings, counts: { ...result.counts, warnings } };
}
