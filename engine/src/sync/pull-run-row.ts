import { now } from "../core/clock.ts";
import { safeMessage } from "../instantly/index.ts";
import { explainInstantlyError } from "./preflight.ts";
import { describeIncompletePull, isComplete, type PullCompleteness } from "./pull-completeness.ts";
import type { PullRun } from "./pull-types.ts";
import { ciRunUrl } from "./run-id.ts";
import { writeRunRow } from "./run-record.ts";

/**
 * The pull's sync_runs row. Written LAST, `succeeded` (or `partial` naming what is short): a pull
 * killed midway leaves snapshot rows but no such row, and apply refuses action tables computed from
 * it. A step that fails after the pull started writing records the pull `failed` instead.
 */
export async function writePullRow(
  run: PullRun,
  finishedAt: Date,
  completeness: PullCompleteness,
  counts: Record<string, unknown>,
): Promise<void> {
  const incomplete = describeIncompletePull(completeness);
  await writeRunRow(run.warehouse, {
    runId: run.runId,
    mode: "pull",
    startedAt: run.startedAt,
    finishedAt,
    status: isComplete(completeness) ? "succeeded" : "partial",
    ...(incomplete ? { error: incomplete } : {}),
    counts,
    ciRunUrl: ciRunUrl(run.env),
  });
}

/**
 * A step of the pull after it started writing: on any error the pull is recorded failed (with the
 * reason) and the error is rethrown as one clear message naming the step (`what`).
 */
export async function failOnError<T>(run: PullRun, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await recordFailedPull(run, what, error);
    return explainInstantlyError(error, run.client, what);
  }
}

/**
 * A pull that failed after it started writing: record it (status failed) so `engine status` and the
 * dashboard show it. Its snapshot rows stay (append-only) but apply never uses them: only a pull with
 * a succeeded row counts as complete. Best effort: the original error is what the user must see.
 */
async function recordFailedPull(run: PullRun, what: string, error: unknown): Promise<void> {
  try {
    await writeRunRow(run.warehouse, {
      runId: run.runId,
      mode: "pull",
      startedAt: run.startedAt,
      finishedAt: now(),
      status: "failed",
      error: safeMessage(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, 1000),
      ciRunUrl: ciRunUrl(run.env),
    });
  } catch {
    // the warehouse itself may be what failed
  }
}
