import { closeSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { UserError } from "../core/errors.ts";

/**
 * Reading a team's CSV or Parquet file into a DuckDB temp table, with DuckDB's built-in readers
 * (both are statically linked; no extension is loaded). CSV is read with the sniffer OFF: the
 * header is parsed here and every column read as VARCHAR with strict quoting, because the sniffer
 * happily guesses a wrong dialect on a ragged file and returns zero rows instead of an error.
 * Column names are normalised (lower case, `[a-z0-9_]`) so `Email` or `Estimated Sales Yearly`
 * match the contract's `email` / `estimated_sales_yearly`.
 */

export type FileFormat = "csv" | "parquet";

export interface SourceColumn {
  /** The header as written in the file. */
  original: string;
  /** The normalised name used in the warehouse. */
  name: string;
  /** The DuckDB type read from the file (always VARCHAR for CSV). */
  type: string;
}

export interface StagedFile {
  table: string;
  format: FileFormat;
  rows: number;
  columns: SourceColumn[];
}

const quoteLiteral = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The format from `--format` or the file extension. */
export function detectFormat(file: string, explicit?: string): FileFormat {
  if (explicit !== undefined) {
    if (explicit === "csv" || explicit === "parquet") return explicit;
    throw new UserError(`--format must be csv or parquet, got ${JSON.stringify(explicit)}`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".tsv" || ext === ".txt") return "csv";
  if (ext === ".parquet" || ext === ".pq") return "parquet";
  throw new UserError(`cannot tell the format of ${file} from its extension ${JSON.stringify(ext)}`, {
    hint: "use a .csv, .tsv or .parquet file, or pass --format csv|parquet",
  });
}

/** Lower-case `[a-z0-9_]` identifier for a header cell (`column_<n>` when nothing is left). */
export function normaliseColumnName(original: string, index: number): string {
  let name = original
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (name === "") name = `column_${index + 1}`;
  if (/^[0-9]/.test(name)) name = `c_${name}`;
  return name;
}

/** A header cell shown in an error: never a value that looks like an address (a file without a header). */
export function safeHeader(original: string): string {
  return original.includes("@") ? "<a value with @>" : JSON.stringify(original);
}

/** Parse the first line of a CSV file: fields, and the delimiter it uses. */
export function readCsvHeader(file: string): { fields: string[]; delimiter: string } {
  const fd = openSync(file, "r");
  let text: string;
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    text = buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  const line = end === -1 ? text : text.slice(0, end);
  const counts = [",", ";", "\t", "|"].map((d) => [d, splitCsvLine(line, d).length] as const);
  const best = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const delimiter = path.extname(file).toLowerCase() === ".tsv" ? "\t" : best[1] > 1 ? best[0] : ",";
  return { fields: splitCsvLine(line, delimiter), delimiter };
}

function splitCsvLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(field);
      field = "";
    } else field += ch;
  }
  out.push(field);
  return out;
}

/**
 * DuckDB's CSV errors quote the offending line ("Original Line: ..."), which may hold an address:
 * keep only the line number and the column-count detail.
 */
export function sanitiseReaderError(message: string): string {
  const lines = message.split("\n").map((l) => l.trim());
  const kept = lines.filter(
    (l, i) =>
      (i === 0 && !/Original Line/i.test(l)) ||
      /^Expected Number of Columns/i.test(l) ||
      /not utf-8 encoded/i.test(l),
  );
  return kept.join("; ").replace(/^Invalid Input Error: /, "");
}

function checkColumns(originals: string[], file: string): SourceColumn[] {
  const seen = new Map<string, string>();
  return originals.map((original, i) => {
    const name = normaliseColumnName(original, i);
    const other = seen.get(name);
    if (other !== undefined) {
      throw new UserError(
        `${file}: columns ${safeHeader(other)} and ${safeHeader(original)} both map to ${JSON.stringify(name)}`,
        { hint: "rename or remove one of them (names are compared lower-cased, punctuation as _)" },
      );
    }
    if (name === "rowid") {
      throw new UserError(`${file}: the column name "rowid" is reserved`, { hint: "rename that column" });
    }
    seen.set(name, original);
    return { original, name, type: "VARCHAR" };
  });
}

/**
 * Read `file` into the temp table `table` (replaced if present), preserving file order in rowid,
 * with normalised column names. Throws a UserError for a missing, empty or unreadable file.
 */
export async function stageFile(
  conn: DuckDBConnection,
  file: string,
  format: FileFormat,
  table: string,
): Promise<StagedFile> {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error("not a file");
    size = stat.size;
  } catch {
    throw new UserError(`cannot read ${file}: no such file`, { hint: "check the path" });
  }
  if (size === 0) {
    throw new UserError(`${file} is empty (0 bytes)`, {
      hint: "the file needs a header row naming the columns and at least one data row",
    });
  }

  let select: string;
  let columns: SourceColumn[];
  if (format === "csv") {
    const { fields, delimiter } = readCsvHeader(file);
    columns = checkColumns(fields, file);
    const spec = columns.map((c) => `${quoteLiteral(c.name)}: 'VARCHAR'`).join(", ");
    select =
      `SELECT * FROM read_csv(${quoteLiteral(file)}, header = true, auto_detect = false, ` +
      `delim = ${quoteLiteral(delimiter)}, quote = '"', escape = '"', strict_mode = true, ` +
      `columns = {${spec}})`;
  } else {
    let described: Array<{ column_name: string; column_type: string }>;
    try {
      const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(file)})`);
      described = reader.getRowObjectsJS() as typeof described;
    } catch (cause) {
      throw new UserError(`cannot read ${file} as Parquet: ${sanitiseReaderError(String(cause))}`, {
        hint: "is it really a Parquet file? For a CSV file use a .csv name or --format csv",
        cause,
      });
    }
    columns = checkColumns(
      described.map((d) => d.column_name),
      file,
    ).map((c, i) => ({ ...c, type: described[i]?.column_type ?? "VARCHAR" }));
    const list = columns.map((c) => `${quoteIdent(c.original)} AS ${quoteIdent(c.name)}`).join(", ");
    select = `SELECT ${list} FROM read_parquet(${quoteLiteral(file)})`;
  }

  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} AS ${select}`);
  } catch (cause) {
    const detail = sanitiseReaderError(cause instanceof Error ? cause.message : String(cause));
    throw new UserError(`cannot read ${file} as ${format.toUpperCase()}: ${detail}`, {
      hint:
        format === "csv"
          ? 'every row needs as many fields as the header, quoted with " where a value holds the delimiter; the file must be UTF-8'
          : undefined,
      cause,
    });
  }
  const count = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${quoteIdent(table)}`);
  const rows = Number(count.getRowObjectsJS()[0]?.n ?? 0);
  return { table, format, rows, columns };
}
