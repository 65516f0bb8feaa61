import { randomBytes } from "node:crypto";

/**
 * Run ids: `<mode>-<UTC yyyymmddThhmmss>-<6 hex>` — sortable by time, readable in a dashboard, unique
 * across machines. The pull's run id is part of every action id (includes/sql.js `actionId`), so the same
 * lead gets a new action each pull and a retry within a pull keeps its id.
 */
export function newRunId(mode: "pull" | "plan" | "apply", now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${mode}-${stamp}-${randomBytes(3).toString("hex")}`;
}

/**
 * The link to the CI run: `CI_RUN_URL` when set, else GitHub Actions' own variables
 * (`GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID`), else none.
 */
export function ciRunUrl(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.CI_RUN_URL) return env.CI_RUN_URL;
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return undefined;
}
