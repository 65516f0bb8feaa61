import type { DuckDBConnection } from "@duckdb/node-api";
import type { Warehouse } from "../warehouse/port.ts";
import { alertStateTable } from "../warehouse/tables.ts";
import type { AlertState, AlertStateName, AlertTransition } from "./alerts.ts";

/**
 * Alert state lives in the warehouse (`<ops>.alert_events`, append-only): one row per transition,
 * and the last row per alert key is its state. Two implementations of one small interface: direct
 * SQL on a DuckDB connection, and the engine's warehouse port (DuckDB or BigQuery).
 */
export interface AlertStore {
  /** Last recorded state of every alert key. */
  load(): Promise<Map<string, AlertState>>;
  /** Append the transitions this run delivered (with the text that was sent). */
  record(
    runId: string,
    at: Date,
    transitions: ReadonlyArray<AlertTransition & { message: string }>,
  ): Promise<void>;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An alert_events row as read back: its state is checked where it becomes an AlertState. */
interface AlertRow {
  alert: string;
  state: unknown;
  value: number | null;
  recorded_at: Date;
}

function parseAlertState(value: unknown): AlertStateName {
  if (value === "raised" || value === "cleared") return value;
  throw new Error(`alert_events.state: unknown state ${JSON.stringify(value)}`);
}

function latestByKey(rows: AlertRow[]) {
  const out = new Map<string, AlertState>();
  for (const row of rows) {
    const prev = out.get(row.alert);
    if (prev && prev.at.getTime() > row.recorded_at.getTime()) continue;
    out.set(row.alert, {
      key: row.alert,
      state: parseAlertState(row.state),
      value: row.value,
      at: row.recorded_at,
    });
  }
  return out;
}

/** Alert store over a DuckDB connection; `schema` is the ops schema (`ops_dataset` var). */
export function createDuckDbAlertStore(conn: DuckDBConnection, schema = "cold_email_ops"): AlertStore {
  if (!IDENT.test(schema))
    throw new Error(`alert store: schema must be a plain identifier, got ${JSON.stringify(schema)}`);
  const table = `"${schema}"."${alertStateTable.name}"`;
  return {
    async load() {
      const reader = await conn.runAndReadAll(
        `select alert, state, value, epoch_ms(recorded_at) as at_ms
         from ${table}
         qualify row_number() over (partition by alert order by recorded_at desc) = 1`,
      );
      return latestByKey(
        reader.getRowObjectsJS().map((r) => ({
          alert: String(r.alert),
          state: String(r.state),
          value: r.value === null || r.value === undefined ? null : Number(r.value),
          recorded_at: new Date(Number(r.at_ms)),
        })),
      );
    },
    async record(runId, at, transitions) {
      for (const t of transitions) {
        await conn.run(
          `insert into ${table} (run_id, recorded_at, alert, state, value, message)
           values ($1, make_timestamptz($2::BIGINT * 1000), $3, $4, $5::DOUBLE, $6)`,
          [runId, at.getTime(), t.key, t.state, t.measurement.value ?? null, t.message],
        );
      }
    },
  };
}

/** Alert store over the warehouse port: works the same on DuckDB and BigQuery. */
export function createWarehouseAlertStore(warehouse: Warehouse): AlertStore {
  const ref = { dataset: "ops" as const, name: alertStateTable.name };
  return {
    async load() {
      const rows: AlertRow[] = [];
      for await (const batch of warehouse.read(ref, {
        columns: ["alert", "state", "value", "recorded_at"],
      })) {
        for (const r of batch) {
          rows.push({
            alert: String(r.alert),
            state: r.state,
            value: r.value === null || r.value === undefined ? null : Number(r.value),
            recorded_at: r.recorded_at instanceof Date ? r.recorded_at : new Date(String(r.recorded_at)),
          });
        }
      }
      return latestByKey(rows);
    },
    async record(runId, at, transitions) {
      if (transitions.length === 0) return;
      await warehouse.append(
        alertStateTable,
        transitions.map((t) => ({
          run_id: runId,
          recorded_at: at,
          alert: t.key,
          state: t.state,
          value: t.measurement.value ?? null,
          message: t.message,
        })),
      );
    },
  };
}
