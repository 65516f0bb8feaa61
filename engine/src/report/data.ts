import type { DatasetRole, RelationRef, Row, Warehouse } from "../warehouse/port.ts";

/**
 * What the local report shows, read through the warehouse port (so the same code reads DuckDB and
 * BigQuery) from the reporting views the rules build (definitions/reporting/rpt_*.sqlx) and, where it
 * exists, `lead_status`. A view that does not exist yet (no transform has run, or an older checkout)
 * is an empty section with a note, never an error: a report of a half-built warehouse still shows
 * what there is. Dates become `YYYY-MM-DD`, timestamps ISO strings, so the data is plain JSON.
 */

export type Value = string | number | boolean | null;
export type ReportRow = Record<string, Value>;

/** The relations the report reads, in the order its sections appear. */
export const REPORT_RELATIONS = [
  { key: "funnel", dataset: "reporting", name: "rpt_daily_funnel" },
  { key: "capacity", dataset: "reporting", name: "rpt_capacity_over_time" },
  { key: "campaigns", dataset: "reporting", name: "rpt_campaign_health" },
  { key: "runs", dataset: "reporting", name: "rpt_sync_runs" },
  { key: "verification", dataset: "reporting", name: "rpt_verification_outcomes" },
  { key: "eligibility", dataset: "reporting", name: "rpt_lead_eligibility" },
  { key: "suppression", dataset: "reporting", name: "rpt_suppression_growth" },
  { key: "pacing", dataset: "reporting", name: "rpt_send_capacity" },
  { key: "attention", dataset: "reporting", name: "rpt_attention" },
  { key: "handoffs", dataset: "reporting", name: "rpt_handoffs_daily" },
  { key: "trends", dataset: "reporting", name: "rpt_campaign_trends" },
  { key: "figures", dataset: "reporting", name: "rpt_figures" },
] as const satisfies ReadonlyArray<{ key: string; dataset: DatasetRole; name: string }>;

export type ReportKey = (typeof REPORT_RELATIONS)[number]["key"];

export interface ReportData {
  tables: Record<ReportKey, ReportRow[]>;
  /** Relations that were not there (their sections say so). */
  missing: string[];
  /** Lead counts by status from `lead_status` when that table exists (null otherwise). */
  leadStatus: Array<{ status: string; leads: number }> | null;
}

/** Columns of `lead_status` that may carry a lead's status, in the order tried. */
const STATUS_COLUMNS = ["status", "lead_status", "state"];

export async function readReportData(warehouse: Warehouse): Promise<ReportData> {
  const tables = {} as Record<ReportKey, ReportRow[]>;
  const missing: string[] = [];
  for (const r of REPORT_RELATIONS) {
    const ref: RelationRef = { dataset: r.dataset, name: r.name };
    if (!(await warehouse.exists(ref))) {
      missing.push(r.name);
      tables[r.key] = [];
      continue;
    }
    tables[r.key] = await readAll(warehouse, ref);
  }
  return { tables, missing, leadStatus: await readLeadStatus(warehouse) };
}

async function readAll(warehouse: Warehouse, ref: RelationRef): Promise<ReportRow[]> {
  const out: ReportRow[] = [];
  for await (const batch of warehouse.read(ref)) for (const row of batch) out.push(plainRow(row));
  return out;
}

/** Counts per status, streamed one column at a time: lead_status has a row per lead. */
async function readLeadStatus(warehouse: Warehouse): Promise<ReportData["leadStatus"]> {
  // definitions/outputs/lead_status.sqlx lives with the outputs; a project may move it to reporting.
  let ref: RelationRef | undefined;
  for (const dataset of ["output", "reporting"] as const) {
    if (await warehouse.exists({ dataset, name: "lead_status" })) {
      ref = { dataset, name: "lead_status" };
      break;
    }
  }
  if (!ref) return null;
  let first: Row | undefined;
  for await (const batch of warehouse.read(ref, { batchSize: 1 })) {
    first = batch[0];
    break;
  }
  const column = STATUS_COLUMNS.find((c) => first && c in first);
  if (!column) return null;
  const counts = new Map<string, number>();
  for await (const batch of warehouse.read(ref, { columns: [column] })) {
    for (const row of batch) {
      const status = row[column] === null || row[column] === undefined ? "unknown" : String(row[column]);
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
  }
  return [...counts].map(([status, leads]) => ({ status, leads })).sort((a, b) => b.leads - a.leads);
}

export function plainRow(row: Row): ReportRow {
  const out: ReportRow = {};
  for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
  return out;
}

function plainValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  return JSON.stringify(v);
}
