import type { RunReport } from "../core/run-report.ts";
import { renderSlackPayload } from "./blocks.ts";
import {
  formatClock,
  formatClock24,
  formatCount,
  formatCredits,
  formatDuration,
  formatPercent,
  percentOf,
  perMinute,
  round1,
} from "./format.ts";
import type { MessageDoc, MessageSection, OutgoingMessage } from "./message.ts";
import { renderText } from "./text.ts";

/**
 * Run messages from a RunReport, laid out like the seed examples (seed 001 "Live Notification
 * Examples", which is what the team sees today). Only measured figures: the seeds' "classification
 * accuracy" has no measurement behind it and is left out; their "Skipped (24hr filter)" count is
 * replaced by `drain.kept` (leads still in their sequence); "BigQuery eligible" reads "Warehouse
 * eligible" because the warehouse may be DuckDB. Credits are Instantly credits, not dollars.
 */
export interface RenderOptions {
  /** IANA zone for the clock label ("2:30 PM EST"). */
  timeZone: string;
  /** `stale_days` var, for the "Stale (90+ days)" label. */
  staleDays?: number;
}

/** Seed thresholds: 🟢 under 70 %, 🟡 under 90 %, 🔴 from 90 % (capacity utilisation). */
export function capacityEmoji(utilizationPct: number): string {
  return utilizationPct < 70 ? "🟢" : utilizationPct < 90 ? "🟡" : "🔴";
}

/** Seed thresholds: ✨ from 90 %, ⚠️ from 80 %, 🚨 under 80 % (verification success). */
export function verificationEmoji(successPct: number): string {
  return successPct >= 90 ? "✨" : successPct >= 80 ? "⚠️" : "🚨";
}

/** The run's headline word for its status (the seeds only show "Complete"). */
function outcome(report: RunReport): string {
  if (report.mode === "plan") return "Plan (nothing written)";
  if (report.status === "failed") return "Failed";
  if (report.status === "partial") return "Complete with Issues";
  if (report.status === "skipped") return "Skipped";
  return "Complete";
}

export function utilizationPct(report: RunReport): number {
  const { cap, inventoryAfter } = report.capacity;
  return cap > 0 ? (inventoryAfter / cap) * 100 : inventoryAfter > 0 ? 100 : 0;
}

/** Verified share of the verifications that got an answer (pending ones are not failures yet). */
export function verificationSuccessPct(report: RunReport): number | undefined {
  const v = report.verification;
  return percentOf(v.verified, v.verified + v.invalid + v.catchAll);
}

function phaseMs(report: RunReport, phase: "drain" | "push"): number {
  return report.phaseDurationsMs?.[phase] ?? report.finishedAt.getTime() - report.startedAt.getTime();
}

function phaseErrors(report: RunReport, phase: "drain" | "push"): Record<string, number> {
  return report.errorsByPhase?.[phase] ?? report.errorsByClass;
}

const MAX_ERROR_CLASSES = 10;
/** Longer lists (campaigns, unusual drain reasons) are cut so every variant stays readable. */
const MAX_LIST_LINES = 25;

function capList(lines: string[], what: string): string[] {
  if (lines.length <= MAX_LIST_LINES) return lines;
  return [...lines.slice(0, MAX_LIST_LINES), `• …and ${lines.length - MAX_LIST_LINES} more ${what}`];
}

/** "⚠️ Issues: 4 rows failed or rejected" with the top error classes; undefined when clean. */
function issuesSection(report: RunReport, errors: Record<string, number>): MessageSection | undefined {
  const classes = Object.entries(errors)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const lines = classes.slice(0, MAX_ERROR_CLASSES).map(([cls, n]) => `• ${cls}: ${formatCount(n)}`);
  if (classes.length > MAX_ERROR_CLASSES)
    lines.push(`• …and ${classes.length - MAX_ERROR_CLASSES} more classes`);
  if (report.status === "failed" && report.error)
    lines.unshift(`• Run failed: ${report.error.slice(0, 300)}`);
  if (lines.length === 0) return undefined;
  const rows = classes.reduce((sum, [, n]) => sum + n, 0);
  return {
    emoji: "⚠️",
    heading: "Issues",
    summary:
      rows > 0
        ? `${formatCount(rows)} ${rows === 1 ? "row" : "rows"} failed or rejected (logged in sync_changelog)`
        : "the run failed",
    lines,
  };
}

function apiLine(report: RunReport): string {
  const { calls, succeeded, retries, throttled } = report.api;
  if (calls === 0) return "• API calls: none";
  const extra = [
    retries > 0 ? `${formatCount(retries)} retries` : "",
    throttled > 0 ? `${formatCount(throttled)} throttled` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `• API Success: ${formatPercent(percentOf(succeeded, calls))}${extra ? ` (${extra})` : ""}`;
}

function performanceSection(report: RunReport, phase: "drain" | "push", processed: number): MessageSection {
  const ms = phaseMs(report, phase);
  const rate = perMinute(processed, ms);
  return {
    emoji: "⚡",
    heading: "Performance",
    lines: [
      `• Duration: ${formatDuration(ms)} | Rate: ${rate === undefined ? "n/a" : formatCount(rate)} leads/min`,
      apiLine(report),
    ],
  };
}

function campaignLabel(c: RunReport["adds"]["byCampaign"][number]): string {
  return c.campaignName ?? c.segment;
}

/** The sync (push) message as a document. */
export function syncDoc(report: RunReport, options: RenderOptions): MessageDoc {
  const { capacity: cap, adds, verification: v } = report;
  const util = utilizationPct(report);
  const sections: MessageSection[] = [];
  sections.push({
    emoji: "📊",
    heading: "Capacity Status",
    lines: [
      `${capacityEmoji(util)} Current: ${formatCount(cap.inventoryAfter)} / ${formatCount(cap.cap)} leads (${formatPercent(util)} utilized)`,
      `• Available capacity: ~${formatCount(Math.max(0, cap.cap - cap.inventoryAfter))} leads remaining`,
      `• Added this run: +${formatCount(adds.added)} leads (${formatCount(cap.slots)} slots)`,
    ],
  });
  const breakdown = capList(
    adds.byCampaign.map((c) => `• ${campaignLabel(c)} Campaign: ${formatCount(c.added)} leads added`),
    "campaigns",
  );
  breakdown.push(`• Total processed: ${formatCount(adds.added)}/${formatCount(adds.attempted)} attempted`);
  if (adds.skipped > 0) breakdown.push(`• Skipped by Instantly: ${formatCount(adds.skipped)}`);
  if (adds.rejected > 0)
    breakdown.push(`• Rejected: ${formatCount(adds.rejected)} → suppressed, not retried`);
  if (adds.failed > 0) breakdown.push(`• Failed: ${formatCount(adds.failed)} → retried next run`);
  sections.push({ emoji: "📈", heading: "Campaign Breakdown", lines: breakdown });

  const success = verificationSuccessPct(report);
  if (v.attempted === 0) {
    sections.push({
      emoji: "✅",
      heading: "Email Verification",
      lines: ["• No verification needed this run"],
    });
  } else {
    const decided = v.verified + v.invalid + v.catchAll;
    const failed = v.invalid + v.catchAll;
    const lines = [
      `• Success: ${formatCount(v.verified)}/${formatCount(decided)} (${formatPercent(success)})`,
    ];
    const reasons = [
      v.invalid > 0 ? `invalid ${formatCount(v.invalid)}` : "",
      v.catchAll > 0 ? `catch-all ${formatCount(v.catchAll)}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(
      `• Failed: ${formatCount(failed)} leads${reasons ? ` (${reasons})` : ""} → ${v.failedDisposition}`,
    );
    if (v.pending > 0) lines.push(`• Pending: ${formatCount(v.pending)} → checked again next run`);
    lines.push(`• Credits used: ${formatCredits(v.creditsUsed)}`);
    sections.push({
      emoji: success === undefined ? "⏳" : verificationEmoji(success),
      heading: "Email Verification",
      lines,
    });
  }

  sections.push({
    emoji: "📦",
    heading: "Current Inventory",
    lines: [
      `• Instantly: ${formatCount(cap.inventoryAfter)} active leads`,
      `• Warehouse eligible: ${formatCount(cap.eligibleRemaining)} ready`,
    ],
  });
  sections.push(performanceSection(report, "push", adds.attempted));
  const issues = issuesSection(report, phaseErrors(report, "push"));
  if (issues) sections.push(issues);
  return {
    kind: "sync",
    emoji: "🔄",
    headline: `Cold Email Sync ${outcome(report)}`,
    timeLabel: formatClock(report.finishedAt, options.timeZone),
    sections,
    linkUrl: report.ciRunUrl,
  };
}

/** Labels for drain reason codes (includes/rules.js); the first five are the seeds' and always shown. */
function reasonLabels(staleDays?: number): Array<[string, string]> {
  return [
    ["completed", "✅ Completed sequences"],
    ["replied", "💬 Replied"],
    ["bounced", "⚠️ Hard bounced"],
    ["unsubscribed", "🚫 Unsubscribed"],
    ["stale", staleDays ? `🕐 Stale (${staleDays}+ days)` : "🕐 Stale"],
    ["interested", "🤝 Interested (handed off)"],
    ["meeting_booked", "📅 Meeting booked (handed off)"],
    ["not_interested", "🙅 Not interested"],
    ["wrong_person", "👤 Wrong person"],
    ["company_replied", "🏢 Company replied"],
    ["skipped", "⏭️ Skipped by Instantly"],
    ["suppressed", "🔒 Now in DNC"],
  ];
}
const SEED_REASONS = 5;

/** The drain message as a document. */
export function drainDoc(report: RunReport, options: RenderOptions): MessageDoc {
  const d = report.drain;
  const labels = reasonLabels(options.staleDays);
  const known = new Set(labels.map(([code]) => code));
  const breakdown = labels
    .filter(([code], i) => i < SEED_REASONS || (d.byReason[code] ?? 0) > 0)
    .map(([code, label]) => `• ${label}: ${formatCount(d.byReason[code] ?? 0)}`);
  const others = Object.entries(d.byReason)
    .filter(([code, n]) => !known.has(code) && n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => `• ${code}: ${formatCount(n)}`);
  breakdown.push(...capList(others, "reasons"));
  const deletion =
    d.attempted === 0
      ? ["• Nothing to delete this run"]
      : [
          `• Success: ${formatCount(d.deleted)}/${formatCount(d.attempted)} (${formatPercent(percentOf(d.deleted, d.attempted))})`,
          `• Failed: ${formatCount(d.failed)} → Logged for retry`,
        ];
  deletion.push(
    `• New inventory: ${formatCount(Math.max(0, report.capacity.inventoryBefore - d.deleted))} active leads`,
  );
  const dnc = [`• Added ${formatCount(report.blocklist.added)} new unsubscribes to the blocklist`];
  if (report.blocklist.suppressedTotal !== undefined)
    dnc.push(`• Total protected: ${formatCount(report.blocklist.suppressedTotal)} contacts`);

  const sections: MessageSection[] = [
    {
      emoji: "🔍",
      heading: "Analysis Summary",
      lines: [
        `• Total analyzed: ${formatCount(d.analyzed)} leads`,
        `• Kept (still in sequence): ${formatCount(d.kept)} leads`,
        `• Eligible for drain: ${formatCount(Math.max(0, d.analyzed - d.kept))} leads`,
        `• Identified for removal: ${formatCount(d.identified)} leads`,
      ],
    },
    { emoji: "📋", heading: "Drain Breakdown", lines: breakdown },
    { emoji: d.failed > 0 ? "⚠️" : "✅", heading: "Deletion Results", lines: deletion },
    { emoji: "🔒", heading: "DNC Protection", lines: dnc },
    performanceSection(report, "drain", d.analyzed),
  ];
  const issues = issuesSection(report, phaseErrors(report, "drain"));
  if (issues) sections.push(issues);
  return {
    kind: "drain",
    emoji: "🧹",
    headline: `Cold Email Drain ${outcome(report)}`,
    timeLabel: formatClock(report.finishedAt, options.timeZone),
    sections,
    linkUrl: report.ciRunUrl,
  };
}

/** Error classes as the seeds' `errors` list of strings ("timeout: 4 rows"). */
function errorList(report: RunReport, errors: Record<string, number>): string[] {
  const list = Object.entries(errors)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([cls, n]) => `${cls}: ${n} ${n === 1 ? "row" : "rows"}`);
  if (report.status === "failed" && report.error) list.unshift(`run failed: ${report.error.slice(0, 300)}`);
  return list;
}

/**
 * Seed 000's sync `notification_data`, field for field, plus `run_id` and `status`. Campaign
 * entries are keyed `<segment>_campaign` (the seeds' `smb_campaign`, `midsize_campaign`). Rates that
 * were not measured are null; `bigquery_eligible` keeps the seed's name whatever the warehouse.
 */
export function syncNotificationData(report: RunReport): Record<string, unknown> {
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
      current_inventory: cap.inventoryAfter,
      max_capacity: cap.cap,
      utilization_percentage: round1(utilizationPct(report)),
      estimated_capacity_remaining: Math.max(0, cap.cap - cap.inventoryAfter),
    },
    leads_processed: leadsProcessed,
    verification_results: {
      total_attempted: v.attempted,
      verified_successful: v.verified,
      verification_failed: v.invalid + v.catchAll,
      failed_reasons: { invalid: v.invalid, catch_all: v.catchAll },
      failed_disposition: v.failedDisposition,
      credits_used: v.creditsUsed,
      success_rate_percentage: round1(verificationSuccessPct(report)),
    },
    final_inventory: { instantly_total: cap.inventoryAfter, bigquery_eligible: cap.eligibleRemaining },
    performance: {
      api_success_rate: round1(percentOf(report.api.succeeded, report.api.calls)),
      processing_rate_per_minute: round1(perMinute(adds.attempted, ms)),
    },
    errors: errorList(report, phaseErrors(report, "push")),
    github_run_url: report.ciRunUrl ?? null,
  };
}

/** Seed 000 drain keys for the reason codes that have one; other reasons keep their code. */
const seedReasonKeys: Record<string, string> = { bounced: "bounced_hard", stale: "stale_active" };

/**
 * Seed 000's drain `notification_data`, field for field, except: `leads_skipped_24hr` →
 * `leads_kept_in_sequence` (what we measure instead), no `classification_accuracy` (never measured),
 * and every other drain reason appears under its own code. Plus `run_id` and `status`.
 */
export function drainNotificationData(report: RunReport): Record<string, unknown> {
  const d = report.drain;
  const classifications: Record<string, number> = {
    completed: 0,
    replied: 0,
    bounced_hard: 0,
    unsubscribed: 0,
    stale_active: 0,
  };
  for (const [code, n] of Object.entries(d.byReason)) classifications[seedReasonKeys[code] ?? code] = n;
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
      total_dnc_list: report.blocklist.suppressedTotal ?? null,
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

/** Build every variant of a message from its document. */
export function toOutgoing(
  doc: MessageDoc,
  titles: { title: string; shortTitle: string },
  notificationData: Record<string, unknown>,
  alertKey?: string,
): OutgoingMessage {
  return {
    kind: doc.kind,
    ...titles,
    text: renderText(doc, "markdown"),
    terminalText: renderText(doc, "terminal"),
    slack: renderSlackPayload(doc),
    notificationData,
    ...(alertKey ? { alertKey } : {}),
  };
}

/** The sync message (seed titles: "Cold Email Sync Complete - 2:30 PM EST" / "Cold Email Sync - 14:30 EST"). */
export function renderSyncMessage(report: RunReport, options: RenderOptions): OutgoingMessage {
  const doc = syncDoc(report, options);
  return toOutgoing(
    doc,
    {
      title: `${doc.headline} - ${doc.timeLabel}`,
      shortTitle: `Cold Email Sync - ${formatClock24(report.finishedAt, options.timeZone)}`,
    },
    syncNotificationData(report),
  );
}

/** The drain message. */
export function renderDrainMessage(report: RunReport, options: RenderOptions): OutgoingMessage {
  const doc = drainDoc(report, options);
  return toOutgoing(
    doc,
    {
      title: `${doc.headline} - ${doc.timeLabel}`,
      shortTitle: `Cold Email Drain - ${formatClock24(report.finishedAt, options.timeZone)}`,
    },
    drainNotificationData(report),
  );
}
