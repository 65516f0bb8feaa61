import { type ActionOp, parseActionOp } from "../core/action-id.ts";
import { type ActionStateName, parseActionState } from "../core/states.ts";
import { redactText } from "../notify/pii.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";
import { readAll, readRuns } from "./warehouse-reads.ts";

/**
 * Run history for `engine runs` and `engine show RUN_ID`, from the engine's own tables (fresh right
 * after a run, before any transform): sync_runs for each run's status and the counts it recorded at
 * its end, sync_changelog for one run's rows. Counts, ids and error classes only: no email or name.
 */
export interface RunSummary {
  runId: string;
  mode: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationSeconds: number | null;
  adds: number | null;
  drains: number | null;
  /** Rejected + failed rows the run recorded. */
  failures: number | null;
  errorsByClass: Record<string, number>;
  error: string | null;
  ciRunUrl: string | null;
  counts: Record<string, unknown> | null;
}

export interface FailedRowSample {
  action_id: string;
  op: ActionOp;
  campaign_id: string | null;
  state: ActionStateName;
  error_code: string | null;
  http_status: number | null;
  retryable: boolean | null;
  message: string | null;
}

export interface RunDetail {
  run: RunSummary;
  /** Final states this run wrote, per op (deduplicated per action and state). */
  byOpState: Record<string, Record<string, number>>;
  byReason: Record<string, Record<string, number>>;
  byCampaign: Record<string, Record<string, number>>;
  byError: Record<string, number>;
  /** Actions this run sent whose outcome only the next pull can settle (an intent, no final row). */
  unresolved: number;
  failedSample: FailedRowSample[];
}

const iso = (v: unknown) =>
  v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v);
const time = (v: unknown) => (v instanceof Date ? v.getTime() : v ? Date.parse(String(v)) : -1);

function summarise(r: Row): RunSummary {
  const counts = r.counts && typeof r.counts === "object" ? (r.counts as Record<string, unknown>) : null;
  const byOp = (counts?.by_op_state ?? {}) as Record<string, Record<string, number>>;
  const errors = (counts?.errors_by_class ?? {}) as Record<string, number>;
  const isApply = r.mode === "apply" || r.mode === "plan";
  const sum = (states: string[]) =>
    Object.values(byOp).reduce((n, s) => n + states.reduce((m, k) => m + Number(s[k] ?? 0), 0), 0);
  const started = time(r.started_at);
  const finished = r.finished_at ? time(r.finished_at) : null;
  return {
    runId: String(r.run_id),
    mode: String(r.mode),
    status: String(r.status),
    startedAt: iso(r.started_at) as string,
    finishedAt: iso(r.finished_at),
    durationSeconds: finished === null ? null : Math.max(0, (finished - started) / 1000),
    adds: isApply && counts ? Number(byOp.add?.succeeded ?? 0) : null,
    drains: isApply && counts ? Number(byOp.drain?.succeeded ?? 0) : null,
    failures: isApply && counts ? sum(["failed", "rejected"]) : null,
    errorsByClass: errors,
    error: (r.error as string | null) ?? null,
    ciRunUrl: (r.ci_run_url as string | null) ?? null,
    counts,
  };
}

/** The latest sync_runs row per run (apply writes a start row and a final row), newest first. */
export async function listRuns(warehouse: Warehouse, limit: number, mode?: string): Promise<RunSummary[]> {
  const byRun = new Map<string, Row>();
  for (const r of await readRuns(warehouse, mode ? { mode } : {})) {
    const prev = byRun.get(String(r.run_id));
    if (!prev || time(r.finished_at) > time(prev.finished_at)) byRun.set(String(r.run_id), r);
  }
  return [...byRun.values()]
    .sort((a, b) => time(b.started_at) - time(a.started_at))
    .slice(0, limit)
    .map(summarise);
}

/** One run's breakdown; undefined when no sync_runs row has this id. */
export async function showRun(
  warehouse: Warehouse,
  runId: string,
  sampleSize = 10,
): Promise<RunDetail | undefined> {
  const [run] = await listRunsById(warehouse, runId);
  if (!run) return undefined;
  const rows = await readAll(
    warehouse.read({ dataset: "ops", name: "sync_changelog" }, { where: { run_id: runId } }),
  );
  const seen = new Set<string>();
  const finals = new Set<string>();
  const intents = new Set<string>();
  const detail: RunDetail = {
    run,
    byOpState: {},
    byReason: {},
    byCampaign: {},
    byError: {},
    unresolved: 0,
    failedSample: [],
  };
  const bump = (table: Record<string, Record<string, number>>, key: string, sub: string) => {
    const inner = table[key] ?? {};
    inner[sub] = (inner[sub] ?? 0) + 1;
    table[key] = inner;
  };
  for (const r of rows.sort((a, b) => time(a.recorded_at) - time(b.recorded_at))) {
    const id = String(r.action_id);
    const state = parseActionState(r.state);
    if (state === "intent") {
      intents.add(id);
      continue;
    }
    // Storage Write is at-least-once: the same final row may be there twice.
    if (seen.has(`${id}|${state}`)) continue;
    seen.add(`${id}|${state}`);
    finals.add(id);
    const op = parseActionOp(r.op);
    bump(detail.byOpState, op, state);
    bump(detail.byReason, op, (r.reason as string | null) ?? "-");
    bump(detail.byCampaign, (r.campaign_id as string | null) ?? "-", `${op}_${state}`);
    if (state === "failed" || state === "rejected" || state === "invalid") {
      const code = (r.error_code as string | null) ?? state;
      detail.byError[code] = (detail.byError[code] ?? 0) + 1;
      if (detail.failedSample.length < sampleSize) {
        detail.failedSample.push({
          action_id: id,
          op,
          campaign_id: (r.campaign_id as string | null) ?? null,
          state,
          error_code: (r.error_code as string | null) ?? null,
          http_status: r.http_status === null || r.http_status === undefined ? null : Number(r.http_status),
          retryable: (r.retryable as boolean | null) ?? null,
          // Messages are written without PII; redact again so a future writer's slip cannot reach a terminal log.
          message: r.message ? redactText(String(r.message).slice(0, 160)).value : null,
        });
      }
    }
  }
  for (const id of intents) if (!finals.has(id)) detail.unresolved++;
  return detail;
}

async function listRunsById(warehouse: Warehouse, runId: string): Promise<RunSummary[]> {
  const rows = await readRuns(warehouse, { run_id: runId });
  const latest = rows.sort((a, b) => time(b.finished_at) - time(a.finished_at))[0];
  return latest ? [summarise(latest)] : [];
}
