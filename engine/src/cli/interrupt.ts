import { now } from "../core/clock.ts";
import type { InstantlyClient } from "../instantly/index.ts";
import { UNFINISHED_ERROR, writeRunRow } from "../sync/run-record.ts";
import { parseJsonObject, readRuns } from "../sync/warehouse-reads.ts";
import { DuckDbWarehouse } from "../warehouse/duckdb-warehouse.ts";
import type { Warehouse } from "../warehouse/port.ts";

/**
 * Ctrl-C during a run that writes to Instantly: say what was done and what happens next, record the
 * apply as interrupted (not "killed or crashed"), then exit 130 (the shell's code for SIGINT). Nothing
 * more is needed to recover: every batch that went out has an intent row in sync_changelog first, and
 * the next `engine pull` settles it against Instantly.
 * Returns the function that removes the handler when the run ends normally.
 */
export function announceInterrupt(
  command: string,
  client: InstantlyClient,
  phases: () => string[],
  warehouse?: Warehouse,
): () => void {
  const installedAt = now();
  const onSignal = async () => {
    const ops = Object.entries(client.stats().operations)
      .filter(([, s]) => s.calls > 0)
      .map(([op, s]) => `${op} ${s.calls}`);
    const seen = phases();
    const done = seen.length > 0 ? seen.join(" → ") : "preflight only";
    const lines = [
      "",
      `${command} interrupted (Ctrl-C).`,
      `  done so far: ${done}; Instantly calls: ${ops.length > 0 ? ops.join(", ") : "none"}`,
      "  every batch sent was written ahead to sync_changelog: the next `engine pull` settles the rest",
      "  (then transform and apply again; nothing is sent twice).",
    ];
    process.stderr.write(`${lines.join("\n")}\n`);
    if (warehouse) {
      // Bounded: a second Ctrl-C or a stuck warehouse never keeps the process alive.
      // The write waits for the warehouse operation in flight (a batch's write-ahead rows), so allow
      // it some seconds on a loaded machine.
      const timeout = new Promise<void>((resolve) =>
        setTimeout(() => {
          process.stderr.write(
            "  could not record the run as interrupted in time; it shows as not finished\n",
          );
          resolve();
        }, 10_000).unref(),
      );
      const recorded = recordOnOwnConnection(warehouse, command, installedAt).then(
        (runId) => {
          process.stderr.write(
            runId
              ? `  recorded in sync_runs as interrupted: ${runId}\n`
              : "  no apply had started: nothing to record in sync_runs\n",
          );
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
          process.stderr.write(
            `  could not record the run as interrupted (${message}); it shows as not finished\n`,
          );
        },
      );
      await Promise.race([recorded, timeout]);
    }
    process.exit(130);
  };
  const handler = () => void onSignal();
  process.once("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}

/**
 * The apply is still running on the warehouse's connection while the handler runs: on DuckDB a query
 * of ours on that connection would cut its open stream (and its would cut ours), so the record is made
 * on a second connection of the same database. BigQuery calls are independent requests.
 */
async function recordOnOwnConnection(
  warehouse: Warehouse,
  command: string,
  since: Date,
): Promise<string | undefined> {
  if (!(warehouse instanceof DuckDbWarehouse)) return recordInterrupted(warehouse, command, since);
  const conn = await warehouse.local.instance.connect();
  try {
    const [table] = (
      await conn.runAndReadAll(
        "select table_schema from information_schema.tables where table_name = 'sync_runs' limit 1",
      )
    ).getRowObjectsJS();
    if (!table) return undefined;
    const runs = `"${String(table.table_schema)}"."sync_runs"`;
    const rows = (
      await conn.runAndReadAll(
        `select run_id, started_at, finished_at, error, cast(counts as varchar) as counts, ci_run_url
         from ${runs} where mode = 'apply'`,
      )
    ).getRowObjectsJS();
    const open = openRun(rows, since);
    if (!open) return undefined;
    const runId = String(open.run_id);
    await conn.run(
      `insert into ${runs} (run_id, mode, started_at, finished_at, status, counts, error, ci_run_url)
       values ($1, 'apply', cast($2 as timestamptz), cast($3 as timestamptz), 'failed', cast($4 as json), $5, ${
         typeof open.ci_run_url === "string" ? "$6" : "null"
       })`,
      [
        runId,
        new Date(time(open.started_at)).toISOString(),
        now().toISOString(),
        typeof open.counts === "string" ? open.counts : "{}",
        `${command} ${INTERRUPTED_ERROR}`,
        ...(typeof open.ci_run_url === "string" ? [open.ci_run_url] : []),
      ],
    );
    return runId;
  } finally {
    conn.closeSync();
  }
}

const time = (v: unknown) => (v instanceof Date ? v.getTime() : Date.parse(String(v)));

/** The newest apply start row since `since` without a final row: this process's run. */
function openRun(rows: Record<string, unknown>[], since: Date): Record<string, unknown> | undefined {
  const finished = new Set(rows.filter((r) => r.finished_at !== null).map((r) => String(r.run_id)));
  return rows
    .filter(
      (r) =>
        r.finished_at === null &&
        r.error === UNFINISHED_ERROR &&
        time(r.started_at) >= since.getTime() &&
        !finished.has(String(r.run_id)),
    )
    .sort((a, b) => time(b.started_at) - time(a.started_at))[0];
}

/** The error a Ctrl-C'd apply's final sync_runs row carries (`engine runs`, `engine show`). */
export const INTERRUPTED_ERROR = "interrupted (Ctrl-C); the next `engine pull` settles the batches it sent";

/**
 * Write the final sync_runs row of the apply this process started: the newest apply start row
 * (UNFINISHED_ERROR) started since `since` without a final row — this process holds the run lock, so
 * it is ours (an older one is a run that really crashed, and stays so). The row
 * keeps the start row's counts (the pull it acted on and its apply number, sync/apply-history.ts).
 * Returns the run id, or undefined when no apply had started (Ctrl-C during its checks).
 */
export async function recordInterrupted(
  warehouse: Warehouse,
  command: string,
  since: Date,
): Promise<string | undefined> {
  const open = openRun(await readRuns(warehouse, { mode: "apply" }), since);
  if (!open) return undefined;
  const runId = String(open.run_id);
  await writeRunRow(warehouse, {
    runId,
    mode: "apply",
    startedAt: new Date(time(open.started_at)),
    finishedAt: now(),
    status: "failed",
    counts: parseJsonObject(open.counts) ?? null,
    error: `${command} ${INTERRUPTED_ERROR}`,
    ...(typeof open.ci_run_url === "string" ? { ciRunUrl: open.ci_run_url } : {}),
  });
  return runId;
}
