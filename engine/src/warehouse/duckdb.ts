import { mkdirSync } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Settings } from "../config/settings.ts";
import { ExitCode, UserError } from "../core/errors.ts";
import { registerCanonicalFunctions } from "../dataform/canonical-udf.ts";
import { describeLockHolder } from "./run-lock.ts";
import { duckCreateTable, opsTables, rawTables } from "./tables.ts";

/**
 * The embedded local warehouse: one DuckDB file (or `:memory:`). Extension autoload and autoinstall
 * are off so a stray function never tries to download an extension (the machines are offline and
 * the failure would be a slow, confusing network error instead of a clear Catalog Error).
 */
export interface LocalWarehouse {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  path: string;
  close(): void;
}

export const duckdbOptions = {
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
} as const;

/**
 * Bound DuckDB's memory for file-backed warehouses so a million-lead transform or seed spills to a
 * temp folder next to the file instead of growing with the input (DuckDB's default is 80% of RAM).
 * `ENGINE_DUCKDB_MEMORY_LIMIT` (e.g. `2GB`) overrides the default.
 */
export function memoryOptions(file: string): Record<string, string> {
  const limit = process.env.ENGINE_DUCKDB_MEMORY_LIMIT || "512MB";
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(limit)) {
    throw new UserError(
      `ENGINE_DUCKDB_MEMORY_LIMIT must look like 512MB or 2GB, got ${JSON.stringify(limit)}`,
    );
  }
  return { memory_limit: limit, temp_directory: `${file}.tmp` };
}

/** Open (creating if needed) the DuckDB file at `file`. A corrupt file gives a UserError naming it. */
export async function openDuckDb(file: string): Promise<LocalWarehouse> {
  const onDisk = file !== ":memory:";
  if (onDisk) mkdirSync(path.dirname(file), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, {
      ...duckdbOptions,
      ...(onDisk ? memoryOptions(file) : {}),
    });
  } catch (cause) {
    throw warehouseFailure(`cannot open the local warehouse ${file}`, file, cause);
  }
  const conn = await instance.connect();
  // Timestamps render and truncate in UTC, like BigQuery, whatever the machine's zone.
  await conn.run("SET GLOBAL TimeZone = 'UTC'");
  // The canonical email/DNC form (includes/canonical.js): views call it whenever they are read.
  registerCanonicalFunctions(conn);
  return {
    instance,
    conn,
    path: file,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

const DUCKDB_LOCK_CONFLICT = /Could not set lock on file .*?Conflicting lock is held in (.*?) \(PID (\d+)\)/;
const IO_FAILURE = /No space left on device|Permission denied|Read-only file system|Disk quota exceeded/i;

/**
 * The UserError for a DuckDB file that cannot be opened or used, with the hint that fits the cause:
 * held by another process → exit 4 naming the holder (DuckDB's own report plus our run lock's
 * record); a full disk or missing permission → fix that; only anything else suggests a damaged file.
 */
export function warehouseFailure(what: string, file: string, cause: unknown): UserError {
  const reason = (cause instanceof Error ? cause.message.split("\n")[0] : undefined) ?? String(cause);
  const conflict = DUCKDB_LOCK_CONFLICT.exec(reason);
  if (conflict) {
    const runHolder = describeLockHolder(`${file}.lock`);
    const holder = `${conflict[1]}, pid ${conflict[2]}${runHolder ? `; run lock: ${runHolder}` : ""}`;
    return new UserError(`the local warehouse ${file} is locked by another process (${holder})`, {
      hint: "wait for that process to finish, or stop it; the file itself is fine",
      exitCode: ExitCode.locked,
      cause,
    });
  }
  if (IO_FAILURE.test(reason)) {
    return new UserError(`${what}: ${reason}`, {
      hint: "free disk space or fix the permissions of the warehouse folder, then run again",
      cause,
    });
  }
  return new UserError(`${what}: ${reason}`, {
    hint: "if the file is damaged, move it away and run `engine seed` (or `engine load`) again",
    cause,
  });
}

/** Schema names by role, from the settings vars. */
export function schemaNames(settings: Settings) {
  const v = settings.vars;
  return {
    raw: v.raw_dataset,
    ops: v.ops_dataset,
    staging: v.staging_dataset,
    output: v.output_dataset,
    reporting: v.reporting_dataset,
  };
}

/**
 * Create the schemas and the input/ops tables of the warehouse contract if they are missing.
 * Idempotent; never drops or alters existing data.
 */
export async function ensureContract(conn: DuckDBConnection, settings: Settings): Promise<void> {
  const s = schemaNames(settings);
  const tableName = (name: string) =>
    name === "leads" ? settings.vars.leads_table : name === "dnc_list" ? settings.vars.dnc_table : name;
  const statements = [
    ...[...new Set(Object.values(s))].map((schema) => `CREATE SCHEMA IF NOT EXISTS "${schema}"`),
    ...rawTables.map((def) => duckCreateTable(def, s.raw, tableName(def.name))),
    ...opsTables.map((def) => duckCreateTable(def, s.ops)),
  ];
  // One round trip: every command start pays this, and each statement alone cost a few ms.
  await conn.run(statements.join(";\n"));
}

/** The raw input tables' schema and (var-renamable) names, and their quoted qualified form. */
export function rawTableNames(settings: Settings) {
  const schema = settings.vars.raw_dataset;
  const q = (table: string) => `"${schema}"."${table}"`;
  return {
    schema,
    leads: { schema, table: settings.vars.leads_table, qualified: q(settings.vars.leads_table) },
    dnc: { schema, table: settings.vars.dnc_table, qualified: q(settings.vars.dnc_table) },
  };
}

/** Column names of a table in order (empty when it does not exist). */
export async function tableColumns(
  conn: DuckDBConnection,
  schema: string,
  table: string,
): Promise<Array<{ name: string; type: string }>> {
  const reader = await conn.runAndReadAll(
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns
     WHERE table_schema = $schema AND table_name = $table ORDER BY ordinal_position`,
    { schema, table },
  );
  return reader.getRowObjectsJS() as Array<{ name: string; type: string }>;
}
