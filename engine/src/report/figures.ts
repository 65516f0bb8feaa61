import type { RelationRef, Row, Warehouse } from "../warehouse/port.ts";

/**
 * The headline figures a person reads, as the SQL defines them (definitions/reporting/rpt_figures.sqlx,
 * rpt_inventory_now.sqlx, rpt_verification_runs.sqlx). Read, never computed, here: engine status, the
 * HTML report and the Slack messages show these values, so they cannot disagree with Looker.
 */
export interface Figures {
  pullRunId: string | null;
  inventoryCap: number;
  inventoryAtPull: number;
  addedSincePull: number;
  drainedSincePull: number;
  inventoryNow: number;
  capacityRemaining: number;
  utilisationPct: number;
  verifiedChecks: number;
  answeredChecks: number;
  /** Verified over answered checks, all runs; null when nothing was answered. */
  verificationSuccessPct: number | null;
  suppressionSize: number;
  applyRuns: number;
  applyRunsSucceeded: number;
  applyRunsPartial: number;
  applyRunsFailed: number;
}

/** One run's verification figures (rpt_verification_runs). */
export interface RunVerification {
  verifiedChecks: number;
  answeredChecks: number;
  /** Verified over answered checks of the run; null when nothing was answered. */
  verificationSuccessPct: number | null;
}

export const figuresRef: RelationRef = { dataset: "reporting", name: "rpt_figures" };
export const inventoryNowRef: RelationRef = { dataset: "reporting", name: "rpt_inventory_now" };
export const verificationRunsRef: RelationRef = { dataset: "reporting", name: "rpt_verification_runs" };

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** rpt_figures' row in the shape above (a report row or a warehouse row alike). */
export function figuresFromRow(r: Record<string, unknown>): Figures {
  return {
    pullRunId: r.pull_run_id === null || r.pull_run_id === undefined ? null : String(r.pull_run_id),
    inventoryCap: num(r.inventory_cap),
    inventoryAtPull: num(r.inventory_at_pull),
    addedSincePull: num(r.added_since_pull),
    drainedSincePull: num(r.drained_since_pull),
    inventoryNow: num(r.inventory_now),
    capacityRemaining: num(r.capacity_remaining),
    utilisationPct: num(r.utilisation_pct),
    verifiedChecks: num(r.verified_checks),
    answeredChecks: num(r.answered_checks),
    verificationSuccessPct: numOrNull(r.verification_success_pct),
    suppressionSize: num(r.suppression_size),
    applyRuns: num(r.apply_runs),
    applyRunsSucceeded: num(r.apply_runs_succeeded),
    applyRunsPartial: num(r.apply_runs_partial),
    applyRunsFailed: num(r.apply_runs_failed),
  };
}

async function firstRow(warehouse: Warehouse, ref: RelationRef, where?: Record<string, string>) {
  for await (const batch of warehouse.read(ref, where ? { where } : {})) if (batch[0]) return batch[0];
  return undefined;
}

/** rpt_figures, or null when the view is not built yet (no transform has run). */
export async function readFigures(warehouse: Warehouse): Promise<Figures | null> {
  if (!(await warehouse.exists(figuresRef))) return null;
  const row = await firstRow(warehouse, figuresRef);
  return row ? figuresFromRow(row) : null;
}

/** rpt_inventory_now's rows (one per managed segment), or null when the view is not built yet. */
export async function readInventoryNow(warehouse: Warehouse): Promise<Row[] | null> {
  if (!(await warehouse.exists(inventoryNowRef))) return null;
  const out: Row[] = [];
  for await (const batch of warehouse.read(inventoryNowRef, { orderBy: ["segment_order"] }))
    out.push(...batch);
  return out;
}

/** One run's verification figures; zero checks when the run verified nothing; null when not built. */
export async function readRunVerification(
  warehouse: Warehouse,
  runId: string,
): Promise<RunVerification | null> {
  if (!(await warehouse.exists(verificationRunsRef))) return null;
  const r = await firstRow(warehouse, verificationRunsRef, { run_id: runId });
  return {
    verifiedChecks: num(r?.verified_checks),
    answeredChecks: num(r?.answered_checks),
    verificationSuccessPct: numOrNull(r?.verification_success_pct),
  };
}
