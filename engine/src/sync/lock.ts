import { mkdirSync } from "node:fs";
import path from "node:path";
import { projectDir, warehousePath } from "../config/paths.ts";
import { acquireRunLock, type RunLock, type RunLockOptions } from "../warehouse/run-lock.ts";

/**
 * The run lock for a warehouse: next to the DuckDB file locally (`<file>.lock`), or one project-level
 * lock for BigQuery runs started from this machine (CI relies on its concurrency group instead). An
 * in-memory warehouse belongs to one process and needs none.
 */
export function lockLoop(
  kind: string | undefined,
  command: string,
  file?: string,
  options: RunLockOptions = {},
): RunLock {
  const db = file ?? warehousePath();
  if ((kind ?? "duckdb") !== "bigquery" && db === ":memory:") return { file: db, release() {} };
  const target =
    (kind ?? "duckdb") === "bigquery" ? path.join(projectDir(), ".engine", "bigquery.lock") : `${db}.lock`;
  mkdirSync(path.dirname(target), { recursive: true });
  return acquireRunLock(target, command, options);
}
