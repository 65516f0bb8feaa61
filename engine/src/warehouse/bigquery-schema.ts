import type { Row } from "./port.ts";
import type { ColumnType, TableDef } from "./tables.ts";

/**
 * The contract of tables.ts rendered for BigQuery: the REST table resource `ensureContract` creates,
 * and the value conversions on the way in (Storage Write JSON rows) and out (query results). Kept
 * apart from the adapter so the mapping is one pure, testable place, like `duckCreateTable` for DuckDB.
 */

/** A BigQuery REST `TableFieldSchema` (only what the contract uses). */
export interface BigQueryField {
  name: string;
  type: ColumnType;
  mode: "REQUIRED" | "NULLABLE";
  description: string;
}

/** The REST `Table` resource body for `tables.insert` (what `Dataset#createTable` sends). */
export interface BigQueryTableResource {
  description: string;
  schema: { fields: BigQueryField[] };
  timePartitioning?: { type: "DAY"; field: string };
  /** Every query must filter on the partition column, so none can scan the whole history by mistake. */
  requirePartitionFilter?: boolean;
  clustering?: { fields: string[] };
}

/**
 * Tables whose every read filters on the partition column: the snapshot history, read only by the
 * incremental state tables (from their watermark) and the retention operation (definitions/staging,
 * definitions/operations). Not sync_changelog: the engine reads it by run_id (reconcile, prior states),
 * and not the small per-pull campaign snapshots or sync_runs, which are read whole.
 */
export const PARTITION_FILTER_REQUIRED: ReadonlySet<string> = new Set(["instantly_leads"]);

/**
 * The schema BigQuery stores for a contract table. BigQuery's REST API accepts the standard SQL type
 * names (INT64, FLOAT64, BOOL) as aliases of INTEGER, FLOAT, BOOLEAN, so the contract's names pass as is.
 */
export function bigQueryFields(def: TableDef): BigQueryField[] {
  return def.columns.map((c) => ({
    name: c.name,
    type: c.type,
    mode: c.required ? "REQUIRED" : "NULLABLE",
    description: c.description,
  }));
}

/**
 * The table resource: partitioned by DAY on `partitionBy` (every ops table is append-only and read by
 * recent runs, so day partitions keep scans small and let retention drop whole days), a required
 * partition filter where nothing needs a full scan, and clustered by `clusterBy`.
 */
export function bigQueryTableResource(def: TableDef): BigQueryTableResource {
  const resource: BigQueryTableResource = {
    description: def.description,
    schema: { fields: bigQueryFields(def) },
  };
  if (def.partitionBy) {
    const column = def.columns.find((c) => c.name === def.partitionBy);
    if (!column || (column.type !== "TIMESTAMP" && column.type !== "DATE")) {
      throw new Error(`${def.name}: partitionBy ${def.partitionBy} must be a TIMESTAMP or DATE column`);
    }
    resource.timePartitioning = { type: "DAY", field: def.partitionBy };
    if (PARTITION_FILTER_REQUIRED.has(def.name)) resource.requirePartitionFilter = true;
  }
  if (def.clusterBy?.length) {
    if (def.clusterBy.length > 4) throw new Error(`${def.name}: BigQuery clusters by at most 4 columns`);
    resource.clustering = { fields: [...def.clusterBy] };
  }
  return resource;
}

/**
 * A validated row → the object the Storage Write JSONWriter encodes. The encoder turns a Date into
 * TIMESTAMP micros / DATE days, but not a string, and a JSON column travels as its text; columns the
 * row omits stay absent (NULL).
 */
export function toStorageRow(def: TableDef, row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of def.columns) {
    const value = row[column.name];
    if (value === undefined || value === null) continue;
    switch (column.type) {
      case "TIMESTAMP":
      case "DATE":
        out[column.name] = value instanceof Date ? value : new Date(String(value));
        break;
      case "JSON":
        out[column.name] = typeof value === "string" ? value : JSON.stringify(value);
        break;
      case "INT64":
        out[column.name] = typeof value === "bigint" ? value : Number(value);
        break;
      default:
        out[column.name] = value;
    }
  }
  return out;
}

/**
 * A value as `@google-cloud/bigquery` returns it from a query → the port's plain value, the same as
 * the DuckDB adapter gives: INT64 → number (the client is asked to keep integers as text so an unsafe
 * one fails loudly instead of rounding), TIMESTAMP → Date, DATE → Date at UTC midnight, JSON → parsed.
 */
export function fromQueryValue(type: string, value: unknown, column: string): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "INTEGER":
    case "INT64": {
      const text = typeof value === "object" && "value" in value ? String(value.value) : String(value);
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw new Error(`column ${column}: integer does not fit a JS number`);
      return n;
    }
    case "TIMESTAMP":
    case "DATE":
    case "DATETIME": {
      const text = typeof value === "object" && "value" in value ? String(value.value) : String(value);
      const date = new Date(type === "DATETIME" && !text.endsWith("Z") ? `${text}Z` : text);
      if (Number.isNaN(date.getTime())) throw new Error(`column ${column}: unreadable ${type}`);
      return date;
    }
    case "JSON":
      return typeof value === "string" ? JSON.parse(value) : value;
    default:
      return value;
  }
}
