import type { RunReport } from "../core/run-report.ts";
import { type AttentionItem, heldOutWords, readAttention } from "../report/attention.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { formatCount } from "./format.ts";

/**
 * The "pool running dry" alert for a run: raised when the run's candidates fill under half its slots
 * (rpt_attention's pool_fill row decides it, with what keeps the rest of the pool out), cleared when
 * they fill half or more again. The runway half of "running dry" is the per-campaign pool_runway
 * alert (alerts.ts measurePacingAlerts), with the same alert_runway_min_days threshold as rpt_attention.
 */
export const POOL_FILL_KEY = "pool_fill";

export interface PoolFillMeasurement {
  key: string;
  active: boolean | undefined;
  value?: number;
  threshold: number;
  level: "warning";
  raisedTitle: string;
  clearedTitle: string;
  detail: string;
}

/** Measured only for an apply that ran its push phase and a pool_fill row to judge by. */
export function measurePoolFill(
  report: RunReport,
  fill: AttentionItem | null | undefined,
): PoolFillMeasurement {
  const measured = report.mode === "apply" && report.phases.push && report.status !== "skipped" && !!fill;
  const slots = fill?.slots ?? 0;
  return {
    key: POOL_FILL_KEY,
    active: measured ? fill.needsAttention : undefined,
    ...(fill?.items === null || fill?.items === undefined ? {} : { value: fill.items }),
    threshold: fill?.threshold ?? 0,
    level: "warning",
    raisedTitle: "Lead pool running dry: the run had candidates for under half its slots",
    clearedTitle: "Lead pool fills half the slots or more again",
    detail: fill
      ? `${formatCount(fill.items ?? 0)} candidates for ${formatCount(slots)} slots; ${formatCount(fill.eligibleLeft ?? 0)} eligible leads left, ${heldOutWords(fill)} (rpt_attention)`
      : "",
  };
}

/** rpt_attention's pool_fill row at the end of a run; a read error becomes a warning and no alert. */
export async function loadPoolFillForNotify(
  warehouse: Warehouse,
): Promise<{ fill: AttentionItem | null; warning?: string }> {
  try {
    const items = await readAttention(warehouse);
    return { fill: items?.find((i) => i.kind === "pool_fill") ?? null };
  } catch (error) {
    return {
      fill: null,
      warning: `pool alert skipped: cannot read rpt_attention (${error instanceof Error ? error.message.split("\n")[0] : "error"})`,
    };
  }
}
