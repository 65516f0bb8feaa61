import { parseActionOp } from "../core/action-id.ts";
import { parseActionState } from "../core/states.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { type PriorState, type PullInfo, parseJsonObject, readRuns } from "./warehouse-reads.ts";

/**
 * What earlier applies of one pull did, found without trusting any clock. Every apply records, in
 * the `counts` of the sync_runs start row it writes before acting, the pull it acts on and its place
 * among that pull's applies (`startRowCounts`). So the applies of a pull are the runs that name it,
 * in the order they name — whatever their machines' clocks stamped. Runs written by a release that
 * did not record their pull fall back to "started after the pull started".
 */
export interface ApplyHistory {
  /** Latest state per action id over the earlier applies of this pull. */
  prior: Map<string, PriorState>;
  /** How many applies of this pull ran before (this run is number `applies + 1`). */
  applies: number;
}

const PULL_KEY = "pull_run_id";
const NUMBER_KEY = "apply_number";

/** The counts of an apply's start row: the pull it acts on and its number among that pull's applies. */
export function startRowCounts(pullRunId: string, applyNumber: number): Record<string, unknown> {
  return { [PULL_KEY]: pullRunId, [NUMBER_KEY]: applyNumber };
}

interface ApplyRun {
  runId: string;
  /** The pull the run recorded, or null (written before runs recorded it). */
  pullRunId: string | null;
  applyNumber: number;
  startedAt: number;
}

const toMs = (v: unknown): number => (v instanceof Date ? v : new Date(String(v))).getTime();

/** The apply runs of `pull`, earliest first. */
export async function appliesOfPull(warehouse: Warehouse, pull: PullInfo): Promise<ApplyRun[]> {
  const runs = new Map<string, ApplyRun>();
  for (const r of await readRuns(warehouse, { mode: "apply" })) {
    const runId = String(r.run_id);
    const counts = parseJsonObject(r.counts);
    const named = counts?.[PULL_KEY];
    const run = runs.get(runId) ?? { runId, pullRunId: null, applyNumber: 0, startedAt: toMs(r.started_at) };
    if (typeof named === "string") {
      run.pullRunId = named;
      run.applyNumber = Number(counts?.[NUMBER_KEY] ?? 0) || 0;
    }
    runs.set(runId, run);
  }
  const pullStart = pull.startedAt.getTime();
  return [...runs.values()]
    .filter((r) => (r.pullRunId === null ? r.startedAt >= pullStart : r.pullRunId === pull.runId))
    .sort(
      (a, b) =>
        // Unrecorded (older) runs first; then by the number each run took; the run id breaks a tie
        // (two applies started at once, each counting the same earlier ones).
        Number(a.pullRunId !== null) - Number(b.pullRunId !== null) ||
        a.applyNumber - b.applyNumber ||
        (a.pullRunId === null ? a.startedAt - b.startedAt : 0) ||
        a.runId.localeCompare(b.runId),
    );
}

/**
 * Latest state per action_id over the changelog rows of the applies of this pull (the only runs that
 * can hold actions of this pull, whose run id is part of the action id). A later run's row beats any
 * row of an earlier run, whatever the stamps say; within one run the later stamp wins, except that a
 * final row always beats the intent (the rules' order, stg_sync_action_state).
 */
export async function readApplyHistory(warehouse: Warehouse, pull: PullInfo): Promise<ApplyHistory> {
  const runs = await appliesOfPull(warehouse, pull);
  const states = new Map<string, PriorState>();
  for (const run of runs) {
    const ofRun = new Map<string, PriorState>();
    for await (const batch of warehouse.read(
      { dataset: "ops", name: "sync_changelog" },
      {
        columns: [
          "action_id",
          "op",
          "state",
          "retryable",
          "error_code",
          "campaign_id",
          "lead_id",
          "recorded_at",
        ],
        where: { run_id: run.runId },
      },
    )) {
      for (const r of batch) {
        const at = toMs(r.recorded_at);
        const id = String(r.action_id);
        const prev = ofRun.get(id);
        const state = parseActionState(r.state);
        // A final row beats the intent whatever the stamps say; between two finals the later wins.
        const rank = (s: string) => (s === "intent" ? 0 : 1);
        if (prev && (rank(prev.state) > rank(state) || (rank(prev.state) === rank(state) && prev.at > at)))
          continue;
        ofRun.set(id, {
          op: parseActionOp(r.op),
          state,
          retryable: r.retryable === null || r.retryable === undefined ? null : Boolean(r.retryable),
          errorCode: r.error_code === null || r.error_code === undefined ? null : String(r.error_code),
          campaignId: r.campaign_id === null || r.campaign_id === undefined ? null : String(r.campaign_id),
          leadId: r.lead_id === null || r.lead_id === undefined ? null : String(r.lead_id),
          at,
        });
      }
    }
    for (const [id, state] of ofRun) states.set(id, state);
  }
  const applies = runs.reduce((n, r) => Math.max(n, r.applyNumber), 0);
  return { prior: states, applies: Math.max(applies, runs.length) };
}
