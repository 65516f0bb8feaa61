import type { Settings } from "../config/settings.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";
import { isPullComplete, readAll, readLatestPull, readPushBudget } from "./warehouse-reads.ts";

/**
 * `engine status`: where the pipeline stands, from the warehouse alone (no Instantly call): capacity
 * per campaign, the latest pull and whether the action tables are fresh, the last runs, open alerts,
 * the suppression set's size and unresolved actions. Reads the reporting views where they exist and
 * falls back to the raw ops tables before the first transform.
 */
export interface StatusReport {
  latestPull: { runId: string; finishedAt: string; leads: number; complete: boolean } | null;
  actionTables: {
    pullRunId: string | null;
    fresh: boolean;
    cap: number;
    activeInventory: number;
    slots: number;
  } | null;
  campaigns: Array<Record<string, unknown>>;
  runs: Array<{
    runId: string;
    mode: string;
    status: string;
    startedAt: string;
    finishedAt: string | null;
    error: string | null;
  }>;
  openAlerts: Array<{ alert: string; since: string; value: number | null }>;
  suppressed: number | null;
  unresolvedActions: number | null;
}

const iso = (v: unknown) =>
  v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v);

export async function gatherStatus(
  warehouse: Warehouse,
  settings: Settings,
  lastRuns = 10,
): Promise<StatusReport> {
  const pull = await readLatestPull(warehouse);
  const report: StatusReport = {
    latestPull: pull
      ? {
          runId: pull.runId,
          finishedAt: pull.finishedAt.toISOString(),
          leads: pull.leadRows,
          complete: await isPullComplete(warehouse, pull.runId),
        }
      : null,
    actionTables: null,
    campaigns: [],
    runs: [],
    openAlerts: [],
    suppressed: null,
    unresolvedActions: null,
  };
  if (await warehouse.exists({ dataset: "output", name: "push_budget" })) {
    const b = await readPushBudget(warehouse);
    report.actionTables = {
      pullRunId: b.pullRunId,
      fresh: pull !== undefined && b.pullRunId === pull.runId,
      cap: b.cap,
      activeInventory: b.activeInventory,
      slots: b.slots,
    };
  }
  const health = { dataset: "reporting" as const, name: "rpt_campaign_health" };
  const inventory = { dataset: "staging" as const, name: "int_inventory" };
  const managed = new Set(settings.managedCampaignIds);
  if (await warehouse.exists(health)) {
    const rows = await readAll(warehouse.read(health));
    report.campaigns = rows
      .filter((r) => managed.has(String(r.campaign_id)))
      .map((r) =>
        pick(r, [
          "campaign_id",
          "campaign_name",
          "segment",
          "status",
          "leads_held",
          "cap_share_pct",
          "bounce_rate_pct",
          "is_bounce_blocked",
          "snapshot_at",
        ]),
      );
  } else if (await warehouse.exists(inventory)) {
    report.campaigns = (await readAll(warehouse.read(inventory))).map((r) =>
      pick(r, ["campaign_id", "segment", "leads_in_instantly", "pending_adds", "active_inventory"]),
    );
  }
  const runs = await readAll(warehouse.read({ dataset: "ops", name: "sync_runs" }));
  // Latest row per run (apply writes a start row and a final row).
  const byRun = new Map<string, Row>();
  for (const r of runs) {
    const prev = byRun.get(String(r.run_id));
    const at = r.finished_at instanceof Date ? r.finished_at.getTime() : -1;
    const prevAt = prev?.finished_at instanceof Date ? prev.finished_at.getTime() : -1;
    if (!prev || at > prevAt) byRun.set(String(r.run_id), r);
  }
  report.runs = [...byRun.values()]
    .sort((a, b) => (b.started_at as Date).getTime() - (a.started_at as Date).getTime())
    .slice(0, lastRuns)
    .map((r) => ({
      runId: String(r.run_id),
      mode: String(r.mode),
      status: String(r.status),
      startedAt: iso(r.started_at) as string,
      finishedAt: iso(r.finished_at),
      error: (r.error as string | null) ?? null,
    }));
  const alerts = new Map<string, Row>();
  for (const r of await readAll(warehouse.read({ dataset: "ops", name: "alert_events" }))) {
    const prev = alerts.get(String(r.alert));
    if (!prev || (r.recorded_at as Date) >= (prev.recorded_at as Date)) alerts.set(String(r.alert), r);
  }
  report.openAlerts = [...alerts.values()]
    .filter((r) => r.state === "raised")
    .map((r) => ({
      alert: String(r.alert),
      since: iso(r.recorded_at) as string,
      value: (r.value as number | null) ?? null,
    }));
  const suppression = { dataset: "staging" as const, name: "int_suppression" };
  if (await warehouse.exists(suppression)) {
    const values = new Set<string>();
    for await (const b of warehouse.read(suppression, { columns: ["suppressed_value"] })) {
      for (const r of b) values.add(String(r.suppressed_value));
    }
    report.suppressed = values.size;
  }
  const actions = { dataset: "staging" as const, name: "stg_sync_actions" };
  if (await warehouse.exists(actions)) {
    let n = 0;
    for await (const b of warehouse.read(actions, { columns: ["action_id"], where: { is_unresolved: true } }))
      n += b.length;
    report.unresolvedActions = n;
  }
  return report;
}

function pick(row: Row, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys)
    if (k in row) out[k] = row[k] instanceof Date ? (row[k] as Date).toISOString() : row[k];
  return out;
}

export function formatStatus(s: StatusReport): string[] {
  const lines: string[] = [];
  lines.push(
    s.latestPull
      ? `latest pull  ${s.latestPull.runId} at ${s.latestPull.finishedAt}: ${s.latestPull.leads} lead(s)${s.latestPull.complete ? "" : " (INCOMPLETE: run engine pull again)"}`
      : "latest pull  none yet (run `engine pull`)",
  );
  if (s.actionTables) {
    const t = s.actionTables;
    lines.push(
      `action tables from ${t.pullRunId ?? "(no pull)"}${t.fresh ? "" : " (STALE: run the transform)"}: inventory ${t.activeInventory} of cap ${t.cap}, ${t.slots} slot(s) this run`,
    );
  } else lines.push("action tables not built yet (run the transform)");
  if (s.campaigns.length > 0) {
    lines.push("campaigns:");
    for (const c of s.campaigns) {
      lines.push(
        `  ${Object.entries(c)
          .map(
            ([k, v]) =>
              `${k}=${v === null || v === undefined ? "-" : typeof v === "number" ? Math.round(v * 100) / 100 : v}`,
          )
          .join("  ")}`,
      );
    }
  }
  lines.push(`last runs (${s.runs.length}):`);
  for (const r of s.runs) {
    lines.push(
      `  ${r.startedAt}  ${r.mode.padEnd(5)} ${r.status.padEnd(9)} ${r.runId}${r.error ? `  ${r.error.slice(0, 120)}` : ""}`,
    );
  }
  lines.push(
    `open alerts: ${s.openAlerts.length === 0 ? "none" : s.openAlerts.map((a) => `${a.alert} (since ${a.since})`).join(", ")}`,
  );
  lines.push(`suppressed values: ${s.suppressed ?? "unknown (run the transform)"}`);
  lines.push(`unresolved actions: ${s.unresolvedActions ?? "unknown"}`);
  return lines;
}
