import type { ActionOp } from "./action-id.ts";
import type { ActionStateName } from "./states.ts";

/**
 * What an action's latest changelog state means for the next run of the same pull. Pure rules, shared
 * by apply (what to send again, how much room is left) and pull (what to reconcile).
 *
 * An "ambiguous" failure is one where the request may have been applied although we saw no success:
 * a 5xx or 408, a timeout, a reset connection, a partial bulk result (`unconfirmed`). For an add that
 * matters twice: re-sending it is pointless (the dedupe flag would skip it) and, worse, the lead may
 * already hold a slot. So such an add counts as possibly landed until the next pull shows the truth.
 */
export interface ActionState {
  op: ActionOp;
  state: ActionStateName;
  retryable: boolean | null;
  errorCode: string | null;
}

const AMBIGUOUS = new Set(["unconfirmed", "timeout", "connection_reset", "network_error"]);

export function isAmbiguousFailure(errorCode: string | null | undefined): boolean {
  if (!errorCode) return false;
  return AMBIGUOUS.has(errorCode) || /^http_(5\d\d|408)$/.test(errorCode);
}

/**
 * Done for this pull: not sent again by a retry of the same pull's apply. An `intent` counts as done
 * here: its outcome is unknown, and the next pull settles it against Instantly (sync/reconcile.ts);
 * sending it again within the pull would stack a second intent on the first. After that pull, the
 * transform's rule applies (definitions/outputs/drain_queue.sqlx queues again what is still unresolved
 * or failed and retryable). Only clear, retryable failures are retried here, and never an add that may
 * have landed (it may hold a slot: sending it again could overfill the cap).
 */
export function isSettled(prior: ActionState | undefined): boolean {
  if (!prior) return false;
  if (prior.state !== "failed") return true; // succeeded, rejected, invalid, skipped — and intent (unknown)
  if (prior.retryable === false) return true;
  return prior.op === "add" && isAmbiguousFailure(prior.errorCode);
}

/** An add that holds (or may hold) a slot in Instantly although no pull has seen it yet. */
export function mayHaveLanded(prior: ActionState): boolean {
  if (prior.op !== "add") return false;
  if (prior.state === "succeeded" || prior.state === "intent") return true;
  return prior.state === "failed" && isAmbiguousFailure(prior.errorCode);
}
