import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Settings } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
import { ensureContract, rawTableNames } from "../warehouse/duckdb.ts";
import { type Column, dncTable, duckType, leadsTable, type TableDef } from "../warehouse/tables.ts";
import { inTransaction } from "../warehouse/transaction.ts";
import { type DncReading, readDncEntries } from "./dnc-reading.ts";
import { detectFormat, type FileFormat, quoteIdent, type SourceColumn, stageFile } from "./source-file.ts";

/**
 * `engine load leads|dnc <file>`: load a team's own CSV or Parquet file into the raw input tables.
 *
 * Order matters: the file is read into a temp table, EVERY check runs there (required columns,
 * each known column castable to its contract type, dnc.kind), and only then is the raw table
 * changed, in one transaction (ALTER for extra columns + DELETE unless appending + INSERT). A bad
 * file therefore changes nothing. Errors name the file, the column, the expected type, how many
 * values are bad and the first bad row number; they never quote a value, which may be an address.
 * The one exception: a DNC value that reads as neither an email nor a domain is quoted (cut to 80
 * characters) with its row (./dnc-reading.ts): it is no address, and the operator fixing the file at
 * the terminal must find it. It may still be a name, so nothing else stores or sends that message.
 *
 * Rows whose key (leads.email, dnc.value) is blank are skipped and counted, not loaded: exports
 * often carry contacts without an address, and no rule could use them. A file where every key is
 * blank is refused (a wrong column, most likely).
 *
 * Extra columns of a leads file are kept: they are added to the raw leads table as VARCHAR columns
 * so the SQL can send those the custom_variable_columns var lists as the lead's Instantly custom variables
 * (definitions/outputs/push_queue.sqlx `custom_variables`).
 * Extra columns of a DNC file are ignored and reported. Every DNC value is read in the canonical
 * form the rules use (./dnc-reading.ts); one that is neither an email nor a domain refuses the file.
 */

export interface LoadOptions {
  /** Add to the table's rows instead of replacing them. */
  append?: boolean;
  /** csv | parquet; default from the file extension. */
  format?: string;
  /**
   * Typed columns whose unreadable values (`$1,200,000`, `n/a`, `11-50` in a number column) are
   * loaded as empty (NULL) and counted, instead of refusing the file.
   */
  nullBad?: string[];
}

export interface LoadResult {
  /** schema.table that was loaded. */
  table: string;
  file: string;
  format: FileFormat;
  mode: "replace" | "append";
  /** Rows loaded from the file. */
  rows: number;
  /** Rows skipped because their email (leads) or value (dnc) is blank. */
  skippedRows: number;
  /** Data row number of the first skipped row (1 = first row after the header), or null. */
  firstSkippedRow: number | null;
  /** Rows the table held before (deleted when replacing). */
  previousRows: number;
  /** Rows in the table afterwards. */
  totalRows: number;
  /** Non-contract columns carried into the leads table as VARCHAR. */
  extraColumns: string[];
  /** Non-contract columns of a DNC file, not loaded. */
  ignoredColumns: string[];
  /** DNC files: how each entry was read (canonical value, kind, notation). */
  dnc?: DncReading;
  /** Per column named in `nullBad`: how many unreadable values were loaded as empty. */
  nulledValues: Record<string, number>;
}

const stagingTable = "__engine_load_source";

/** The column that identifies a row; a row where it is blank is skipped, not loaded. */
const keyColumn = { leads: "email", dnc: "value" } as const;

/** Human wording of what a contract type accepts, for error messages. */
const typeWords: Record<string, string> = {
  INT64: "a whole number",
  FLOAT64: "a number (plain digits, no currency sign or thousands separator)",
  TIMESTAMP: "a timestamp (e.g. 2024-05-01 or 2024-05-01T12:00:00Z)",
  BOOL: "true or false",
  DATE: "a date (YYYY-MM-DD)",
  STRING: "text",
  JSON: "JSON",
};

interface Check {
  /** SQL condition over the staging table that is true for a bad row. */
  bad: string;
  /** Set on a type check: the column whose values cannot be read as its type. */
  typeOf?: string;
  describe: (count: number, firstRow: number) => string;
}

/** Load a leads file (CSV or Parquet) into the raw leads table. */
export async function loadLeads(
  conn: DuckDBConnection,
  settings: Settings,
  file: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  return loadRawTable(conn, settings, "leads", file, options);
}

/** Load a do-not-contact file (value, kind = email|domain, ...) into the raw DNC table. */
export async function loadDnc(
  conn: DuckDBConnection,
  settings: Settings,
  file: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  return loadRawTable(conn, settings, "dnc", file, options);
}

async function loadRawTable(
  conn: DuckDBConnection,
  settings: Settings,
  which: "leads" | "dnc",
  fileArg: string,
  options: LoadOptions,
): Promise<LoadResult> {
  const file = path.resolve(fileArg);
  const def: TableDef = which === "leads" ? leadsTable : dncTable;
  const format = detectFormat(file, options.format);
  const target = rawTableNames(settings)[which];
  const label = `${which} file ${path.basename(file)}`;

  await ensureContract(conn, settings);
  try {
    const staged = await stageFile(conn, file, format, stagingTable);
    const byName = new Map(staged.columns.map((c) => [c.name, c]));
    const missing = def.columns.filter((c) => c.required && !byName.has(c.name)).map((c) => c.name);
    if (missing.length > 0) {
      const looksHeaderless = staged.columns.some((c) => c.original.includes("@"));
      throw new UserError(
        `${label} lacks the required column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}` +
          (looksHeaderless
            ? " (its first line looks like data, not a header)"
            : ` (found: ${staged.columns.map((c) => c.name).join(", ")})`),
        {
          hint: `the first line must name the columns; ${which} needs ${def.columns
            .filter((c) => c.required)
            .map((c) => c.name)
            .join(" and ")}, and may have ${def.columns
            .filter((c) => !c.required)
            .map((c) => c.name)
            .join(", ")}`,
        },
      );
    }
    if (staged.rows === 0) {
      throw new UserError(`${label} has a header but no data rows`, {
        hint: "nothing was loaded; the table keeps its previous rows",
      });
    }

    const key = keyColumn[which];
    const blankKey = `NULLIF(trim(CAST(${quoteIdent(key)} AS VARCHAR)), '') IS NULL`;
    const skipped = await skippedRows(conn, blankKey);
    if (skipped.count === staged.rows) {
      throw new UserError(
        `${label} has no row with ${key === "email" ? "an" : "a"} ${key}: the ${key} column is blank in all ${staged.rows} rows`,
        {
          hint: `is the right column named ${key}? Nothing was loaded; the table keeps its previous rows`,
        },
      );
    }

    const known = def.columns.filter((c) => byName.has(c.name));
    const nullBad = nullBadColumns(def, known, options.nullBad ?? [], label);
    const extras = staged.columns.filter((c) => !def.columns.some((d) => d.name === c.name));
    const checks = known
      .filter((c) => c.name !== key)
      .flatMap((c) => columnChecks(c, byName.get(c.name) as SourceColumn, format));
    if (which === "dnc") checks.push(kindCheck());
    const nulled = checks.filter((c) => c.typeOf !== undefined && nullBad.includes(c.typeOf));
    await runChecks(
      conn,
      label,
      checks.filter((c) => !nulled.includes(c)),
      format,
      blankKey,
    );
    // The insert's TRY_CAST (castExpr) loads these values as NULL; count them for the report.
    const nulledValues = await countBad(conn, nulled, blankKey);
    const dnc = which === "dnc" ? await readDncEntries(conn, stagingTable, blankKey, label) : undefined;

    const keptExtras = which === "leads" ? extras : [];
    const insertColumns = [
      ...known.map((c) => ({ name: c.name, expr: castExpr(c, byName.get(c.name) as SourceColumn, which) })),
      ...keptExtras.map((c) => ({ name: c.name, expr: `CAST(${quoteIdent(c.name)} AS VARCHAR)` })),
    ];
    const previousRows = await countRows(conn, target.qualified);
    try {
      await inTransaction(conn, async () => {
        for (const extra of keptExtras) {
          await conn.run(
            `ALTER TABLE ${target.qualified} ADD COLUMN IF NOT EXISTS ${quoteIdent(extra.name)} VARCHAR`,
          );
        }
        if (!options.append) await conn.run(`DELETE FROM ${target.qualified}`);
        await conn.run(
          `INSERT INTO ${target.qualified} (${insertColumns.map((c) => quoteIdent(c.name)).join(", ")}) ` +
            `SELECT ${insertColumns.map((c) => c.expr).join(", ")} FROM ${quoteIdent(stagingTable)} WHERE NOT (${blankKey}) ORDER BY rowid`,
        );
      });
    } catch (cause) {
      if (cause instanceof UserError) throw cause;
      // E.g. a column of the team's own table has another type than the file's values.
      throw new UserError(
        `writing ${label} into ${target.schema}.${target.table} failed; nothing was changed: ${redact(cause)}`,
        {
          hint: "check the types of the table's columns against the file's columns",
          cause,
        },
      );
    }
    return {
      table: `${target.schema}.${target.table}`,
      file,
      format,
      mode: options.append ? "append" : "replace",
      rows: staged.rows - skipped.count,
      skippedRows: skipped.count,
      firstSkippedRow: skipped.first,
      previousRows,
      totalRows: await countRows(conn, target.qualified),
      extraColumns: keptExtras.map((c) => c.name),
      ignoredColumns: which === "dnc" ? extras.map((c) => c.name) : [],
      ...(dnc ? { dnc } : {}),
      nulledValues,
    };
  } finally {
    await conn.run(`DROP TABLE IF EXISTS temp.${quoteIdent(stagingTable)}`);
  }
}

/** A DuckDB error's first line with quoted literals removed (they may be a row's values). */
function redact(cause: unknown): string {
  const first = (cause instanceof Error ? cause.message : String(cause)).split("\n")[0] ?? "";
  return first.replace(/'[^']*'/g, "'…'").replace(/"[^"]*"/g, '"…"');
}

async function skippedRows(conn: DuckDBConnection, blankKey: string) {
  const reader = await conn.runAndReadAll(
    `SELECT count(*)::BIGINT AS n, min(rowid) AS r FROM ${quoteIdent(stagingTable)} WHERE ${blankKey}`,
  );
  const row = reader.getRowObjectsJS()[0] ?? {};
  const count = Number(row.n ?? 0);
  return { count, first: count > 0 ? Number(row.r) + 1 : null };
}

async function countRows(conn: DuckDBConnection, qualified: string): Promise<number> {
  const reader = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${qualified}`);
  return Number(reader.getRowObjectsJS()[0]?.n ?? 0);
}

/** The value of a source column as SQL: blank text counts as missing for typed columns. */
function valueExpr(source: SourceColumn): string {
  const id = quoteIdent(source.name);
  return source.type === "VARCHAR" ? `NULLIF(trim(${id}), '')` : id;
}

function castExpr(column: Column, source: SourceColumn, which: "leads" | "dnc"): string {
  if (which === "dnc" && column.name === "kind") return `lower(trim(${quoteIdent(source.name)}))`;
  if (column.type === "STRING") return `CAST(${quoteIdent(source.name)} AS VARCHAR)`;
  return `TRY_CAST(${valueExpr(source)} AS ${duckType(column.type)})`;
}

function columnChecks(column: Column, source: SourceColumn, format: FileFormat): Check[] {
  const checks: Check[] = [];
  const where = (count: number, row: number) =>
    `${count} row${count === 1 ? "" : "s"}, first at data row ${row}${format === "csv" ? ` (line ${row + 1})` : ""}`;
  if (column.required) {
    checks.push({
      bad: `NULLIF(trim(CAST(${quoteIdent(source.name)} AS VARCHAR)), '') IS NULL`,
      describe: (n, row) => `column ${column.name} is required but empty in ${where(n, row)}`,
    });
  }
  if (column.type !== "STRING") {
    const value = valueExpr(source);
    checks.push({
      typeOf: column.name,
      bad: `${value} IS NOT NULL AND TRY_CAST(${value} AS ${duckType(column.type)}) IS NULL`,
      describe: (n, row) =>
        `column ${column.name} must be ${column.type} (${typeWords[column.type]}): ` +
        `${n} value${n === 1 ? "" : "s"} cannot be read as one, ${where(n, row).replace(/^\d+ rows?, /, "")}`,
    });
  }
  return checks;
}

/**
 * The `--null-bad` columns, checked: each must be a typed (non-text) column of the table that is in
 * the file. Text columns take any value, so there is nothing to load as empty.
 */
function nullBadColumns(def: TableDef, known: Column[], names: string[], label: string): string[] {
  const typed = def.columns.filter((c) => c.type !== "STRING").map((c) => c.name);
  for (const name of names) {
    if (!typed.includes(name)) {
      throw new UserError(
        `--null-bad names ${JSON.stringify(name)}, which is no typed column of ${def.name}`,
        {
          hint: `--null-bad takes a comma list of: ${typed.join(", ")}`,
        },
      );
    }
    if (!known.some((c) => c.name === name)) {
      throw new UserError(`--null-bad names ${name}, but ${label} has no ${name} column`, {
        hint: "drop it from --null-bad, or check the file's header",
      });
    }
  }
  return names;
}

/** How many rows fail each check, by the check's column (one scan). */
async function countBad(
  conn: DuckDBConnection,
  checks: Check[],
  skip: string,
): Promise<Record<string, number>> {
  if (checks.length === 0) return {};
  const selects = checks.map((c, i) => `count(*) FILTER (WHERE ${c.bad})::BIGINT AS n${i}`);
  const reader = await conn.runAndReadAll(
    `SELECT ${selects.join(", ")} FROM ${quoteIdent(stagingTable)} WHERE NOT (${skip})`,
  );
  const row = reader.getRowObjectsJS()[0] ?? {};
  return Object.fromEntries(checks.map((c, i) => [c.typeOf ?? "", Number(row[`n${i}`] ?? 0)]));
}

function kindCheck(): Check {
  return {
    bad: `lower(trim(${quoteIdent("kind")})) NOT IN ('email', 'domain')`,
    describe: (n, row) =>
      `column kind must be email or domain: ${n} row${n === 1 ? " has" : "s have"} another value, first at data row ${row}`,
  };
}

/** Run every check in one scan; throw one UserError listing each failed check. */
async function runChecks(
  conn: DuckDBConnection,
  label: string,
  checks: Check[],
  format: FileFormat,
  skip: string,
) {
  if (checks.length === 0) return;
  const selects = checks.flatMap((c, i) => [
    `count(*) FILTER (WHERE ${c.bad}) AS n${i}`,
    `min(rowid) FILTER (WHERE ${c.bad}) AS r${i}`,
  ]);
  const reader = await conn.runAndReadAll(
    `SELECT ${selects.join(", ")} FROM ${quoteIdent(stagingTable)} WHERE NOT (${skip})`,
  );
  const row = reader.getRowObjectsJS()[0] ?? {};
  const problems: string[] = [];
  const unreadable: string[] = [];
  checks.forEach((c, i) => {
    const n = Number(row[`n${i}`] ?? 0);
    if (n > 0) problems.push(c.describe(n, Number(row[`r${i}`]) + 1));
    if (n > 0 && c.typeOf !== undefined) unreadable.push(c.typeOf);
  });
  if (problems.length > 0) {
    const orEmpty =
      unreadable.length > 0 ? `, or load them as empty with --null-bad ${unreadable.join(",")}` : "";
    throw new UserError(`${label} was not loaded: ${problems.join("; ")}`, {
      hint:
        `fix those rows (data row 1 is the first row after the header${format === "csv" ? ", on line 2" : ""}) ` +
        `and load again${orEmpty}; the table keeps its previous rows`,
    });
  }
}
