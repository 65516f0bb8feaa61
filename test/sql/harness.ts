import type { DuckDBConnection } from "@duckdb/node-api";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings, type Settings } from "../../engine/src/config/settings.ts";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";
import { type GraphRunResult, runGraph } from "../../engine/src/dataform/runner.ts";
import { ensureContract, type LocalWarehouse, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";

/**
 * Scenario-test harness for the SQL rules: compile the real definitions once for DuckDB with a pinned
 * `as_of` (so "now" is deterministic), open an in-memory warehouse with the contract tables, insert
 * small hand-built fixtures, run the graph and read the outputs.
 */

/**
 * The "now" every scenario runs at (a Monday). Fixtures are written relative to it with `daysAgo()`.
 * It is in the past on any machine: the engine refuses an as_of more than a day after its clock, and
 * prune_snapshots never uses a "now" later than the warehouse's clock, so a future AS_OF would test
 * another case on each date (test/dates/at-dates.sh runs the suite at several).
 */
export const AS_OF = "2025-06-02T12:00:00.000Z";
export const SMB = "8c46e0c9-c1f9-4201-a8d6-6221bafeada6";
export const MIDSIZE = "5ffbe8c3-dc0e-41e4-9999-48f00d2015df";
export const OTHER_CAMPAIGN = "11111111-2222-3333-4444-555555555555";

/** ISO timestamp `days` before AS_OF (fractions allowed). */
export function daysAgo(days: number): string {
  return new Date(Date.parse(AS_OF) - days * 86_400_000).toISOString();
}

export interface Scenario {
  settings: Settings;
  graph: CompiledGraph;
  wh: LocalWarehouse;
  conn: DuckDBConnection;
}

/**
 * Compile (once per test file) and open an empty warehouse. `vars` override workflow_settings.yaml.
 * Scenarios run under `pacing: cap` unless they say otherwise: they test the other rules with one
 * inventory budget; test/sql/pacing.test.ts sets `pacing: capacity` and feeds the sending snapshot.
 */
export async function openScenario(vars: Record<string, string> = {}): Promise<Scenario> {
  const overrides = { dialect: "duckdb", as_of: AS_OF, pacing: "cap", ...vars };
  const settings = loadSettings({ projectDir: repoRoot(), overrides });
  const graph = await compiledGraph(overrides);
  const wh = await openDuckDb(":memory:");
  await ensureContract(wh.conn, settings);
  return { settings, graph, wh, conn: wh.conn };
}

const RAW_AND_OPS = [
  ["cold_email_raw", "leads"],
  ["cold_email_raw", "dnc_list"],
  ["cold_email_ops", "instantly_leads"],
  ["cold_email_ops", "instantly_campaigns"],
  ["cold_email_ops", "instantly_sending_accounts"],
  ["cold_email_ops", "instantly_campaign_sending"],
  ["cold_email_ops", "instantly_campaign_accounts"],
  ["cold_email_ops", "instantly_campaign_daily"],
  ["cold_email_ops", "instantly_account_daily"],
  ["cold_email_ops", "sync_changelog"],
  ["cold_email_ops", "sync_runs"],
  ["cold_email_ops", "email_verifications"],
  ["cold_email_ops", "alert_events"],
] as const;

/**
 * Empty every input table and drop the incremental state tables so the next case starts clean (the
 * other outputs are rebuilt by the run; the state tables would otherwise carry the last case over).
 */
export async function resetInputs(s: Scenario): Promise<void> {
  for (const [schema, table] of RAW_AND_OPS) await s.conn.run(`DELETE FROM "${schema}"."${table}"`);
  for (const t of s.graph.tables.filter((t) => t.type === "incremental")) {
    await s.conn.run(`DROP TABLE IF EXISTS "${t.target.schema}"."${t.target.name}"`);
  }
}

type Value = string | number | boolean | null | undefined;
type Row = Record<string, Value>;

function literal(value: Value): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  return `'${value.replace(/'/g, "''")}'`;
}

/** INSERT rows BY NAME into schema.table (columns not given stay NULL). */
export async function insert(s: Scenario, schema: string, table: string, rows: Row[]): Promise<void> {
  for (const row of rows) {
    const cols = Object.keys(row);
    await s.conn.run(
      `INSERT INTO "${schema}"."${table}" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${cols
        .map((c) => literal(row[c]))
        .join(", ")})`,
    );
  }
}

export interface LeadFixture {
  email: string;
  estimated_sales_yearly?: number | null;
  first_name?: string;
  merchant_name?: string;
  state?: string;
  country_code?: string;
  product_count?: number;
  avg_price?: number;
  klaviyo_installed_at?: string;
  updated_at?: string;
}

/** Raw leads with sensible defaults (a valid company email, revenue 500k). */
export async function leads(s: Scenario, rows: LeadFixture[]): Promise<void> {
  await insert(
    s,
    "cold_email_raw",
    "leads",
    rows.map((r) => ({
      estimated_sales_yearly: 500_000,
      first_name: "Alex",
      merchant_name: "Store",
      country_code: "US",
      updated_at: daysAgo(1),
      ...r,
    })),
  );
}

export interface InstantlyLeadFixture {
  lead_id: string;
  email: string;
  campaign_id?: string;
  status?: number;
  lt_interest_status?: number | null;
  email_reply_count?: number;
  verification_status?: number | null;
  timestamp_created?: string;
  timestamp_last_reply?: string;
  timestamp_last_interest_change?: string;
  timestamp_updated?: string;
  timestamp_last_contact?: string | null;
  run_id?: string;
  recorded_at?: string;
}

/**
 * One completed pull: campaign rows for both managed campaigns plus the given lead rows, all with
 * run_id, and the succeeded sync_runs row the engine writes last (a pull without it is never merged).
 */
export async function pull(
  s: Scenario,
  runId: string,
  rows: InstantlyLeadFixture[],
  recordedAt = daysAgo(0.01),
): Promise<void> {
  await insert(s, "cold_email_ops", "sync_runs", [
    { run_id: runId, mode: "pull", started_at: recordedAt, finished_at: recordedAt, status: "succeeded" },
  ]);
  await insert(
    s,
    "cold_email_ops",
    "instantly_campaigns",
    [SMB, MIDSIZE].map((id) => ({ run_id: runId, recorded_at: recordedAt, id, name: id, status: 1 })),
  );
  await insert(
    s,
    "cold_email_ops",
    "instantly_leads",
    rows.map((r) => ({
      run_id: runId,
      recorded_at: recordedAt,
      campaign_id: SMB,
      status: 1,
      email_reply_count: 0,
      timestamp_created: daysAgo(10),
      ...r,
    })),
  );
}

export interface ChangelogFixture {
  action_id: string;
  op: "add" | "drain" | "block" | "verify";
  email: string;
  campaign_id?: string;
  state: string;
  reason?: string;
  recorded_at: string;
  retryable?: boolean;
}

export async function changelog(s: Scenario, rows: ChangelogFixture[]): Promise<void> {
  await insert(
    s,
    "cold_email_ops",
    "sync_changelog",
    rows.map((r) => ({ run_id: "apply-1", campaign_id: SMB, ...r })),
  );
}

/** Run the whole graph (assertions included); throws with the failures when anything failed. */
export async function run(s: Scenario): Promise<GraphRunResult> {
  const result = await runGraph(s.conn, s.graph, {});
  if (!result.ok) {
    const bad = result.actions.filter((a) => a.status !== "ok");
    throw new Error(
      `graph run failed:\n${bad.map((a) => `  ${a.name} [${a.status}] ${a.error ?? ""} ${a.sample ? JSON.stringify(a.sample) : ""}`).join("\n")}`,
    );
  }
  return result;
}

/** Rows of a query as plain JS objects (BIGINT as number). */
export async function rows(s: Scenario, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await s.conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = typeof v === "bigint" ? Number(v) : v;
    return out;
  });
}

/** The push queue's emails in rank order. */
export async function queuedEmails(s: Scenario): Promise<string[]> {
  return (await rows(s, `select email from "cold_email"."push_queue" order by rank`)).map((r) =>
    String(r.email),
  );
}

/** The single push_budget row. */
export async function budget(s: Scenario): Promise<Record<string, unknown>> {
  const [row] = await rows(s, `select * from "cold_email"."push_budget"`);
  if (!row) throw new Error("push_budget is empty");
  return row;
}

/** Drain queue rows keyed by email: reason. */
export async function drains(s: Scenario): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await rows(s, `select email, reason from "cold_email"."drain_queue" order by email`)) {
    out[String(r.email)] = String(r.reason);
  }
  return out;
}
