import type { RunReport, RunStatus } from "../../core/run-report.ts";
import { FINAL_STATES } from "../../core/states.ts";
import type { InstantlyClient } from "../../instantly/index.ts";
import type { Preflight, RunContext, RunInputs } from "./context.ts";
import type { RunTotals } from "./results.ts";

/**
 * Results → RunReport and sync_runs.counts. Pure: everything comes in as arguments (the client's
 * request counters as a snapshot taken at the end), nothing is read or written here.
 */
export interface RunResults {
  ctx: RunContext;
  inputs: RunInputs | undefined;
  pre: Preflight | undefined;
  /** What the phases did, added up (results.ts). */
  totals: RunTotals;
  status: RunStatus;
  finishedAt: Date;
  fatal: string | undefined;
  /** Eligible leads of the pool before this run (rpt_lead_eligibility), when readable. */
  eligibleBefore: number | undefined;
  /** int_drain_classification: leads the drain rules looked at, and kept (when readable). */
  drainCounts: { analyzed: number; kept: number } | undefined;
  ciRunUrl: string | undefined;
  statsNow: ReturnType<InstantlyClient["stats"]>["totals"];
}

export function buildCounts(r: RunResults): Record<string, unknown> {
  const { ctx, totals, statsNow: stats } = r;
  const before = ctx.callsBefore;
  return {
    pull_run_id: r.inputs?.pull.runId ?? null,
    only: ctx.options.only ?? null,
    force: ctx.options.force ?? false,
    plan_run_id: ctx.options.plan?.plan_run_id ?? null,
    by_op_state: totals.tally.byOpState,
    by_reason: totals.tally.byReason,
    by_campaign: totals.tally.byCampaign,
    errors_by_class: totals.tally.errorsByClass,
    capacity: totals.capacity ?? null,
    adds_unknown: totals.addsUnknown,
    suppressed_since_transform: totals.suppressedSinceTransform,
    blocked_campaigns: r.pre?.guards.blockedCampaigns ?? {},
    guards_overridden: r.pre?.guards.overridden ?? [],
    verification: totals.verification,
    api: {
      calls: stats.calls - before.calls,
      requests: stats.requests - before.requests,
      retries: stats.retries - before.retries,
      rate_limited: stats.rateLimited - before.rateLimited,
    },
    phase_ms: totals.phaseMs,
    warnings: totals.warnings,
  };
}

export function buildReport(r: RunResults): RunReport {
  const { ctx, inputs, pre, totals, statsNow: stats } = r;
  const t = totals.tally;
  const drainRows = pre?.drainRows ?? [];
  const byReason: Record<string, number> = {};
  for (const d of drainRows) byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
  const deleted = t.count("drain", "succeeded");
  const added = t.count("add", "succeeded");
  const inventoryBefore = inputs?.budget.activeInventory ?? 0;
  const statusDelta = (pred: (k: string) => boolean) =>
    Object.entries(stats.byStatus)
      .filter(([k]) => pred(k))
      .reduce((n, [k, v]) => n + v - (ctx.callsBefore.byStatus[k] ?? 0), 0);
  return {
    runId: ctx.runId,
    mode: ctx.mode,
    status: r.status,
    startedAt: ctx.startedAt,
    finishedAt: r.finishedAt,
    ...(r.ciRunUrl ? { ciRunUrl: r.ciRunUrl } : {}),
    ...(r.fatal ? { error: r.fatal } : {}),
    phases: ctx.phases,
    capacity: {
      cap: inputs?.budget.cap ?? ctx.settings.vars.inventory_cap,
      inventoryBefore,
      inventoryAfter: inventoryBefore - deleted + added,
      slots: inputs?.budget.slots ?? 0,
      // Eligible leads of the pool (rpt_lead_eligibility, computed before this run) minus what it added.
      eligibleRemaining: Math.max(0, (r.eligibleBefore ?? inputs?.budget.queued ?? 0) - added),
    },
    adds: {
      attempted: totals.addsAttempted,
      added,
      skipped: t.count("add", "skipped"),
      rejected: t.count("add", "rejected") + t.count("add", "invalid"),
      failed: t.count("add", "failed"),
      byCampaign: (pre?.campaigns ?? []).map((m) => {
        const id = m.campaign.id.toLowerCase();
        const attempted = FINAL_STATES.reduce((n, s) => n + t.campaignCount(id, "add", s), 0);
        return {
          campaignId: id,
          segment: m.segment.name,
          campaignName: m.campaign.name,
          attempted,
          added: t.campaignCount(id, "add", "succeeded"),
        };
      }),
    },
    verification: {
      ...totals.verification,
      failedDisposition:
        "invalid: suppressed, never pushed; catch-all: not pushed while allow_catch_all is false; pending: verified again next run",
    },
    drain: {
      analyzed: r.drainCounts?.analyzed ?? inputs?.pull.leadRows ?? 0,
      kept: r.drainCounts?.kept ?? 0,
      identified: drainRows.length,
      byReason,
      attempted: totals.drainsAttempted,
      deleted,
      failed: t.count("drain", "failed") + t.count("drain", "rejected"),
    },
    blocklist: { added: t.count("block", "succeeded") },
    api: {
      calls: stats.calls - ctx.callsBefore.calls,
      succeeded: statusDelta((k) => /^2\d\d$/.test(k)),
      retries: stats.retries - ctx.callsBefore.retries,
      throttled: stats.rateLimited - ctx.callsBefore.rateLimited,
    },
    errorsByClass: { ...t.errorsByClass },
    errorsByPhase: { drain: { ...t.errorsByPhase.drain }, push: { ...t.errorsByPhase.push } },
    phaseDurationsMs: { ...totals.phaseMs },
  };
}
