import type { RunReport } from "../core/run-report.ts";
import { percentOf } from "./format.ts";

/** Figures derived from a RunReport that the messages, the notification data and the alerts share. */

export function utilizationPct(report: RunReport): number {
  const { cap, inventoryAfter } = report.capacity;
  return cap > 0 ? (inventoryAfter / cap) * 100 : inventoryAfter > 0 ? 100 : 0;
}

/** Verified share of the verifications that got an answer (pending ones are not failures yet). */
export function verificationSuccessPct(report: RunReport): number | undefined {
  const v = report.verification;
  return percentOf(v.verified, v.verified + v.invalid + v.catchAll);
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
