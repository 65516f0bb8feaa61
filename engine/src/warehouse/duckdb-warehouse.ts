import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBTimestampTZValue,
  type DuckDBType,
  DuckDBTypeId,
} from "@duckdb/node-api";
import type { Settings } from "../config/settings.ts";
import { ensureContract, type LocalWarehouse, openDuckDb } from "./duckdb.ts";
import type { DatasetRole, ReadOptions, RelationRef, Row, Warehouse } from "./port.ts";
import type { ColumnType, TableDef } from "./tables.ts";
import { inTransaction } from "./transaction.ts";
import { validateRows } from "./validate-rows.ts";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoteIdent(name: string): string {
  if (!IDENT.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** Dataset role → schema name, from the settings vars (one place, shared with the BigQuery adapter). */
export function datasetName(settings: Settings, role: DatasetRole): string {
  const v = settings.vars;
  switch (role) {
    case "raw":
      return v.raw_dataset;
    case "ops":
      return v.ops_dataset;
    case "staging":
      return v.staging_dataset;
    case "output":
      return v.output_dataset;
    case "reporting":
      return v.reporting_dataset;
    case "assertions":
      return settings.assertionDataset;
  }
}

/**
 * The embedded DuckDB implementation of the warehouse port: reads stream through DuckDB's chunked
 * result (memory stays flat however large the table), appends go through the appender (the fast path,
 * about 400k rows/s on these machines) inside a transaction so a failed batch leaves nothing behind.
 */
export class DuckDbWarehouse implements Warehouse {
  readonly kind = "duckdb" as const;

  private constructor(
    readonly local: LocalWarehouse,
    private readonly settings: Settings,
  ) {}

  static async open(file: string, settings: Settings): Promise<DuckDbWarehouse> {
    return new DuckDbWarehouse(await openDuckDb(file), settings);
  }

  get conn(): DuckDBConnection {
    return this.local.conn;
  }

  async ensureContract(): Promise<void> {
    await ensureContract(this.conn, this.settings);
  }

  private relation(ref: RelationRef): string {
    return `${quoteIdent(datasetName(this.settings, ref.dataset))}.${quoteIdent(ref.name)}`;
  }

  async exists(ref: RelationRef): Promise<boolean> {
    const result = await this.conn.runAndReadAll(
      "select count(*)::integer as n from information_schema.tables where table_schema = $1 and table_name = $2",
      [datasetName(this.settings, ref.dataset), ref.name],
    );
    return Number(result.getRowObjectsJS()[0]?.n ?? 0) > 0;
  }

  async *read(ref: RelationRef, options: ReadOptions = {}): AsyncIterable<Row[]> {
    const columns = options.columns?.map(quoteIdent).join(", ") ?? "*";
    const params: (string | number | boolean)[] = [];
    const conditions = Object.entries(options.where ?? {}).map(([column, value]) => {
      if (value === null) return `${quoteIdent(column)} is null`;
      if (Array.isArray(value)) {
        if (value.length === 0) return "false";
        const first = params.length + 1;
        params.push(...value);
        return `${quoteIdent(column)} in (${value.map((_, i) => `$${first + i}`).join(", ")})`;
      }
      params.push(value as string | number | boolean);
      return `${quoteIdent(column)} = $${params.length}`;
    });
    const where = conditions.length > 0 ? ` where ${conditions.join(" and ")}` : "";
    const order = options.orderBy?.length ? ` order by ${options.orderBy.map(quoteIdent).join(", ")}` : "";
    const result = await this.conn.stream(
      `select ${columns} from ${this.relation(ref)}${where}${order}`,
      params,
    );
    const names = result.columnNames();
    const types = result.columnTypes();
    const batchSize = options.batchSize ?? 2048;
    let batch: Row[] = [];
    for await (const rows of result.yieldRowObjectJs()) {
      for (const raw of rows) {
        const row: Row = {};
        names.forEach((name, i) => {
          row[name] = toPlain(raw[name], types[i]);
        });
        batch.push(row);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }

  async append(table: TableDef, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    validateRows(table, rows);
    const schema = datasetName(this.settings, table.dataset);
    await inTransaction(this.conn, async () => {
      const appender = await this.conn.createAppender(table.name, schema);
      try {
        for (const row of rows) {
          for (const column of table.columns) appendValue(appender, column.type, row[column.name]);
          appender.endRow();
        }
        appender.flushSync();
      } catch (error) {
        closeQuietly(appender);
        throw error;
      }
      appender.closeSync();
    });
  }

  async close(): Promise<void> {
    this.local.close();
  }
}

/** Close an appender that may already be invalid after an error; the transaction's rollback decides. */
function closeQuietly(appender: DuckDBAppender): void {
  try {
    appender.closeSync();
  } catch {
    // Already closed or invalidated by the failure being reported.
  }
}

function appendValue(appender: DuckDBAppender, type: ColumnType, value: unknown): void {
  if (value === undefined || value === null) {
    appender.appendNull();
    return;
  }
  switch (type) {
    case "STRING":
      appender.appendVarchar(String(value));
      return;
    case "INT64":
      appender.appendBigInt(BigInt(value as number | bigint));
      return;
    case "FLOAT64":
      appender.appendDouble(Number(value));
      return;
    case "BOOL":
      appender.appendBoolean(Boolean(value));
      return;
    case "TIMESTAMP":
    case "DATE": {
      const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
      if (type === "DATE") {
        appender.appendVarchar(new Date(ms).toISOString().slice(0, 10));
        return;
      }
      appender.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(ms) * 1000n));
      return;
    }
    case "JSON":
      appender.appendVarchar(typeof value === "string" ? value : JSON.stringify(value));
      return;
  }
}

/** DuckDB JS values → the port's plain values. */
function toPlain(value: unknown, type: DuckDBType | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`integer ${value} does not fit a JS number`);
    return n;
  }
  if (type?.typeId === DuckDBTypeId.VARCHAR && type.alias === "JSON" && typeof value === "string") {
    return JSON.parse(value);
  }
  return value;
}
