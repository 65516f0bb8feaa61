import { mkdirSync } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Settings } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
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

/** Open (creating if needed) the DuckDB file at `file`. A corrupt file gives a UserError naming it. */
export async function openDuckDb(file: string): Promise<LocalWarehouse> {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, { ...duckdbOptions });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    throw new UserError(`cannot open the local warehouse ${file}: ${reason}`, {
      hint: "if the file is damaged, move it away and run `engine seed` (or `engine load`) again",
      cause,
    });
  }
  const conn = await instance.connect();
  // Timestamps render and truncate in UTC, like BigQuery, whatever the machine's zone.
  await conn.run("SET GLOBAL TimeZone = 'UTC'");
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
  for (const schema of new Set(Object.values(s))) {
    await conn.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  }
  const tableName = (name: string) =>
    name === "leads" ? settings.vars.leads_table : name === "dnc_list" ? settings.vars.dnc_table : name;
  for (const def of rawTables) await conn.run(duckCreateTable(def, s.raw, tableName(def.name)));
  for (const def of opsTables) await conn.run(duckCreateTable(def, s.ops));
}
