import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { warehousePath } from "../config/paths.ts";
import type { Settings } from "../config/settings.ts";
import { ExitCode, UserError } from "../core/errors.ts";
import { openWarehouse } from "../warehouse/open-warehouse.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { lockLoop } from "./lock.ts";

/**
 * How `engine status` (read-only) opens the warehouse: with the run lock when it is free (so a run
 * started meanwhile waits for a clean message, not a file error), and without it while a run holds
 * it: status reads anyway and says a run is in progress. The local DuckDB file admits one process at
 * a time, so status then never opens it: it reads a copy of the file (and its write-ahead log) taken
 * now, the run's figures as of its last write. BigQuery is read as it is.
 */
export interface StatusWarehouse {
  warehouse: Warehouse;
  /** Who holds the run (the lock's or DuckDB's words), or null when no run was in progress. */
  runInProgress: string | null;
  close(): Promise<void>;
}

const isLocked = (error: unknown) => error instanceof UserError && error.exitCode === ExitCode.locked;

export async function openForStatus(
  settings: Settings,
  kind: string | undefined,
  file: string = warehousePath(),
): Promise<StatusWarehouse> {
  let lock: { release(): void } | null = null;
  let runInProgress: string | null = null;
  try {
    lock = lockLoop(kind, "status", file);
  } catch (error) {
    if (!isLocked(error)) throw error;
    runInProgress = (error as Error).message.replace(/^another run holds the lock \((.*)\)$/, "$1");
  }
  const duckdb = (kind ?? "duckdb") === "duckdb";
  // Never open the file a run holds: status would lock the run out of its own warehouse.
  if (runInProgress !== null && duckdb) return openCopy(settings, file, runInProgress);
  try {
    const warehouse = await openWarehouse(settings, { kind, file });
    return {
      warehouse,
      runInProgress,
      async close() {
        await warehouse.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    if (!duckdb || !isLocked(error)) throw error;
    return openCopy(settings, file, runInProgress ?? (error as Error).message);
  }
}

/** Open a copy of the DuckDB file (and its .wal) a running process holds; removed on close. */
async function openCopy(settings: Settings, file: string, runInProgress: string): Promise<StatusWarehouse> {
  const dir = mkdtempSync(path.join(tmpdir(), "engine-status-"));
  const copy = path.join(dir, path.basename(file));
  try {
    copyFileSync(file, copy);
    if (existsSync(`${file}.wal`)) copyFileSync(`${file}.wal`, `${copy}.wal`);
    const warehouse = await openWarehouse(settings, { kind: "duckdb", file: copy });
    return {
      warehouse,
      runInProgress,
      async close() {
        await warehouse.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new UserError(
      `a run is in progress (${runInProgress}) and its warehouse ${file} cannot be read yet`,
      {
        hint: "run `engine status` again when the run has finished",
        exitCode: ExitCode.locked,
        cause: error,
      },
    );
  }
}
