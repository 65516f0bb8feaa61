import type { DuckDBConnection } from "@duckdb/node-api";
import type { UnitTest } from "./graph.ts";

/**
 * Dataform `type: "test"` unit tests on DuckDB, compared the way the Dataform CLI compares them
 * (`runTest` in @dataform/cli): same row count, same column names (case-insensitive), then values
 * row by row. Values are compared as STRINGS: DuckDB types an integer literal INTEGER in one query
 * and BIGINT in another, which must not fail a test that BigQuery (one INT64) would pass.
 *
 * One deliberate leniency: when the rows only differ in order, the test passes. Neither engine
 * guarantees an order without ORDER BY, and DuckDB's parallel scans make it vary between runs.
 */
export interface UnitTestResult {
  ok: boolean;
  messages: string[];
}

export async function runUnitTest(
  conn: DuckDBConnection,
  test: UnitTest,
  norm: (sql: string) => string,
): Promise<UnitTestResult> {
  let actual: Row[];
  let expected: Row[];
  try {
    actual = await readRows(conn, norm(test.testQuery));
    expected = await readRows(conn, norm(test.expectedOutputQuery));
  } catch (error) {
    const message = error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
    return { ok: false, messages: [`Error thrown: ${message}.`] };
  }
  return compareRows(actual, expected);
}

type Row = Record<string, string | null>;

async function readRows(conn: DuckDBConnection, sql: string): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql);
  return (reader.getRowObjectsJson() as Record<string, unknown>[]).map((row) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(row)) out[k.toUpperCase()] = asString(v);
    return out;
  });
}

function asString(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The CLI's comparison (row count, column set, per-row values) on stringified values. */
export function compareRows(actual: Row[], expected: Row[]): UnitTestResult {
  if (actual.length !== expected.length) {
    return { ok: false, messages: [`Expected ${expected.length} rows, but saw ${actual.length} rows.`] };
  }
  if (actual.length === 0) return { ok: true, messages: [] };
  const actualColumns = Object.keys(actual[0] as Row);
  const expectedColumns = Object.keys(expected[0] as Row);
  const sameColumns =
    actualColumns.length === expectedColumns.length &&
    expectedColumns.every((c) => actualColumns.includes(c));
  if (!sameColumns) {
    return {
      ok: false,
      messages: [`Expected columns "${expectedColumns.join(",")}", but saw "${actualColumns.join(",")}".`],
    };
  }
  const inOrder = rowMessages(actual, expected, actualColumns);
  if (inOrder.length === 0) return { ok: true, messages: [] };
  const key = (r: Row) => JSON.stringify(actualColumns.map((c) => r[c] ?? null));
  const sortedActual = [...actual].sort((a, b) => key(a).localeCompare(key(b)));
  const sortedExpected = [...expected].sort((a, b) => key(a).localeCompare(key(b)));
  if (rowMessages(sortedActual, sortedExpected, actualColumns).length === 0)
    return { ok: true, messages: [] };
  return { ok: false, messages: inOrder };
}

function rowMessages(actual: Row[], expected: Row[], columns: string[]): string[] {
  const messages: string[] = [];
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as Row;
    const e = expected[i] as Row;
    for (const column of columns) {
      const av = a[column] ?? null;
      const ev = e[column] ?? null;
      if (ev === null && av !== null) {
        messages.push(`For row ${i} and column "${column}": expected null, but saw "${av}".`);
        break;
      }
      if (ev !== null && av === null) {
        messages.push(`For row ${i} and column "${column}": expected "${ev}", but saw null.`);
        break;
      }
      if (ev !== av) messages.push(`For row ${i} and column "${column}": expected "${ev}", but saw "${av}".`);
    }
  }
  return messages;
}
