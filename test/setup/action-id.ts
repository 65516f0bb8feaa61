import { createHash } from "node:crypto";
import type { ActionOp } from "../../engine/src/core/action-id.ts";

/**
 * Tests only: the action id formula of includes/sql.js `actionId` (lower-case hex MD5 of
 * `op|email|campaign_id|pull_run_id`, a missing part as ''), to build ids of fake intents and to check
 * the SQL's ids. The engine never mints ids: every action table carries them.
 */
export function actionId(
  op: ActionOp,
  email: string | null | undefined,
  campaignId: string | null | undefined,
  pullRunId: string | null | undefined,
): string {
  const text = [op, email ?? "", campaignId ?? "", pullRunId ?? ""].join("|");
  return createHash("md5").update(text, "utf8").digest("hex");
}
