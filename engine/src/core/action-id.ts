/**
 * The operations an action id belongs to. The ids themselves are minted only by the SQL
 * (includes/sql.js `actionId`: MD5 of `op|email|campaign_id|pull_run_id`) in drain_queue, block_queue
 * and push_queue (add and verify ids), so the reporting views' "latest state per action_id" covers
 * every row whoever wrote it.
 */
export type ActionOp = "add" | "drain" | "block" | "verify";

const OPS = new Set<string>(["add", "drain", "block", "verify"]);

/** An op read back from the warehouse; an unknown word is a broken contract, not a new op. */
export function parseActionOp(value: unknown): ActionOp {
  const text = String(value);
  if (!OPS.has(text)) throw new Error(`sync_changelog.op: unknown op ${JSON.stringify(text)}`);
  return text as ActionOp;
}
