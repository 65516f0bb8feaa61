/**
 * The operations an action id belongs to. The ids themselves are minted only by the SQL
 * (includes/sql.js `actionId`: MD5 of `op|email|campaign_id|pull_run_id`) in drain_queue, block_queue
 * and push_queue (add and verify ids), so the reporting views' "latest state per action_id" covers
 * every row whoever wrote it.
 */
export type ActionOp = "add" | "drain" | "block" | "verify";
