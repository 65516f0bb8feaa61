import { ExitCode } from "./errors.ts";
import type { RunStatus } from "./run-report.ts";

/**
 * A run's status from what actually happened: `failed` on a fatal error (or a guard that
 * aborted the run), `partial` when any row ended `rejected` or `failed`, `succeeded` otherwise —
 * never `succeeded` with a failed row hidden inside (the "success that hides failed rows" complaint of
 * every reverse-ETL tool). `skipped` is for a run that did not act at all by design (lock held).
 */
export interface RunOutcomeInput {
  fatal: boolean;
  skipped?: boolean;
  /** Final changelog rows of this run, by state. */
  states: Partial<Record<string, number>>;
}

export function deriveRunStatus(input: RunOutcomeInput): RunStatus {
  if (input.fatal) return "failed";
  if (input.skipped) return "skipped";
  const bad = (input.states.rejected ?? 0) + (input.states.failed ?? 0);
  return bad > 0 ? "partial" : "succeeded";
}

/** The process exit code that tells CI the same thing as the status. */
export function exitCodeFor(status: RunStatus): number {
  switch (status) {
    case "succeeded":
      return ExitCode.ok;
    case "partial":
      return ExitCode.partial;
    case "failed":
      return ExitCode.failed;
    case "skipped":
      return ExitCode.locked;
  }
}
