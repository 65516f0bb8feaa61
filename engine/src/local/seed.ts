import { type DuckDBAppender, type DuckDBConnection, DuckDBTimestampTZValue } from "@duckdb/node-api";
import type { Settings } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
import { ensureContract, rawTableNames, tableColumns } from "../warehouse/duckdb.ts";
import { dncTable, leadsTable, type TableDef } from "../warehouse/tables.ts";
import { inTransaction } from "../warehouse/transaction.ts";
import { type DncRow, type LeadRow, SyntheticData } from "./generate.ts";
import { defaultSeed, dncPerLead, startOfUtcDay } from "./seed-defaults.ts";

export { defaultSeed, dncPerLead, startOfUtcDay };

/**
 * `engine seed`: fill the raw leads and DNC tables with realistic synthetic data (see generate.ts
 * for what "realistic" means), streamed through the DuckDB appender so a million rows cost the
 * same memory as a thousand. Both tables are replaced in ONE transaction: a reader (or a crash)
 * sees either the old contents or the new, never a half-seeded warehouse.
 */

export interface SeedOptions {
  /** Lead rows to generate (default 300,000 in the CLI). */
  leads: number;
  /** DNC entries; default 4% of the leads (12,000 for 300,000), about the share a real list of 292k had (11.7k). */
  dnc?: number;
  /** PRNG seed (unsigned 32-bit integer, default 1): same seed and asOf = identical tables. */
  seed?: number;
  /**
   * The generation clock: updated_at lies in the two years before it. Default: today 00:00 UTC,
   * so dates look current and a seed is reproducible for the whole day; pass it to pin the data.
   */
  asOf?: Date;
  /** Called every 10,000 rows and at the end, with rows written so far (leads + DNC) and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  leads: number;
  dnc: number;
}

const progressEvery = 10_000;

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new UserError(`${name} must be a whole number between 0 and ${max}, got ${JSON.stringify(value)}`);
  }
}

export async function seedWarehouse(
  conn: DuckDBConnection,
  settings: Settings,
  opts: SeedOptions,
): Promise<SeedResult> {
  const leads = opts.leads;
  const dnc = opts.dnc ?? Math.round(leads * dncPerLead);
  const seed = opts.seed ?? defaultSeed;
  const asOf = opts.asOf ?? startOfUtcDay();
  checkCount("leads", leads, 100_000_000);
  checkCount("dnc", dnc, 100_000_000);
  checkCount("seed", seed, 0xffffffff);
  if (Number.isNaN(asOf.getTime())) throw new UserError("asOf is not a valid date");

  await ensureContract(conn, settings);
  const names = rawTableNames(settings);
  const leadExtras = await extraColumns(conn, leadsTable, names.schema, names.leads.table);
  const dncExtras = await extraColumns(conn, dncTable, names.schema, names.dnc.table);

  const data = new SyntheticData(seed, asOf.getTime(), { leads, dnc });
  const total = leads + dnc;
  let done = 0;
  /** Every 10,000 rows: report, and let timers (progress, RSS sampling, signals) run. */
  const checkpoint = async () => {
    opts.onProgress?.(done, total);
    await new Promise((resolve) => setImmediate(resolve));
  };

  await inTransaction(conn, async () => {
    await conn.run(`DELETE FROM ${names.leads.qualified}`);
    await conn.run(`DELETE FROM ${names.dnc.qualified}`);
    const leadAppender = await conn.createAppender(names.leads.table, names.schema);
    try {
      for (let i = 0; i < leads; i++) {
        appendLead(leadAppender, data.nextLead(), leadExtras);
        if (++done % progressEvery === 0) await checkpoint();
      }
    } finally {
      leadAppender.closeSync();
    }
    const dncAppender = await conn.createAppender(names.dnc.table, names.schema);
    try {
      for (const row of data.dncRows()) {
        appendDnc(dncAppender, row, dncExtras);
        if (++done % progressEvery === 0) await checkpoint();
      }
    } finally {
      dncAppender.closeSync();
    }
  });
  if (done % progressEvery !== 0) opts.onProgress?.(done, total);
  return { leads, dnc };
}

/**
 * How many columns the table has beyond the contract (e.g. custom columns an `engine load` added),
 * which the appender fills with NULL. A table whose first columns are not the contract's, in order,
 * cannot be appended to by position: refuse it rather than write values into the wrong columns.
 */
async function extraColumns(
  conn: DuckDBConnection,
  def: TableDef,
  schema: string,
  table: string,
): Promise<number> {
  const actual = (await tableColumns(conn, schema, table)).map((c) => c.name);
  const expected = def.columns.map((c) => c.name);
  const prefix = actual.slice(0, expected.length);
  if (prefix.join(",") !== expected.join(",")) {
    throw new UserError(
      `${schema}.${table} does not have the contract's columns in order (expected ${expected.join(", ")}; found ${actual.join(", ")})`,
      { hint: "seed into a fresh warehouse (ENGINE_WAREHOUSE=<new file>), or drop that table first" },
    );
  }
  return actual.length - expected.length;
}

function varcharOrNull(ap: DuckDBAppender, value: string | null): void {
  if (value === null) ap.appendNull();
  else ap.appendVarchar(value);
}

function doubleOrNull(ap: DuckDBAppender, value: number | null): void {
  if (value === null) ap.appendNull();
  else ap.appendDouble(value);
}

function bigintOrNull(ap: DuckDBAppender, value: number | null): void {
  if (value === null) ap.appendNull();
  else ap.appendBigInt(BigInt(value));
}

function timestampOrNull(ap: DuckDBAppender, ms: number | null): void {
  if (ms === null) ap.appendNull();
  else ap.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(ms) * 1000n));
}

/** Appends in the contract's column order (tables.ts leadsTable). */
function appendLead(ap: DuckDBAppender, r: LeadRow, extras: number): void {
  ap.appendVarchar(r.email);
  varcharOrNull(ap, r.first_name);
  varcharOrNull(ap, r.last_name);
  varcharOrNull(ap, r.merchant_name);
  varcharOrNull(ap, r.platform_domain);
  varcharOrNull(ap, r.state);
  varcharOrNull(ap, r.country_code);
  doubleOrNull(ap, r.estimated_sales_yearly);
  bigintOrNull(ap, r.employee_count);
  bigintOrNull(ap, r.product_count);
  doubleOrNull(ap, r.avg_price);
  timestampOrNull(ap, r.klaviyo_installed_at);
  varcharOrNull(ap, r.source);
  timestampOrNull(ap, r.updated_at);
  for (let i = 0; i < extras; i++) ap.appendNull();
  ap.endRow();
}

/** Appends in the contract's column order (tables.ts dncTable). */
function appendDnc(ap: DuckDBAppender, r: DncRow, extras: number): void {
  ap.appendVarchar(r.value);
  ap.appendVarchar(r.kind);
  varcharOrNull(ap, r.reason);
  varcharOrNull(ap, r.source);
  timestampOrNull(ap, r.added_at);
  for (let i = 0; i < extras; i++) ap.appendNull();
  ap.endRow();
}
