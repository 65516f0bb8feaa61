import type { CapacityResult } from "../../core/capacity.ts";
import { UserError } from "../../core/errors.ts";
import type { RunReport } from "../../core/run-report.ts";
import { InstantlyFatalError, safeMessage } from "../../instantly/index.ts";
import { Tally } from "../tally.ts";
import type { Phase } from "./types.ts";

/**
 * What each apply phase did, returned to the orchestrator (run.ts), which adds them up for the
 * report and the sync_runs row. A phase changes nothing shared: it writes through the journal and
 * the writer and returns its counts, its final rows' tally and how it ended.
 */

/**
 * How a phase ended. `stopped`: the API is in trouble (a failed call, a batch refused whole, an open
 * circuit): the phase stops, the run goes on to record what it did. `fatal`: the run stops (a fatal
 * answer, a write that failed); the error is one line free of secrets and PII.
 */
export type PhaseEnd =
  | { kind: "completed" }
  | { kind: "stopped"; reason: "call_failed" | "batch_refused" | "circuit_open" }
  | { kind: "fatal"; error: string };

export const COMPLETED: PhaseEnd = { kind: "completed" };

/** A run's verification counts: the RunReport's, without the disposition text the report adds. */
export type VerificationCounts = Omit<RunReport["verification"], "failedDisposition">;

export const noVerifications = (): VerificationCounts => ({
  attempted: 0,
  verified: 0,
  invalid: 0,
  catchAll: 0,
  pending: 0,
  creditsUsed: 0,
});

export function addVerifications(a: VerificationCounts, b: VerificationCounts): VerificationCounts {
  return {
    attempted: a.attempted + b.attempted,
    verified: a.verified + b.verified,
    invalid: a.invalid + b.invalid,
    catchAll: a.catchAll + b.catchAll,
    pending: a.pending + b.pending,
    creditsUsed: a.creditsUsed + b.creditsUsed,
  };
}

export interface DrainResult {
  tally: Tally;
  /** Rows sent in delete calls. */
  attempted: number;
  warnings: string[];
  end: PhaseEnd;
}

export interface BlockResult {
  tally: Tally;
  end: PhaseEnd;
}

export interface PushResult {
  tally: Tally;
  /** The room this run had (absent when the phase failed before computing it). */
  capacity?: CapacityResult;
  addsAttempted: number;
  /** Adds sent whose outcome is unknown (ambiguous failure): they hold room until a pull settles them. */
  addsUnknown: number;
  /** Rows dropped right before their batch because the warehouse now suppresses them. */
  suppressedSinceTransform: number;
  verification: VerificationCounts;
  warnings: string[];
  end: PhaseEnd;
}

/** The phases' results added up: what the report and the sync_runs row are built from. */
export interface RunTotals {
  tally: Tally;
  drainsAttempted: number;
  addsAttempted: number;
  addsUnknown: number;
  suppressedSinceTransform: number;
  verification: VerificationCounts;
  capacity?: CapacityResult;
  phaseMs: Partial<Record<Phase, number>>;
  /** Warnings in the order the run raised them (checks, guards, drain, push). */
  warnings: string[];
}

export function addUp(
  done: { drain?: DrainResult; block?: BlockResult; push?: PushResult },
  phaseMs: Partial<Record<Phase, number>>,
  earlierWarnings: readonly string[],
): RunTotals {
  const { drain, block, push } = done;
  return {
    tally: Tally.sum([drain?.tally, block?.tally, push?.tally].filter((t) => t !== undefined)),
    drainsAttempted: drain?.attempted ?? 0,
    addsAttempted: push?.addsAttempted ?? 0,
    addsUnknown: push?.addsUnknown ?? 0,
    suppressedSinceTransform: push?.suppressedSinceTransform ?? 0,
    verification: push?.verification ?? noVerifications(),
    ...(push?.capacity ? { capacity: push.capacity } : {}),
    phaseMs,
    warnings: [...earlierWarnings, ...(drain?.warnings ?? []), ...(push?.warnings ?? [])],
  };
}

/** The first fatal end among the phases' results, as the run's error. */
export function fatalOf(...ends: (PhaseEnd | undefined)[]): string | undefined {
  for (const end of ends) if (end?.kind === "fatal") return end.error;
  return undefined;
}

/** A phase that threw: the run stops with one line naming why. */
export function fatalEnd(error: unknown): Extract<PhaseEnd, { kind: "fatal" }> {
  if (!(error instanceof UserError) && process.env.ENGINE_DEBUG) console.error(error);
  return { kind: "fatal", error: describeFatal(error) };
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
