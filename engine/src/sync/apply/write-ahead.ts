import { ExitCode, UserError } from "../../core/errors.ts";
import type { PlannedAction } from "../../core/plan.ts";
import { type InstantlyOutcome, settle } from "../../instantly/index.ts";
import { crashPoint } from "../crash-points.ts";
import type { FinalEntry, Journal, VerificationRow } from "../journal.ts";
import type { Tally } from "../tally.ts";

/**
 * The one write-ahead sequence every operation uses (drain, block, verify, add):
 *
 *   crash point `apply.before-intents` → intent rows → `apply.after-intents` → the Instantly call →
 *   `apply.after-call` → outcome to final rows (verification results first) → final rows
 *   (`apply.mid-writeback` sits inside the journal's two appends)
 *
 * A kill anywhere leaves intents without finals at worst; the next pull settles them against what
 * Instantly holds. The crash tests kill the engine at each of these names.
 */

/** Where a phase's rows go: the run's journal, and the phase's own tally of the final rows it wrote. */
export interface Ledger {
  journal: Journal;
  tally: Tally;
}

export interface Settled {
  finals: FinalEntry[];
  /** verify only: results to store in email_verifications (credits already spent). */
  verifications?: VerificationRow[];
}

export async function writeAhead<T>(
  ledger: Ledger,
  actions: readonly PlannedAction[],
  call: () => Promise<T>,
  toFinals: (outcome: InstantlyOutcome<T>) => Settled,
): Promise<{ outcome: InstantlyOutcome<T>; finals: FinalEntry[] }> {
  crashPoint("apply.before-intents");
  await ledger.journal.intents(actions);
  crashPoint("apply.after-intents");
  const outcome = await settle(call());
  crashPoint("apply.after-call");
  const { finals, verifications } = toFinals(outcome);
  if (verifications) await ledger.journal.verifications(verifications);
  await writeFinals(ledger, finals);
  return { outcome, finals };
}

/** Final rows with no call behind them (a row dropped before its batch): written and counted. */
export async function writeFinals(ledger: Ledger, finals: readonly FinalEntry[]): Promise<void> {
  await ledger.journal.finals(finals);
  for (const f of finals) ledger.tally.record(f);
}

/** After a batch's finals are written: a fatal outcome aborts the run; a failed call stops the phase. */
export function continueAfter(outcome: InstantlyOutcome<unknown>): boolean {
  if (outcome.status === "fatal") throw fatalError(outcome);
  return outcome.status !== "failed";
}

/** The final row of one action whose call did not succeed. */
export function failedEntry(action: PlannedAction, outcome: InstantlyOutcome<unknown>): FinalEntry {
  switch (outcome.status) {
    case "rejected":
      return {
        action,
        state: "rejected",
        retryable: false,
        errorCode: outcome.code,
        httpStatus: outcome.httpStatus,
        message: outcome.message,
      };
    case "failed":
    case "fatal":
      return {
        action,
        state: "failed",
        retryable: outcome.status === "fatal" ? true : outcome.retryable,
        errorCode: outcome.code,
        httpStatus: outcome.httpStatus ?? null,
        message: outcome.message,
      };
    default:
      return { action, state: "failed", retryable: true, errorCode: "internal_error" };
  }
}

export function fatalError(outcome: InstantlyOutcome<unknown>): Error {
  const message = "message" in outcome ? outcome.message : "fatal error";
  return new UserError(message, { exitCode: ExitCode.failed });
}
