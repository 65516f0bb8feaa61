import type { Settings } from "../config/settings.ts";
import { escapeTerminal } from "../core/escape.ts";
import { campaignStatusName } from "../core/instantly-codes.ts";
import { formatDuration, renderTable } from "../core/table.ts";
import { round1 } from "../notify/format.ts";
import { type CampaignPacing, noAddsReasonWords, readSendCapacity } from "../notify/pacing.ts";
import { type AttentionItem, attentionBlock, readAttention } from "../report/attention.ts";
import { readFigures, readInventoryNow } from "../report/figures.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";
import { listRuns, type RunSummary } from "./run-history.ts";
import { readAll, readLatestPull, readPushBudget } from "./warehouse-reads.ts";

/**
 * `engine status`: where the pipeline stands, from the warehouse alone (no Instantly call). The
 * inventory, utilisation and suppression size are the SQL's (rpt_inventory_now, rpt_figures): the
 * latest pull's leads per campaign plus the adds and drains the changelog confirmed since, so they
 * are right straight after an apply, before the next pull or transform. Campaign status codes are
 * shown by name.
 */
export interface CampaignStatus {
  campaign_id: string;
  campaign_name: string | null;
  segment: string;
  status: string | null;
  status_code: number | null;
  /** rpt_inventory_now's figures; null when the view is not built yet. */
  leads_at_pull: number | null;
  added_since_pull: number | null;
  drained_since_pull: number | null;
  leads_now: number | null;
  cap_share_pct: number | null;
  bounce_rate_pct: number | null;
  is_bounce_blocked: boolean | null;
}

export interface StatusReport {
  /** Set when a run held the warehouse while status read it (who holds it): the figures may move. */
  runInProgress?: string | null;
  /** rpt_attention's rows, needing attention first; null when the view is not built. */
  attention?: AttentionItem[] | null;
  latestPull: { runId: string; finishedAt: string; leads: number; complete: boolean } | null;
  actionTables: {
    pullRunId: string | null;
    fresh: boolean;
    cap: number;
    activeInventory: number;
    slots: number;
  } | null;
  /** rpt_figures' inventory (the SQL's one definition); null when the view is not built yet. */
  inventory: {
    cap: number;
    atPull: number;
    addedSincePull: number;
    drainedSincePull: number;
    now: number;
    utilisationPct: number | null;
    /** Apply runs since the pull with no final row (killed): only the adds their changelog confirmed are counted. */
    unfinishedRunsSincePull: number;
  } | null;
  campaigns: CampaignStatus[];
  /**
   * int_send_capacity per campaign (the SQL's figures) and the `pacing` var; null when the model is not
   * in the warehouse (older warehouse, no transform yet).
   */
  pacing?: {
    mode: "capacity" | "cap";
    campaigns: Array<CampaignPacing & { noAddsReasonWords: string | null }>;
  } | null;
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
const numOrNull = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));

export async function gatherStatus(
  warehouse: Warehouse,
  settings: Settings,
  lastRuns = 10,
): Promise<StatusReport> {
  const allRuns = await listRuns(warehouse, Number.MAX_SAFE_INTEGER);
  const pull = allRuns.find((r) => r.mode === "pull" && r.status === "succeeded");
  const since = pull ? allRuns.filter((r) => r.mode === "apply" && r.startedAt >= pull.startedAt) : [];
  const health = await healthByCampaign(warehouse, pull?.runId);
  // Inventory and utilisation are the SQL's (rpt_inventory_now, rpt_figures): read, not computed here.
  const inventory = new Map(
    ((await readInventoryNow(warehouse)) ?? []).map((r) => [String(r.campaign_id).toLowerCase(), r]),
  );
  const figures = await readFigures(warehouse);
  const campaigns: CampaignStatus[] = settings.segments.map((s) => {
    const h = health.get(s.campaignId);
    const inv = inventory.get(s.campaignId);
    const code = numOrNull(h?.status);
    return {
      campaign_id: s.campaignId,
      campaign_name: (h?.campaign_name as string | null) ?? null,
      segment: s.name,
      status: campaignStatusName(code),
      status_code: code,
      leads_at_pull: numOrNull(inv?.leads_at_pull),
      added_since_pull: numOrNull(inv?.added_since_pull),
      drained_since_pull: numOrNull(inv?.drained_since_pull),
      leads_now: numOrNull(inv?.leads_now),
      cap_share_pct: round1(numOrNull(inv?.cap_share_pct) ?? undefined),
      bounce_rate_pct: numOrNull(h?.bounce_rate_pct),
      is_bounce_blocked: h?.is_bounce_blocked === undefined ? null : Boolean(h.is_bounce_blocked),
    };
  });
  const report: StatusReport = {
    latestPull: await latestPull(warehouse, pull),
    actionTables: null,
    inventory: figures
      ? {
          cap: figures.inventoryCap,
          atPull: figures.inventoryAtPull,
          addedSincePull: figures.addedSincePull,
          drainedSincePull: figures.drainedSincePull,
          now: figures.inventoryNow,
          utilisationPct: round1(figures.utilisationPct),
          unfinishedRunsSincePull: since.filter((r) => r.finishedAt === null).length,
        }
      : null,
    campaigns,
    pacing: null,
    runs: allRuns.slice(0, lastRuns).map((r) => ({
      runId: r.runId,
      mode: r.mode,
      status: r.status,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      error: r.error,
    })),
    openAlerts: await openAlerts(warehouse),
    suppressed: figures?.suppressionSize ?? null,
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
  const names = new Map(campaigns.map((c) => [c.campaign_id, c.campaign_name]));
  const pacing = await readSendCapacity(warehouse, names);
  if (pacing) {
    report.pacing = {
      mode: settings.vars.pacing,
      campaigns: pacing.map((p) => ({ ...p, noAddsReasonWords: noAddsReasonWords(p.noAddsReason) })),
    };
  }
  report.attention = await readAttention(warehouse);
  const actions = { dataset: "staging" as const, name: "stg_sync_actions" };
  if (await warehouse.exists(actions)) {
    let n = 0;
    for await (const b of warehouse.read(actions, { columns: ["action_id"], where: { is_unresolved: true } }))
      n += b.length;
    report.unresolvedActions = n;
  }
  return report;
}

/**
 * The newest pull: its sync_runs row, unless the snapshot tables hold a newer pull that never wrote
 * one (it crashed half way): then that one, marked incomplete.
 */
async function latestPull(
  warehouse: Warehouse,
  pull: RunSummary | undefined,
): Promise<StatusReport["latestPull"]> {
  const snapshot = await readLatestPull(warehouse);
  if (
    snapshot &&
    snapshot.runId !== pull?.runId &&
    (!pull || snapshot.startedAt.toISOString() > pull.startedAt)
  ) {
    return {
      runId: snapshot.runId,
      finishedAt: snapshot.finishedAt.toISOString(),
      leads: snapshot.leadRows,
      complete: false,
    };
  }
  if (!pull) return null;
  return {
    runId: pull.runId,
    finishedAt: pull.finishedAt ?? pull.startedAt,
    leads: Number(pull.counts?.leads ?? 0),
    complete: true,
  };
}

/** Name, status and bounce figures per campaign: rpt_campaign_health when built, else the pull's campaign rows. */
async function healthByCampaign(
  warehouse: Warehouse,
  pullRunId: string | undefined,
): Promise<Map<string, Row>> {
  const out = new Map<string, Row>();
  const ref = { dataset: "reporting" as const, name: "rpt_campaign_health" };
  if (await warehouse.exists(ref)) {
    for (const r of await readAll(warehouse.read(ref))) out.set(String(r.campaign_id).toLowerCase(), r);
    return out;
  }
  if (!pullRunId) return out;
  const rows = await readAll(
    warehouse.read({ dataset: "ops", name: "instantly_campaigns" }, { where: { run_id: pullRunId } }),
  );
  for (const r of rows) out.set(String(r.id).toLowerCase(), { ...r, campaign_name: r.name });
  return out;
}

async function openAlerts(warehouse: Warehouse): Promise<StatusReport["openAlerts"]> {
  const alerts = new Map<string, Row>();
  for (const r of await readAll(warehouse.read({ dataset: "ops", name: "alert_events" }))) {
    const prev = alerts.get(String(r.alert));
    if (!prev || (r.recorded_at as Date) >= (prev.recorded_at as Date)) alerts.set(String(r.alert), r);
  }
  return [...alerts.values()]
    .filter((r) => r.state === "raised")
    .map((r) => ({ alert: String(r.alert), since: iso(r.recorded_at) as string, value: numOrNull(r.value) }));
}

export function formatStatus(s: StatusReport): string[] {
  const lines: string[] = [];
  // Before the first pull the next step is a pull; a transform has nothing to work from yet.
  const next = s.latestPull ? "run the transform" : "run `engine pull`, then the transform";
  if (s.runInProgress)
    lines.push(`a run is in progress (${s.runInProgress}): figures as of its last write`, "");
  const names = new Map(s.campaigns.map((c) => [c.campaign_id, c.campaign_name]));
  // Campaign names (Instantly's) and run errors are untrusted text: one visible line each, like the tables.
  lines.push(...attentionBlock(s.attention ?? null, names, next).map(escapeTerminal), "");
  lines.push(
    s.latestPull
      ? `latest pull   ${s.latestPull.runId} at ${s.latestPull.finishedAt}: ${s.latestPull.leads.toLocaleString("en-US")} lead(s)${s.latestPull.complete ? "" : " (INCOMPLETE: run engine pull again)"}`
      : "latest pull   none yet (run `engine pull`)",
  );
  if (s.actionTables) {
    const t = s.actionTables;
    lines.push(
      `action tables from ${t.pullRunId ?? "(no pull)"}${t.fresh ? "" : " (STALE: run the transform)"}: ${t.slots} slot(s) for the next apply`,
    );
  } else lines.push(`action tables not built yet (${next})`);
  const inv = s.inventory;
  if (!inv) lines.push(`inventory     unknown, rpt_figures not built yet (${next})`);
  else
    lines.push(
      `inventory     ${inv.now.toLocaleString("en-US")} of cap ${inv.cap.toLocaleString("en-US")}${inv.utilisationPct === null ? "" : ` (${inv.utilisationPct} %)`}: ${inv.atPull} at the pull + ${inv.addedSincePull} added − ${inv.drainedSincePull} drained since`,
    );
  if (inv && inv.unfinishedRunsSincePull > 0) {
    lines.push(
      `              ${inv.unfinishedRunsSincePull} unfinished run(s) since the pull: adds they left unconfirmed are counted by the next pull`,
    );
  }
  lines.push("", "campaigns:");
  const table = renderTable(
    [
      "segment",
      "campaign",
      "status",
      "at pull",
      "added",
      "drained",
      "now",
      "cap %",
      "bounce %",
      "adds blocked",
    ],
    s.campaigns.map((c) => [
      c.segment,
      c.campaign_name ?? c.campaign_id,
      c.status,
      c.leads_at_pull,
      c.added_since_pull,
      c.drained_since_pull,
      c.leads_now,
      c.cap_share_pct,
      c.bounce_rate_pct,
      c.is_bounce_blocked === null ? null : c.is_bounce_blocked ? "yes (bounce guard)" : "no",
    ]),
  );
  lines.push(...table.map((l) => `  ${l}`));
  lines.push(...formatPacing(s.pacing, next));
  lines.push("", `last runs (${s.runs.length}; \`engine runs\` for more, \`engine show RUN_ID\` for one):`);
  const runs = renderTable(
    ["run", "mode", "status", "started (UTC)", "duration", "error"],
    s.runs.map((r) => [
      r.runId,
      r.mode,
      r.finishedAt === null && r.status === "failed" ? "unfinished" : r.status,
      r.startedAt.slice(0, 16).replace("T", " "),
      formatDuration(r.finishedAt ? (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000 : null),
      r.error,
    ]),
  );
  lines.push(...runs.map((l) => `  ${l}`));
  lines.push(
    "",
    `open alerts: ${s.openAlerts.length === 0 ? "none" : s.openAlerts.map((a) => `${a.alert} (since ${a.since})`).join(", ")}`,
    `suppressed values: ${s.suppressed ?? `unknown (${next})`}`,
    `unresolved actions: ${s.unresolvedActions ?? `unknown (${next})`}`,
  );
  return lines;
}

/** The pacing table of `engine status`: int_send_capacity's figures per campaign, the reason in words. */
function formatPacing(pacing: StatusReport["pacing"], next: string): string[] {
  if (!pacing) return ["", `pacing: int_send_capacity not built yet (${next})`];
  const lines = [
    "",
    `pacing (${pacing.mode === "capacity" ? "adds paced by sending capacity" : "pacing: cap, adds fill to inventory_cap; capacity shown for reference"}):`,
  ];
  const table = renderTable(
    [
      "segment",
      "campaign",
      "healthy mailboxes",
      "sends/day",
      "new starts/day",
      "backlog",
      "backlog days",
      "slots",
      "runway days",
      "Instantly says",
      "no adds because",
    ],
    pacing.campaigns.map((p) => [
      p.segment,
      p.campaignName ?? p.campaignId,
      `${p.healthySenders}/${p.senders}`,
      p.sendsPerDay,
      p.newStartsPerDay,
      p.backlog,
      p.backlogDays === null ? null : Math.round(p.backlogDays * 10) / 10,
      p.pacedSlots,
      p.runwayDays === null ? null : Math.round(p.runwayDays * 10) / 10,
      p.sendingStatus,
      p.noAddsReasonWords,
    ]),
  );
  lines.push(...table.map((l) => `  ${l}`));
  return lines;
}
