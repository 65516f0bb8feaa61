import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * DuckDB macros that give BigQuery's function-shaped built-ins their BigQuery meaning, so plain BigQuery
 * SQL in definitions/ runs on the local warehouse without a helper. Only constructs with FUNCTION-CALL
 * shape can be shimmed; anything with special syntax (SAFE_CAST, DATE_DIFF(..., DAY), STRUCT(... AS ...),
 * SELECT * EXCEPT, DECLARE) needs an includes/sql.js helper instead.
 *
 * The macros are created in the database's `main` schema (not TEMP), so views built by the runner keep
 * working from any later connection to the same file (a DuckDB view binds its functions when queried).
 * Registration is idempotent and cheap: a version macro records what is installed, and nothing is
 * rewritten unless the set below changes.
 */
export const SHIM_VERSION = 1;

/** `[name, definition]`: each becomes `CREATE OR REPLACE MACRO <definition>`. */
export const SHIM_MACROS: ReadonlyArray<readonly [string, string]> = [
  // CURRENT_TIMESTAMP() with parentheses is BigQuery-only; DuckDB's keyword form needs none.
  ["current_timestamp", "current_timestamp() AS get_current_timestamp()"],
  ["current_datetime", "current_datetime() AS CAST(get_current_timestamp() AS TIMESTAMP)"],
  ["timestamp_sub", "timestamp_sub(ts, i) AS ts - i"],
  ["timestamp_add", "timestamp_add(ts, i) AS ts + i"],
  ["datetime_sub", "datetime_sub(ts, i) AS ts - i"],
  ["datetime_add", "datetime_add(ts, i) AS ts + i"],
  ["generate_uuid", "generate_uuid() AS CAST(uuid() AS VARCHAR)"],
  // Partial match, like BigQuery (DuckDB's regexp_full_match would be a silent semantic change).
  ["regexp_contains", "regexp_contains(s, p) AS regexp_matches(s, p)"],
  // DuckDB's own json_value returns JSON text ("x" with quotes); BigQuery's returns the scalar string.
  ["json_value", "json_value(j, p) AS json_extract_string(j, p)"],
  ["safe_divide", "safe_divide(a, b) AS CASE WHEN b = 0 THEN NULL ELSE a / b END"],
  ["logical_and", "logical_and(x) AS bool_and(x)"],
  ["logical_or", "logical_or(x) AS bool_or(x)"],
  ["format_timestamp", "format_timestamp(f, ts) AS strftime(ts, f)"],
  ["format_date", "format_date(f, d) AS strftime(d, f)"],
  ["unix_seconds", "unix_seconds(ts) AS CAST(floor(epoch(ts)) AS BIGINT)"],
  ["unix_millis", "unix_millis(ts) AS epoch_ms(ts)"],
  ["to_json_string", "to_json_string(x) AS CAST(to_json(x) AS VARCHAR)"],
];

/** Register the shim macros and the FLOAT64 type alias on `conn`'s database. Safe to call repeatedly. */
export async function registerShims(conn: DuckDBConnection): Promise<void> {
  if ((await installedVersion(conn)) === SHIM_VERSION) return;
  await conn.run("CREATE TYPE IF NOT EXISTS FLOAT64 AS DOUBLE");
  for (const [, definition] of SHIM_MACROS) await conn.run(`CREATE OR REPLACE MACRO ${definition}`);
  await conn.run(`CREATE OR REPLACE MACRO engine_shim_version() AS ${SHIM_VERSION}`);
}

async function installedVersion(conn: DuckDBConnection): Promise<number | undefined> {
  const reader = await conn.runAndReadAll(
    "SELECT 1 FROM duckdb_functions() WHERE function_name = 'engine_shim_version' AND schema_name = 'main'",
  );
  if (reader.currentRowCount === 0) return undefined;
  const rows = (await conn.runAndReadAll("SELECT engine_shim_version() AS v")).getRowObjectsJS();
  return Number(rows[0]?.v);
}
