import type { DrainReasonLabel } from "../config/includes.ts";
import { escapeEchoMarkdown, escapeSlackMrkdwn } from "../core/escape.ts";
import type { RunReport } from "../core/run-report.ts";
import { renderSlackPayload } from "./blocks.ts";
import {
  formatClock,
  formatClock24,
  formatCount,
  formatCredits,
  formatDuration,
  formatLeads,
  formatPercent,
  percentOf,
  perMinute,
} from "./format.ts";
import { handoffData, handoffSection, type RunHandoffs } from "./handoffs.ts";
import type { MessageDoc, MessageSection, OutgoingMessage } from "./message.ts";
import { drainNotificationData, syncNotificationData } from "./notification-data.ts";
import { type CampaignPacing, pacingData, pacingSection } from "./pacing.ts";
import { campaignLabel, type MessageFigures, phaseErrors, phaseMs } from "./report-figures.ts";
import { renderText } from "./text.ts";

/**
 * Run messages from a RunReport, laid out like the messages the team receives today (the examples
 * in test/notify/render.test.ts). Only measured figures: a "classification accuracy" has no
 * measurement behind it and is left out; the old "Skipped (24hr filter)" count is
 * replaced by `drain.kept` (leads still in their sequence); "BigQuery eligible" reads "Warehouse
 * eligible" because the warehouse may be DuckDB. Credits are Instantly credits, not dollars.
 */
export interface RenderOptions {
  /** IANA zone for the clock label ("2:30 PM EST"). */
  timeZone: string;
  /** Drain reason labels in message order (includes/rules.js, config/includes.ts drainReasonLabels); absent: codes. */
  reasonLabels?: readonly DrainReasonLabel[];
  /** int_send_capacity rows for the capacity block (given only when `pacing` is `capacity`). */
  pacing?: readonly CampaignPacing[];
  /** This run's hand-offs from rpt_handoffs (null: the view is not built; absent: not shown). */
  handoffs?: RunHandoffs | null;
  /** The SQL's figures after this run (rpt_figures, rpt_verification_runs); absent or null: shown as n/a. */
  figures?: MessageFigures | null;
}

/** Thresholds of the existing messages: 🟢 under 70 %, 🟡 under 90 %, 🔴 from 90 % (capacity utilisation). */
export function capacityEmoji(utilizationPct: number): string {
  return utilizationPct < 70 ? "🟢" : utilizationPct < 90 ? "🟡" : "🔴";
}

/** Thresholds of the existing messages: ✨ from 90 %, ⚠️ from 80 %, 🚨 under 80 % (verification success). */
export function verificationEmoji(successPct: number): string {
  return successPct >= 90 ? "✨" : successPct >= 80 ? "⚠️" : "🚨";
}

/** The run's headline word for its status (the existing messages only said "Complete", which hid failures). */
function outcome(report: RunReport): string {
  if (report.mode === "plan") return "Plan (nothing written)";
  if (report.status === "failed") return "Failed";
  if (report.status === "partial") return "Complete with Issues";
  if (report.status === "skipped") return "Skipped";
  return "Complete";
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

/** The sync (push) message as a document. */
export function syncDoc(report: RunReport, options: RenderOptions): MessageDoc {
  const { capacity: cap, adds, verification: v } = report;
  const f = options.figures ?? null;
  const util = f?.utilisationPct;
  const sections: MessageSection[] = [];
  // A failed run's figures are what it got to before it stopped: no green light on them.
  const light = report.status === "failed" ? "❌" : util === undefined ? "⚪" : capacityEmoji(util);
  sections.push({
    emoji: "📊",
    heading: "Capacity Status",
    lines: [
      `${light} Current: ${f ? formatCount(f.inventoryNow) : "n/a"} / ${formatLeads(f?.inventoryCap ?? cap.cap)} (${formatPercent(util)} utilized)`,
      `• Available capacity: ~${f ? formatLeads(f.capacityRemaining) : "n/a"} remaining`,
      `• Added this run: +${formatLeads(adds.added)} (${formatCount(cap.slots)} ${cap.slots === 1 ? "slot" : "slots"})`,
    ],
  });
  const breakdown = capList(
    adds.byCampaign.map((c) => `• ${campaignLabel(c)} Campaign: ${formatLeads(c.added)} added`),
    "campaigns",
  );
  breakdown.push(`• Total processed: ${formatCount(adds.added)}/${formatCount(adds.attempted)} attempted`);
  if (adds.skipped > 0) breakdown.push(`• Skipped by Instantly: ${formatCount(adds.skipped)}`);
  if (adds.rejected > 0)
    breakdown.push(`• Rejected: ${formatCount(adds.rejected)} → suppressed, not retried`);
  if (adds.failed > 0) breakdown.push(`• Failed: ${formatCount(adds.failed)} → retried next run`);
  sections.push({ emoji: "📈", heading: "Campaign Breakdown", lines: breakdown });
  const pacing = pacingSection(options.pacing ?? []);
  if (pacing) sections.push(pacing);

  const success = f?.runVerificationSuccessPct ?? undefined;
  if (v.attempted === 0) {
    const failed = report.status === "failed";
    sections.push({
      emoji: failed ? "❌" : "✅",
      heading: "Email Verification",
      lines: [failed ? "• None: the run failed before verifying" : "• No verification needed this run"],
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
    lines.push(`• Failed: ${formatLeads(failed)}${reasons ? ` (${reasons})` : ""} → ${v.failedDisposition}`);
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
      `• Instantly: ${f ? formatLeads(f.inventoryNow, "active") : "n/a"}`,
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

/** The first five labels (includes/rules.js messageOrder) are the existing messages' and always shown. */
const ALWAYS_SHOWN_REASONS = 5;

const optional = (section: MessageSection | undefined): MessageSection[] => (section ? [section] : []);

/** The drain message as a document. */
export function drainDoc(report: RunReport, options: RenderOptions): MessageDoc {
  const d = report.drain;
  const labels = options.reasonLabels ?? [];
  const known = new Set(labels.map((l) => l.code));
  const breakdown = labels
    .filter((l, i) => i < ALWAYS_SHOWN_REASONS || (d.byReason[l.code] ?? 0) > 0)
    .map((l) => `• ${l.label}: ${formatCount(d.byReason[l.code] ?? 0)}`);
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
    `• New inventory: ${formatLeads(Math.max(0, report.capacity.inventoryBefore - d.deleted), "active")}`,
  );
  const dnc = [`• Added ${formatCount(report.blocklist.added)} new unsubscribes to the blocklist`];
  if (options.figures)
    dnc.push(`• Total protected: ${formatCount(options.figures.suppressionSize)} contacts`);

  const sections: MessageSection[] = [
    {
      emoji: "🔍",
      heading: "Analysis Summary",
      lines: [
        `• Total analyzed: ${formatLeads(d.analyzed)}`,
        `• Kept (still in sequence): ${formatLeads(d.kept)}`,
        `• Eligible for drain: ${formatLeads(Math.max(0, d.analyzed - d.kept))}`,
        `• Identified for removal: ${formatLeads(d.identified)}`,
      ],
    },
    { emoji: "📋", heading: "Drain Breakdown", lines: breakdown },
    ...optional(handoffSection(options.handoffs)),
    {
      emoji: report.status === "failed" && d.deleted === 0 ? "❌" : d.failed > 0 ? "⚠️" : "✅",
      heading: "Deletion Results",
      lines: deletion,
    },
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

/**
 * Every string of the Echo external endpoint's data, escaped for the Slack blocks Echo builds from it
 * (campaign names and error texts come from Instantly); links (`*_url`) are left as they are.
 */
function escapeData(value: unknown, key = ""): unknown {
  if (typeof value === "string") return key.endsWith("_url") ? value : escapeSlackMrkdwn(value);
  if (Array.isArray(value)) return value.map((v) => escapeData(v));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeData(v, k)]));
  }
  return value;
}

/** Build every variant of a message from its document (each escaped for its sink, core/escape.ts). */
export function toOutgoing(
  doc: MessageDoc,
  titles: { title: string; shortTitle: string },
  notificationData: Record<string, unknown>,
  alertKey?: string,
): OutgoingMessage {
  return {
    kind: doc.kind,
    title: escapeEchoMarkdown(titles.title),
    shortTitle: escapeEchoMarkdown(titles.shortTitle),
    text: renderText(doc, "markdown"),
    terminalText: renderText(doc, "terminal"),
    slack: renderSlackPayload(doc),
    notificationData: escapeData(notificationData) as Record<string, unknown>,
    ...(alertKey ? { alertKey } : {}),
  };
}

/** The sync message (titles: "Cold Email Sync Complete - 2:30 PM EST" / "Cold Email Sync - 14:30 EST"). */
export function renderSyncMessage(report: RunReport, options: RenderOptions): OutgoingMessage {
  const doc = syncDoc(report, options);
  return toOutgoing(
    doc,
    {
      title: `${doc.headline} - ${doc.timeLabel}`,
      shortTitle: `Cold Email Sync - ${formatClock24(report.finishedAt, options.timeZone)}`,
    },
    {
      ...syncNotificationData(report, options.figures ?? null),
      ...(options.pacing?.length ? { sending_capacity: pacingData(options.pacing) } : {}),
    },
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
    {
      ...drainNotificationData(report, options.figures ?? null),
      ...(options.handoffs ? { handoffs: handoffData(options.handoffs) } : {}),
    },
  );
}
