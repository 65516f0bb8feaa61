import type { RunReport } from "../core/run-report.ts";
import { type Figures, readFigures, readRunVerification } from "../report/figures.ts";
import type { Warehouse } from "../warehouse/port.ts";

/**
 * The figures the run messages and alerts show, as the SQL defines them (rpt_figures and
 * rpt_verification_runs), read after the run's sync_runs row was recorded so they include this run.
 * No figure is computed here: null when the views are not built, and the messages then say "n/a".
 */
export type MessageFigures = Pick<
  Figures,
  "inventoryNow" | "inventoryCap" | "capacityRemaining" | "utilisationPct" | "suppressionSize"
> & {
  /** This run's verified over answered checks (rpt_verification_runs); null when none was answered. */
  runVerificationSuccessPct: number | null;
};

export async function readMessageFigures(
  warehouse: Warehouse,
  runId: string,
): Promise<MessageFigures | null> {
  const figures = await readFigures(warehouse);
  const run = await readRunVerification(warehouse, runId);
  if (!figures || !run) return null;
  return {
    inventoryNow: figures.inventoryNow,
    inventoryCap: figures.inventoryCap,
    capacityRemaining: figures.capacityRemaining,
    utilisationPct: figures.utilisationPct,
    suppressionSize: figures.suppressionSize,
    runVerificationSuccessPct: run.verificationSuccessPct,
  };
}

/** readMessageFigures for the end of a run: a read error becomes a warning, never a failed run. */
export async function loadFiguresForNotify(
  warehouse: Warehouse,
  runId: string,
): Promise<{ figures: MessageFigures | null; warning?: string }> {
  try {
    return { figures: await readMessageFigures(warehouse, runId) };
  } catch (error) {
    return {
      figures: null,
      warning: `figures skipped: cannot read rpt_figures (${error instanceof Error ? error.message.split("\n")[0] : "error"})`,
    };
  }
}

export function phaseMs(report: RunReport, phase: "drain" | "push"): number {
  return report.phaseDurationsMs?.[phase] ?? report.finishedAt.getTime() - report.startedAt.getTime();
}

export function phaseErrors(report: RunReport, phase: "drain" | "push"): Record<string, number> {
  return report.errorsByPhase?.[phase] ?? report.errorsByClass;
}

export function campaignLabel(c: RunReport["adds"]["byCampaign"][number]): string {
  return c.campaignName ?? c.segment;
}
