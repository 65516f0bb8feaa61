/**
 * The states an action's changelog rows take, written once (a leaf: no imports). `intent` is the
 * write-ahead row before a call; the final states follow it (engine/src/sync/apply/write-ahead.ts).
 * The SQL reads the same words (definitions/staging/stg_sync_action_state.sqlx).
 */
export const FINAL_STATES = ["succeeded", "rejected", "invalid", "skipped", "failed"] as const;

/** A final row's state: what became of the call. */
export type FinalState = (typeof FINAL_STATES)[number];

/** Any changelog row's state. */
export type ActionStateName = "intent" | FinalState;

const KNOWN = new Set<string>(["intent", ...FINAL_STATES]);

/** A state read back from the warehouse; an unknown word is a broken contract, not a new state. */
export function parseActionState(value: unknown): ActionStateName {
  const text = String(value);
  if (!KNOWN.has(text)) throw new Error(`sync_changelog.state: unknown state ${JSON.stringify(text)}`);
  return text as ActionStateName;
}
