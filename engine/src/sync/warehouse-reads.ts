import type { Settings } from "../config/settings.ts";
import type { ActionOp } from "../core/action-id.ts";
import { UserError } from "../core/errors.ts";
import type { ActionStateName } from "../core/states.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";

/**
 * What the loop reads from the warehouse: the action tables the SQL materialised (push_budget,
 * drain_queue, push_queue), the pulls (stg_instantly_pulls), the runs (sync_runs) and the changelog.
 * One place, so the column names the engine depends on are listed once.
 */

export interface PushBudget {
  cap: number;
  activeInventory: number;
  draining: number;
  slots: number;
  candidates: number;
  queued: number;
  campaignSlots: Record<string, number | null> | null;
  pullRunId: string | null;
  /** The capacity-relevant vars the tables were computed with; null for tables built before the column. */
  computedWith: Record<string, string> | null;
}

export interface PullInfo {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  leadRows: number;
}

export interface DrainRow {
  action_id: string;
  lead_id: string;
  email: string;
  campaign_id: string;
  reason: string;
  suppress: boolean;
  block: boolean;
}

export interface PushRow {
  action_id: string;
  rank: number;
  email: string;
  campaign_id: string;
  segment: string;
  score: number;
  needs_verification: boolean;
  verification_pending: boolean;
  verify_action_id: string;
  push_if_catch_all: boolean;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  custom_variables: Record<string, unknown> | null;
}

/** Latest state of one action, from the changelog rows of earlier runs. */
export interface PriorState {
  op: ActionOp;
  state: ActionStateName;
  retryable: boolean | null;
  errorCode: string | null;
  campaignId: string | null;
  leadId: string | null;
  at: number;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

async function first(iter: AsyncIterable<Row[]>): Promise<Row | undefined> {
  for await (const batch of iter) {
    if (batch.length > 0) return batch[0];
  }
  return undefined;
}

export async function readAll(iter: AsyncIterable<Row[]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of iter) out.push(...batch);
  return out;
}

export function parseJsonObject(v: unknown): Record<string, unknown> | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") {
    try {
      const parsed = JSON.parse(v) as unknown;
      return parsed && typeof parsed === "object" && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : null;
    } catch {
      return null;
    }
  }
  return typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

const missingTables = (what: string) =>
  new UserError(`the action table ${what} does not exist yet`, {
    hint: "run `engine pull`, then the transform (`engine transform` locally, `dataform run` in production), then apply",
  });

export async function readPushBudget(warehouse: Warehouse): Promise<PushBudget> {
  const ref = { dataset: "output" as const, name: "push_budget" };
  if (!(await warehouse.exists(ref))) throw missingTables("push_budget");
  const row = await first(warehouse.read(ref));
  if (!row) throw new UserError("push_budget is empty", { hint: "re-run the transform" });
  const split = parseJsonObject(row.campaign_slots);
  const computedWith = parseJsonObject(row.computed_with);
  return {
    cap: num(row.cap),
    activeInventory: num(row.active_inventory),
    draining: num(row.draining),
    slots: num(row.slots),
    candidates: num(row.candidates),
    queued: num(row.queued),
    campaignSlots: split
      ? Object.fromEntries(
          Object.entries(split).map(([k, v]) => [k.toLowerCase(), v === null ? null : Number(v)]),
        )
      : null,
    pullRunId: row.pull_run_id === null || row.pull_run_id === undefined ? null : String(row.pull_run_id),
    computedWith: computedWith
      ? Object.fromEntries(Object.entries(computedWith).map(([k, v]) => [k, v === null ? "" : String(v)]))
      : null,
  };
}

/** The latest pull the snapshot tables hold (stg_instantly_pulls.is_latest), if any. */
export async function readLatestPull(warehouse: Warehouse): Promise<PullInfo | undefined> {
  const ref = { dataset: "staging" as const, name: "stg_instantly_pulls" };
  if (!(await warehouse.exists(ref))) return undefined;
  const row = await first(warehouse.read(ref, { where: { is_latest: true } }));
  if (!row) return undefined;
  return {
    runId: String(row.run_id),
    startedAt: toDate(row.pull_started_at),
    finishedAt: toDate(row.pull_finished_at),
    leadRows: num(row.lead_rows),
  };
}

/** sync_runs rows (raw table: works before any transform), optionally only one mode. */
export async function readRuns(warehouse: Warehouse, where: Record<string, string> = {}): Promise<Row[]> {
  return readAll(warehouse.read({ dataset: "ops", name: "sync_runs" }, { where }));
}

/** Whether the pull `runId` finished (its sync_runs row says succeeded). A crashed pull has none. */
export async function isPullComplete(warehouse: Warehouse, runId: string): Promise<boolean> {
  const rows = await readRuns(warehouse, { run_id: runId, mode: "pull" });
  return rows.some((r) => r.status === "succeeded");
}

export async function readDrainQueue(warehouse: Warehouse): Promise<DrainRow[]> {
  const ref = { dataset: "output" as const, name: "drain_queue" };
  if (!(await warehouse.exists(ref))) throw missingTables("drain_queue");
  const rows = await readAll(warehouse.read(ref, { orderBy: ["campaign_id", "action_id"] }));
  return rows.map((r) => ({
    action_id: String(r.action_id),
    lead_id: String(r.lead_id),
    email: String(r.email),
    campaign_id: String(r.campaign_id).toLowerCase(),
    reason: String(r.reason),
    suppress: Boolean(r.suppress),
    block: Boolean(r.block),
  }));
}

export interface BlockRow {
  action_id: string;
  email: string;
  campaign_id: string;
  lead_id: string | null;
  reason: string;
}

/** block_queue: the block-list entries the rules ask for (ids minted by the SQL). */
export async function readBlockQueue(warehouse: Warehouse): Promise<BlockRow[]> {
  const ref = { dataset: "output" as const, name: "block_queue" };
  if (!(await warehouse.exists(ref))) throw missingTables("block_queue");
  const rows = await readAll(warehouse.read(ref, { orderBy: ["campaign_id", "action_id"] }));
  return rows.map((r) => ({
    action_id: String(r.action_id),
    email: String(r.email),
    campaign_id: String(r.campaign_id).toLowerCase(),
    lead_id: r.lead_id === null || r.lead_id === undefined ? null : String(r.lead_id),
    reason: String(r.reason),
  }));
}

/**
 * push_queue in rank order. Read whole (it holds `candidates` = slots × overfetch rows, a bounded
 * number) because the loop appends to the changelog while it works through the queue, and a DuckDB
 * connection cannot keep a streaming result open across other statements.
 */
export async function readPushQueue(warehouse: Warehouse): Promise<PushRow[]> {
  const ref = { dataset: "output" as const, name: "push_queue" };
  if (!(await warehouse.exists(ref))) throw missingTables("push_queue");
  const rows = await readAll(warehouse.read(ref, { orderBy: ["rank"] }));
  return rows.map((r) => ({
    action_id: String(r.action_id),
    rank: num(r.rank),
    email: String(r.email),
    campaign_id: String(r.campaign_id).toLowerCase(),
    segment: String(r.segment),
    score: num(r.score),
    needs_verification: Boolean(r.needs_verification),
    // Absent before the column existed (a warehouse transformed by an older release): start afresh.
    verification_pending: r.verification_pending === true,
    verify_action_id: String(r.verify_action_id),
    push_if_catch_all: r.push_if_catch_all === true,
    first_name: (r.first_name as string | null) ?? null,
    last_name: (r.last_name as string | null) ?? null,
    company_name: (r.company_name as string | null) ?? null,
    custom_variables: parseJsonObject(r.custom_variables),
  }));
}

const SUPPRESSED_NOW = { dataset: "output" as const, name: "suppressed_now" };

/** Pushing without the live suppression check would break the do-not-contact promise: refuse. */
export async function requireSuppressedNow(warehouse: Warehouse): Promise<void> {
  if (!(await warehouse.exists(SUPPRESSED_NOW))) throw missingTables("suppressed_now");
}

/**
 * Which of these emails the warehouse suppresses NOW (`suppressed_now`, a live view: DNC rows
 * appended after the transform count), with the reason. One query per add batch, right before it is
 * sent (`requireSuppressedNow` checked at preflight that the view exists).
 */
export async function readSuppressedNow(
  warehouse: Warehouse,
  emails: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (emails.length === 0) return out;
  for await (const batch of warehouse.read(SUPPRESSED_NOW, {
    columns: ["email", "reason"],
    where: { email: [...new Set(emails)] },
  })) {
    for (const r of batch) if (!out.has(String(r.email))) out.set(String(r.email), String(r.reason));
  }
  return out;
}

/** Whether the leads source table has at least one row (the empty-source guard). */
export async function sourceHasLeads(warehouse: Warehouse, settings: Settings): Promise<boolean> {
  const ref = { dataset: "raw" as const, name: settings.vars.leads_table };
  if (!(await warehouse.exists(ref))) return false;
  for await (const batch of warehouse.read(ref, { columns: ["email"], batchSize: 1 })) {
    if (batch.length > 0) return true;
  }
  return false;
}

/** Eligible leads left in the pool (rpt_lead_eligibility), when the transform built it. */
export async function readEligibleCount(warehouse: Warehouse): Promise<number | undefined> {
  const ref = { dataset: "reporting" as const, name: "rpt_lead_eligibility" };
  if (!(await warehouse.exists(ref))) return undefined;
  let n = 0;
  for await (const b of warehouse.read(ref, { where: { status: "eligible" } })) {
    for (const r of b) n += num(r.leads);
  }
  return n;
}

/**
 * Leads of the managed campaigns the drain rules looked at and how many they keep
 * (int_drain_classification, one row per lead of the latest pull), for the drain message.
 */
export async function readDrainCounts(
  warehouse: Warehouse,
): Promise<{ analyzed: number; kept: number } | undefined> {
  const ref = { dataset: "staging" as const, name: "int_drain_classification" };
  if (!(await warehouse.exists(ref))) return undefined;
  let analyzed = 0;
  let kept = 0;
  for await (const b of warehouse.read(ref, { columns: ["action"] })) {
    analyzed += b.length;
    for (const r of b) if (r.action === "keep") kept++;
  }
  return { analyzed, kept };
}

/** finished_at of the last apply that succeeded or was partial (for the "no successful run" alert). */
export async function readLastSuccessAt(warehouse: Warehouse, before: Date): Promise<Date | null> {
  let best: Date | null = null;
  for (const r of await readRuns(warehouse, { mode: "apply" })) {
    if (r.status !== "succeeded" && r.status !== "partial") continue;
    if (r.finished_at === null || r.finished_at === undefined) continue;
    const at = toDate(r.finished_at);
    if (at.getTime() < before.getTime() && (!best || at > best)) best = at;
  }
  return best;
}
