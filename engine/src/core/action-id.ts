import { createHash } from "node:crypto";

/**
 * The deterministic id of one action: lower-case hex MD5 of `op|email|campaign_id|pull_run_id`, with a
 * missing part as the empty string. It is the SAME formula as `includes/sql.js` `actionId` (which the
 * SQL uses for `drain`/`add` rows), so ids the engine computes for the ops the SQL does not emit
 * (`block`, `verify`) live in the same key space, and the reporting views can take the latest state per
 * id whoever computed it. A test checks both formulas agree on DuckDB's `md5`.
 */
export type ActionOp = "add" | "drain" | "block" | "verify";

export function actionId(
  op: ActionOp,
  email: string | null | undefined,
  campaignId: string | null | undefined,
  pullRunId: string | null | undefined,
): string {
  const text = [op, email ?? "", campaignId ?? "", pullRunId ?? ""].join("|");
  return createHash("md5").update(text, "utf8").digest("hex");
}
