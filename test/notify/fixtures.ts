import { type DrainReasonLabel, drainReasonLabels } from "../../engine/src/config/includes.ts";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import type { RunReport } from "../../engine/src/core/run-report.ts";
import type { MessageFigures } from "../../engine/src/notify/report-figures.ts";

/**
 * A fixed run shaped after the original notification examples: a drain of 166 leads and a push of 92,
 * finishing 2025-01-15 19:30 UTC (2:30 PM in New York). Counts only, no PII, like every RunReport.
 */
export function sampleReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    runId: "run-20250115-1930",
    mode: "apply",
    status: "partial",
    startedAt: new Date("2025-01-15T19:13:00.000Z"),
    finishedAt: new Date("2025-01-15T19:30:00.000Z"),
    ciRunUrl: "https://github.com/acme/cold-email/actions/runs/123456",
    phases: { drain: true, push: true },
    capacity: {
      cap: 24_000,
      inventoryBefore: 1_342,
      inventoryAfter: 1_272,
      slots: 100,
      eligibleRemaining: 291_469,
    },
    adds: {
      attempted: 93,
      added: 92,
      skipped: 0,
      rejected: 1,
      failed: 0,
      byCampaign: [
        {
          campaignId: "8c46e0c9-c1f9-4201-a8d6-6221bafeada6",
          segment: "smb",
          campaignName: "SMB",
          attempted: 66,
          added: 65,
        },
        {
          campaignId: "5ffbe8c3-dc0e-41e4-9999-48f00d2015df",
          segment: "midsize",
          campaignName: "Midsize",
          attempted: 27,
          added: 27,
        },
      ],
    },
    verification: {
      attempted: 100,
      verified: 92,
      invalid: 6,
      catchAll: 2,
      pending: 0,
      creditsUsed: 25,
      failedDisposition: "suppressed, never retried",
    },
    drain: {
      analyzed: 1_342,
      kept: 1_156,
      identified: 166,
      byReason: { completed: 89, replied: 34, bounced: 12, unsubscribed: 8, stale: 23 },
      attempted: 166,
      deleted: 162,
      failed: 4,
    },
    blocklist: { added: 8, suppressedTotal: 11_734 },
    api: { calls: 412, succeeded: 407, retries: 6, throttled: 2 },
    errorsByClass: { timeout: 4, http_422: 1 },
    errorsByPhase: { drain: { timeout: 4 }, push: { http_422: 1 } },
    phaseDurationsMs: { drain: 892_100, push: 127_500 },
    ...overrides,
  };
}

/** A run with far more campaigns, reasons and error classes than any Slack message can hold. */
export function hugeReport(): RunReport {
  const base = sampleReport();
  const byCampaign = Array.from({ length: 400 }, (_, i) => ({
    campaignId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    segment: `segment_${i}`,
    campaignName: `Campaign ${i} ${"with a very long descriptive name ".repeat(8)}🚀`,
    attempted: 10 + i,
    added: 9 + i,
  }));
  const byReason: Record<string, number> = { ...base.drain.byReason };
  for (let i = 0; i < 300; i++) byReason[`custom_reason_${i}_${"x".repeat(30)}`] = i + 1;
  const errorsByClass: Record<string, number> = {};
  for (let i = 0; i < 500; i++) errorsByClass[`error_class_${i}`] = 1000 - i;
  return {
    ...base,
    adds: { ...base.adds, byCampaign },
    drain: { ...base.drain, byReason },
    errorsByClass,
    errorsByPhase: { drain: errorsByClass, push: errorsByClass },
    error: "x".repeat(5000),
    status: "failed",
  };
}

/**
 * The figures the SQL (rpt_figures, rpt_verification_runs) gives after a fixture run, as
 * readMessageFigures returns them: the run's inventory after it against its cap, its verified over
 * answered checks. A stand-in for the warehouse in these rendering tests; test/report/figures-agree.test.ts
 * checks on a real warehouse that the messages show exactly the SQL's values.
 */
export function figuresAsSqlWould(report: RunReport): MessageFigures {
  const { cap, inventoryAfter } = report.capacity;
  const v = report.verification;
  const answered = v.verified + v.invalid + v.catchAll;
  return {
    inventoryNow: inventoryAfter,
    inventoryCap: cap,
    capacityRemaining: Math.max(0, cap - inventoryAfter),
    utilisationPct: cap > 0 ? (100 * inventoryAfter) / cap : inventoryAfter > 0 ? 100 : 0,
    suppressionSize: report.blocklist.suppressedTotal ?? 0,
    runVerificationSuccessPct: answered > 0 ? (100 * v.verified) / answered : null,
  };
}

/** The drain reason labels of this repo's includes/rules.js, with stale_days 90 (as the seeds show it). */
export function sampleReasonLabels(): DrainReasonLabel[] {
  const settings = loadSettings({ projectDir: repoRoot(), overrides: { stale_days: "90" } });
  return drainReasonLabels(settings.projectDir, settings.rawVars);
}
