import type { RunReport } from "../../core/run-report.ts";
import type { Preflight } from "./context.ts";
import { describeFatal } from "./results.ts";
import type { ApplyOptions } from "./types.ts";

/**
 * The run's last step (apply mode): hand the report to the notifier the caller gave (`onReport`: the
 * CLI passes notifyRun through session.ts). Returns warnings; a notification never fails the run.
 */
export async function notify(
  onReport: ApplyOptions["onReport"],
  report: RunReport,
  pre: Preflight | undefined,
): Promise<string[]> {
  if (!onReport) return [];
  try {
    return await onReport(report, { campaigns: pre?.campaigns ?? [], health: pre?.health ?? [] });
  } catch (error) {
    return [`notification failed: ${describeFatal(error)}`];
  }
}
