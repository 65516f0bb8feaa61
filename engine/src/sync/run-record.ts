import type { RunStatus } from "../core/run-report.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { syncRunsTable } from "../warehouse/tables.ts";

/**
 * sync_runs rows. An apply writes TWO: a start row (finished_at NULL, status `failed`, error "did not
 * finish") before it acts, and the final row at the end. The staging view keeps the row with the latest
 * finished_at, so a finished run shows its real status, and a run that was killed shows as failed
 * instead of vanishing — and the start row lets the next apply find that run's changelog rows.
 */
export const UNFINISHED_ERROR = "run did not finish (killed or crashed before its final sync_runs row)";

export interface RunRowInput {
  runId: string;
  mode: "pull" | "plan" | "apply";
  startedAt: Date;
  finishedAt: Date | null;
  status: RunStatus;
  counts?: unknown;
  error?: string | null;
  ciRunUrl?: string | undefined;
}

export async function writeRunRow(warehouse: Warehouse, input: RunRowInput): Promise<void> {
  await warehouse.append(syncRunsTable, [
    {
      run_id: input.runId,
      mode: input.mode,
      started_at: input.startedAt,
      finished_at: input.finishedAt,
      status: input.status,
      counts: input.counts ?? null,
      error: input.error ? input.error.slice(0, 1000) : null,
      ci_run_url: input.ciRunUrl ?? null,
    },
  ]);
}
