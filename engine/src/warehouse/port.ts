import type { TableDef } from "./tables.ts";

/**
 * The engine's only view of a warehouse. The loop (pull, plan, apply) is written against this port,
 * so the DuckDB adapter (local, tests) and the BigQuery adapter (production) are interchangeable.
 * The port is deliberately small: read a table or view as a stream of batches, append rows to an
 * engine-owned table. All rules stay in SQL; the engine never asks the warehouse to decide anything.
 */

export type Row = Record<string, unknown>;

/** Which dataset (BigQuery) / schema (DuckDB) a relation lives in; names come from the settings vars. */
export type DatasetRole = "raw" | "ops" | "staging" | "output" | "reporting" | "assertions";

export interface RelationRef {
  dataset: DatasetRole;
  name: string;
}

export interface ReadOptions {
  /** Columns to read (default: all). */
  columns?: string[];
  /** Equality filters, ANDed. `null` means IS NULL; a list means IN (an empty list matches nothing). */
  where?: Record<string, string | number | boolean | null | readonly string[]>;
  /** Columns to order by, ascending (e.g. `["rank"]`). */
  orderBy?: string[];
  /** Rows per yielded batch (default 2,048). */
  batchSize?: number;
}

export interface Warehouse {
  readonly kind: "duckdb" | "bigquery";
  /** Create the datasets and the engine's tables if missing. Never drops or alters data. */
  ensureContract(): Promise<void>;
  /**
   * Stream a table or view in batches with bounded memory. Values are plain JS: INT64 → number,
   * TIMESTAMP → Date, JSON → parsed value, NULL → null.
   */
  read(ref: RelationRef, options?: ReadOptions): AsyncIterable<Row[]>;
  /** Whether a table or view exists. */
  exists(ref: RelationRef): Promise<boolean>;
  /**
   * Append rows to an engine-owned table. Rows are validated against the table definition first
   * (a missing required value or a wrong type throws, naming the table, column and row index, and
   * nothing is written).
   */
  append(table: TableDef, rows: Row[]): Promise<void>;
  close(): Promise<void>;
}
