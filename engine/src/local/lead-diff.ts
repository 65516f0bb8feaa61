import type { DuckDBConnection } from "@duckdb/node-api";
import type { Settings } from "../config/settings.ts";
import { escapeTerminal } from "../core/escape.ts";
import { renderTable } from "../core/table.ts";

/**
 * `engine transform --diff`: what a transform changed, per lead, from `lead_status` before and after.
 * The rules decide; this only compares their two answers. `snapshotLeadStatus` copies the columns that
 * say where a lead stands into a temp table before the run, `diffLeadStatus` joins it with the new
 * table: a lead whose state, segment, queue rank or pending drain differs is one change, filed under
 * the output it shows in (lead_status: state and segment; push_queue: its rank; drain_queue: its
 * drain) with the rule that explains it (`kept_out_by` after the run, else before it; a segment
 * change is the segment rules').
 *
 * The lead rows hold emails: the command prints them on the user's own terminal only, like
 * `engine handoffs` and `engine explain`; nothing here logs or notifies.
 */

const BEFORE = "__lead_status_before";
const COLUMNS = ["lead_state", "segment", "kept_out_by", "queue_rank", "pending_drain_reason"] as const;

/** One lead a transform moved. */
export interface LeadChange {
  email: string;
  /** lead_status | push_queue | drain_queue */
  output: string;
  /** e.g. `eligible → queued`, `moved up (rank 12 → 4)`, `segment smb → midsize`, `drain stale → none`. */
  change: string;
  /** The change without the ranks (`moved up`): what the summary counts. */
  kind: string;
  /**
   * The rule behind it: kept_out_by after the run, else before; `segment rules` for a segment change
   * (includes/config.js SEGMENT_RULES); `-` when none applies.
   */
  why: string;
}

/** How many leads one kind of change moved. */
export interface ChangeCount {
  output: string;
  change: string;
  why: string;
  leads: number;
}

export interface LeadDiff {
  /** Leads in lead_status before and after the run. */
  before: number;
  after: number;
  /** Leads with at least one change. */
  changedLeads: number;
  summary: ChangeCount[];
  changes: LeadChange[];
}

function leadStatus(settings: Settings): string {
  return `"${settings.vars.output_dataset}"."lead_status"`;
}

async function exists(conn: DuckDBConnection, settings: Settings): Promise<boolean> {
  const reader = await conn.runAndReadAll(
    `SELECT count(*)::INT AS n FROM information_schema.tables
     WHERE table_schema = '${settings.vars.output_dataset}' AND table_name = 'lead_status'`,
  );
  return Number(reader.getRowObjectsJS()[0]?.n ?? 0) > 0;
}

/** Copy where each lead stands now (empty when lead_status does not exist yet: every lead is new). */
export async function snapshotLeadStatus(conn: DuckDBConnection, settings: Settings): Promise<void> {
  const select = `SELECT email, ${COLUMNS.join(", ")}`;
  await conn.run(
    (await exists(conn, settings))
      ? `CREATE OR REPLACE TEMP TABLE ${BEFORE} AS ${select} FROM ${leadStatus(settings)}`
      : `CREATE OR REPLACE TEMP TABLE ${BEFORE} (email VARCHAR, lead_state VARCHAR, segment VARCHAR,
           kept_out_by VARCHAR, queue_rank BIGINT, pending_drain_reason VARCHAR)`,
  );
}

/** Compare the snapshot with lead_status after the run; drops the snapshot. */
export async function diffLeadStatus(conn: DuckDBConnection, settings: Settings): Promise<LeadDiff> {
  const txt = (e: string) => `coalesce(CAST(${e} AS VARCHAR), 'none')`;
  const why = "coalesce(a.kept_out_by, b.kept_out_by, '-')";
  const sql = `
    WITH joined AS (
      SELECT coalesce(a.email, b.email) AS email, b.email IS NOT NULL AS had, a.email IS NOT NULL AS has,
             b.lead_state AS b_state, a.lead_state AS a_state, b.segment AS b_segment, a.segment AS a_segment,
             b.queue_rank AS b_rank, a.queue_rank AS a_rank,
             b.pending_drain_reason AS b_drain, a.pending_drain_reason AS a_drain, ${why} AS why
      FROM ${BEFORE} b FULL OUTER JOIN ${leadStatus(settings)} a ON a.email = b.email
    )
    SELECT email, 'lead_status' AS output,
           CASE WHEN NOT had THEN 'new → ' || a_state WHEN NOT has THEN b_state || ' → gone'
                ELSE b_state || ' → ' || a_state END AS change, why
    FROM joined WHERE b_state IS DISTINCT FROM a_state
    UNION ALL
    SELECT email, 'lead_status', 'segment ' || ${txt("b_segment")} || ' → ' || ${txt("a_segment")},
           'segment rules'
    FROM joined WHERE had AND has AND b_segment IS DISTINCT FROM a_segment
    UNION ALL
    SELECT email, 'push_queue',
           CASE WHEN b_rank IS NULL THEN 'queued' WHEN a_rank IS NULL THEN 'unqueued'
                WHEN a_rank < b_rank THEN 'moved up' ELSE 'moved down' END
           || ' (rank ' || ${txt("b_rank")} || ' → ' || ${txt("a_rank")} || ')', why
    FROM joined WHERE b_rank IS DISTINCT FROM a_rank
    UNION ALL
    SELECT email, 'drain_queue', 'drain ' || ${txt("b_drain")} || ' → ' || ${txt("a_drain")}, why
    FROM joined WHERE b_drain IS DISTINCT FROM a_drain
    ORDER BY output, change, email`;
  try {
    const changes = (await conn.runAndReadAll(sql)).getRowObjectsJS().map((r) => ({
      email: String(r.email),
      output: String(r.output),
      change: String(r.change),
      kind: String(r.change).replace(/ \(rank .*\)$/, ""),
      why: String(r.why),
    }));
    const counts = await conn.runAndReadAll(
      `SELECT (SELECT count(*) FROM ${BEFORE})::INT AS before, (SELECT count(*) FROM ${leadStatus(settings)})::INT AS after`,
    );
    const totals = counts.getRowObjectsJS()[0] ?? {};
    return {
      before: Number(totals.before ?? 0),
      after: Number(totals.after ?? 0),
      changedLeads: new Set(changes.map((c) => c.email)).size,
      summary: summarise(changes),
      changes,
    };
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${BEFORE}`);
  }
}

/** Counts per output, kind of change (ranks folded into moved up/down, queued, unqueued) and why. */
function summarise(changes: LeadChange[]): ChangeCount[] {
  const byKey = new Map<string, ChangeCount>();
  for (const c of changes) {
    const key = `${c.output}\u0000${c.kind}\u0000${c.why}`;
    const entry = byKey.get(key) ?? { output: c.output, change: c.kind, why: c.why, leads: 0 };
    entry.leads++;
    byKey.set(key, entry);
  }
  return [...byKey.values()].sort(
    (a, b) => a.output.localeCompare(b.output) || b.leads - a.leads || a.change.localeCompare(b.change),
  );
}

/**
 * The diff for the terminal: the summary table, then up to `perChange` leads per kind of change
 * (emails on the user's own terminal, escaped; `--json` lists every lead).
 */
export function formatLeadDiff(diff: LeadDiff, perChange = 10): string[] {
  const fmt = (n: number) => n.toLocaleString("en-US");
  const head = `diff: ${fmt(diff.changedLeads)} of ${fmt(diff.after)} leads changed (lead_status before: ${fmt(diff.before)})`;
  if (diff.summary.length === 0) return [head];
  const lines = [
    head,
    ...renderTable(
      ["output", "change", "why", "leads"],
      diff.summary.map((s) => [s.output, s.change, s.why, s.leads]),
    ),
  ];
  for (const s of diff.summary) {
    const leads = diff.changes.filter((c) => c.output === s.output && c.why === s.why && c.kind === s.change);
    const shown = leads.slice(0, perChange).map((c) => escapeTerminal(c.email));
    const more = leads.length > shown.length ? ` … and ${fmt(leads.length - shown.length)} more` : "";
    lines.push(`  ${s.output} ${s.change} (${s.why}): ${shown.join(", ")}${more}`);
  }
  return lines;
}
