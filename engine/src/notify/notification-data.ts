import type { RunReport } from "../core/run-report.ts";
import { percentOf, perMinute, round1 } from "./format.ts";
import { campaignLabel, type MessageFigures, phaseErrors, phaseMs } from "./report-figures.ts";

/**
 * The structured `notification_data` of the sync and drain messages: the fields Echo's transformer
 * reads, so dashboards built on it keep working. Counts and codes only, never a lead.
 */

/** Error classes as the Echo `errors` list of strings ("timeout: 4 rows"). */
function errorList(report: RunReport, errors: Record<string, number>): string[] {
  const list = Object.entries(errors)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([cls, n]) => `${cls}: ${n} ${n === 1 ? "row" : "rows"}`);
  if (report.status === "failed" && report.error) list.unshift(`run failed: ${report.error.slice(0, 300)}`);
  return list;
}

/**
 * The Echo external endpoint's sync `notification_data`, field for field as its transformer reads it, plus `run_id` and `status`. Campaign
 * entries are keyed `<segment>_campaign` (`smb_campaign`, `midsize_campaign`). Rates that
 * were not measured are null; `bigquery_eligible` keeps the name the transformer reads whatever the warehouse.
 */
export function syncNotificationData(report: RunReport, f: MessageFigures | null): Record<string, unknown> {
  const { capacity: cap, adds, verification: v } = report;
  const leadsProcessed: Record<string, unknown> = { total_attempted: adds.attempted };
  for (const c of adds.byCampaign) {
    leadsProcessed[`${c.segment}_campaign`] = {
      campaign_id: c.campaignId,
      leads_added: c.added,
      campaign_name: campaignLabel(c),
    };
  }
  const ms = phaseMs(report, "push");
  return {
    operation: "sync",
    run_id: report.runId,
    status: report.status,
    timestamp: report.finishedAt.toISOString(),
    duration_seconds: Math.round(ms / 100) / 10,
    capacity_status: {
      current_inventory: f?.inventoryNow ?? null,
      max_capacity: f?.inventoryCap ?? cap.cap,
      utilization_percentage: round1(f?.utilisationPct),
      estimated_capacity_remaining: f?.capacityRemaining ?? null,
    },
    leads_processed: leadsProcessed,
    verification_results: {
      total_attempted: v.attempted,
      verified_successful: v.verified,
      verification_failed: v.invalid + v.catchAll,
      failed_reasons: { invalid: v.invalid, catch_all: v.catchAll },
      failed_disposition: v.failedDisposition,
      credits_used: v.creditsUsed,
      success_rate_percentage: round1(f?.runVerificationSuccessPct ?? undefined),
    },
    final_inventory: { instantly_total: f?.inventoryNow ?? null, bigquery_eligible: cap.eligibleRemaining },
    performance: {
      api_success_rate: round1(percentOf(report.api.succeeded, report.api.calls)),
      processing_rate_per_minute: round1(perMinute(adds.attempted, ms)),
    },
    errors: errorList(report, phaseErrors(report, "push")),
    github_run_url: report.ciRunUrl ?? null,
  };
}

/** The Echo transformer's drain keys for the reason codes that have one; other reasons keep their code. */
const echoReasonKeys: Record<string, string> = { bounced: "bounced_hard", stale: "stale_active" };

/**
 * The Echo external endpoint's drain `notification_data`, field for field, except: `leads_skipped_24hr` →
 * `leads_kept_in_sequence` (what we measure instead), no `classification_accuracy` (never measured),
 * and every other drain reason appears under its own code. Plus `run_id` and `status`.
 */
export function drainNotificationData(report: RunReport, f: MessageFigures | null): Record<string, unknown> {
  const d = report.drain;
  const classifications: Record<string, number> = {
    completed: 0,
    replied: 0,
    bounced_hard: 0,
    unsubscribed: 0,
    stale_active: 0,
  };
  for (const [code, n] of Object.entries(d.byReason)) classifications[echoReasonKeys[code] ?? code] = n;
  classifications.total_identified = d.identified;
  const ms = phaseMs(report, "drain");
  return {
    operation: "drain",
    run_id: report.runId,
    status: report.status,
    timestamp: report.finishedAt.toISOString(),
    duration_seconds: Math.round(ms / 100) / 10,
    analysis_summary: {
      total_leads_analyzed: d.analyzed,
      leads_kept_in_sequence: d.kept,
      leads_eligible_for_drain: Math.max(0, d.analyzed - d.kept),
    },
    drain_classifications: classifications,
    deletion_results: {
      attempted_deletions: d.attempted,
      successful_deletions: d.deleted,
      failed_deletions: d.failed,
      success_rate_percentage: round1(percentOf(d.deleted, d.attempted)),
    },
    dnc_updates: {
      new_unsubscribes: report.blocklist.added,
      total_dnc_list: f?.suppressionSize ?? null,
    },
    inventory_impact: {
      leads_removed: d.deleted,
      new_inventory_total: Math.max(0, report.capacity.inventoryBefore - d.deleted),
    },
    performance: { processing_rate_per_minute: round1(perMinute(d.analyzed, ms)) },
    errors: errorList(report, phaseErrors(report, "drain")),
    github_run_url: report.ciRunUrl ?? null,
  };
}
