import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { type LocalWarehouse, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";

export const settings = loadSettings({ projectDir: repoRoot() });
export const leadsTable = `"${settings.vars.raw_dataset}"."${settings.vars.leads_table}"`;
export const dncTableName = `"${settings.vars.raw_dataset}"."${settings.vars.dnc_table}"`;
/** A fixed generation clock, so content hashes do not depend on the day the tests run. */
export const asOf = new Date("2026-01-15T00:00:00Z");

export function tempDir(prefix = "local-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function memoryWarehouse(): Promise<LocalWarehouse> {
  return openDuckDb(":memory:");
}

export async function rows(wh: LocalWarehouse, sql: string): Promise<Record<string, unknown>[]> {
  return (await wh.conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

export async function one(wh: LocalWarehouse, sql: string): Promise<Record<string, unknown>> {
  const [row] = await rows(wh, sql);
  if (!row) throw new Error(`no row from ${sql}`);
  return row;
}

/** Order-independent hash of a table's full contents (every column of every row). */
export async function contentHash(wh: LocalWarehouse, table: string): Promise<string> {
  const row = await one(
    wh,
    `SELECT md5(string_agg(t::VARCHAR, chr(10) ORDER BY t::VARCHAR)) AS h FROM ${table} t`,
  );
  return String(row.h);
}
