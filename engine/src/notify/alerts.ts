import type { CampaignHealth } from "../core/campaign-health.ts";
import type { RunReport } from "../core/run-report.ts";
import type { AttentionItem } from "../report/attention.ts";
import { formatClock, formatClock24, formatCount, formatPercent, percentOf, round1 } from "./format.ts";
import type { MessageDoc, OutgoingMessage } from "./message.ts";
import { type CampaignPacing, pacingLabel } from "./pacing.ts";
import { measurePoolFill } from "./pool-alert.ts";
import { toOutgoing } from "./render.ts";
import type { MessageFigures } from "./report-figures.ts";

/**
 * Alerts that mean something: each fires once when its condition starts and once when it clears
 * (the practice of the best reverse-ETL tools: one notice per state change plus a recovery notice,
 * never one per run). Measuring and deciding are pure functions; the previous state comes from the
 * warehouse (alert-store.ts), so a restart or a new CI runner does not re-send or forget an alert.
 *
 * A condition that was not measured this run (no verification happened, no rows were written, a
 * campaign missing from the pull) is `undefined`: it neither raises nor clears.
 */

export interface AlertThresholds {
  /** Capacity utilisation warnings (inventory / cap). */
  capacityWarnPct: number;
  capacityCriticalPct: number;
  /** Verified share of answered verifications below this → alert. */
  verificationMinPct: number;
  /** (rejected + failed) / attempted rows above this → alert. */
  rowFailureMaxPct: number;
  /** A campaign's bounce rate (int_campaign_health.bounce_rate_pct) above this → alert. */
  bounceMaxPct: number;
  /** Campaigns with fewer sent emails do not alert (on top of the model's bounce_min_contacted). */
  bounceMinSent: number;
  /** No succeeded-or-partial run for this long → alert. */
  noSuccessHours: number;
  /** A campaign's pool lasting fewer days than this at its pace (int_send_capacity.runway_days) → alert. */
  runwayMinDays: number;
}

/** The defaults when no thresholds are given; the `alert_*` vars are parsed in config/vars.ts. */
export const defaultAlertThresholds: AlertThresholds = {
  capacityWarnPct: 80,
  capacityCriticalPct: 90,
  verificationMinPct: 80,
  rowFailureMaxPct: 10,
  bounceMaxPct: 2,
  bounceMinSent: 1,
  noSuccessHours: 6,
  runwayMinDays: 14,
};

/** A campaign's bounce figures as the alert reads them: int_campaign_health's rate, never its own. */
export type CampaignBounce = Pick<
  CampaignHealth,
  "campaignId" | "campaignName" | "contacted" | "sent" | "bounced" | "bounceRatePct"
>;

export type AlertLevel = "warning" | "critical";

export interface AlertMeasurement {
  /** Stable key, e.g. `capacity_90`, `bounce_rate:<campaign id>`. */
  key: string;
  /** true = condition holds, false = it does not, undefined = not measured this run. */
  active: boolean | undefined;
  value?: number;
  threshold: number;
  level: AlertLevel;
  /** "Capacity above 90%". */
  raisedTitle: string;
  /** "Capacity back under 90%". */
  clearedTitle: string;
  /** The figures behind it, one line, no PII. */
  detail: string;
}

export type AlertStateName = "raised" | "cleared";

export interface AlertState {
  key: string;
  state: AlertStateName;
  value: number | null;
  at: Date;
}

export interface AlertTransition {
  key: string;
  state: AlertStateName;
  measurement: AlertMeasurement;
}

export interface MeasureInput {
  campaignHealth?: CampaignBounce[];
  /** finishedAt of the last `succeeded` or `partial` apply run before this one (null: none known). */
  lastSuccessAt?: Date | null;
  thresholds?: Partial<AlertThresholds>;
  /** int_send_capacity rows (absent: the pacing alerts are not measured). */
  pacing?: readonly CampaignPacing[];
  /** `pacing` var: the backlog alert is only measured when adds are paced by capacity. */
  pacingMode?: "capacity" | "cap";
  /** `first_touch_days` var: a backlog over twice this many days of new starts → alert. */
  firstTouchDays?: number;
  /** rpt_attention's pool_fill row (absent: the pool-fill alert is not measured). */
  poolFill?: AttentionItem | null;
  /** The SQL's figures after this run (absent or null: capacity and verification are not measured). */
  figures?: MessageFigures | null;
}

/**
 * The pacing alerts, keyed per campaign like the bounce alert: no healthy sender, backlog over
 * 2 × first_touch_days, Instantly's own `waiting_for_leads` diagnosis, and the pool running dry.
 * Every figure is int_send_capacity's; a figure the SQL left NULL is not measured.
 */
export function measurePacingAlerts(
  rows: readonly CampaignPacing[],
  t: AlertThresholds,
  options: { pacingMode?: "capacity" | "cap"; firstTouchDays?: number } = {},
): AlertMeasurement[] {
  const out: AlertMeasurement[] = [];
  for (const p of rows) {
    const name = pacingLabel(p);
    out.push({
      key: `no_healthy_sender:${p.campaignId}`,
      active: p.hasCapacityData ? p.healthySenders === 0 : undefined,
      value: p.healthySenders,
      threshold: 1,
      level: "critical",
      raisedTitle: `No healthy mailbox in ${name}`,
      clearedTitle: `${name} has a healthy mailbox again`,
      detail: `${name}: ${formatCount(p.healthySenders)} of ${formatCount(p.senders)} mailboxes can send`,
    });
    const backlogMax = options.firstTouchDays === undefined ? undefined : 2 * options.firstTouchDays;
    const backlogMeasured =
      options.pacingMode === "capacity" && backlogMax !== undefined && p.backlogDays !== null;
    out.push({
      key: `backlog_days:${p.campaignId}`,
      active: backlogMeasured ? (p.backlogDays as number) > (backlogMax as number) : undefined,
      ...(p.backlogDays === null ? {} : { value: round1(p.backlogDays) as number }),
      threshold: backlogMax ?? 0,
      level: "warning",
      raisedTitle: `Backlog above ${backlogMax} days in ${name}`,
      clearedTitle: `Backlog back under ${backlogMax} days in ${name}`,
      detail: `${name}: ${formatCount(p.backlog)} leads wait for a first email, ${p.backlogDays === null ? "n/a" : (round1(p.backlogDays) as number)} days at ${formatCount(p.newStartsPerDay)} new starts a day`,
    });
    out.push({
      key: `waiting_for_leads:${p.campaignId}`,
      active: p.sendingStatus === null ? undefined : p.sendingStatus === "waiting_for_leads",
      threshold: 0,
      level: "warning",
      raisedTitle: `Instantly says ${name} is waiting for leads`,
      clearedTitle: `${name} is no longer waiting for leads`,
      detail: `${name}: Instantly's sending status is ${p.sendingStatus ?? "unknown"}; backlog ${formatCount(p.backlog)} leads, ${formatCount(p.pacedSlots)} slots this run`,
    });
    out.push({
      key: `pool_runway:${p.campaignId}`,
      active: p.runwayDays === null ? undefined : p.runwayDays < t.runwayMinDays,
      ...(p.runwayDays === null ? {} : { value: round1(p.runwayDays) as number }),
      threshold: t.runwayMinDays,
      level: "warning",
      raisedTitle: `Lead pool for ${name} runs dry in under ${t.runwayMinDays} days`,
      clearedTitle: `Lead pool for ${name} lasts ${t.runwayMinDays} days or more again`,
      detail: `${name}: ${formatCount(p.poolLeft)} eligible leads left at ${formatCount(p.newStartsPerDay)} new starts a day (${p.runwayDays === null ? "n/a" : (round1(p.runwayDays) as number)} days)`,
    });
  }
  return out;
}

/** What this run says about every alert condition. Pure. */
export function measureAlerts(report: RunReport, input: MeasureInput = {}): AlertMeasurement[] {
  const t = { ...defaultAlertThresholds, ...(input.thresholds ?? {}) };
  if (report.mode === "plan") return [];
  const out: AlertMeasurement[] = [];
  const completed = report.status === "succeeded" || report.status === "partial";

  const f = input.figures ?? null;
  const util = f?.utilisationPct;
  const capDetail = `Inventory ${f ? formatCount(f.inventoryNow) : "n/a"} / ${formatCount(f?.inventoryCap ?? report.capacity.cap)} leads (${formatPercent(util)} utilized)`;
  for (const [pct, level] of [
    [t.capacityWarnPct, "warning"],
    [t.capacityCriticalPct, "critical"],
  ] as const) {
    out.push({
      key: `capacity_${pct}`,
      active: completed && f && f.inventoryCap > 0 ? f.utilisationPct > pct : undefined,
      value: round1(util) ?? undefined,
      threshold: pct,
      level,
      raisedTitle: `Capacity above ${pct}%`,
      clearedTitle: `Capacity back under ${pct}%`,
      detail: capDetail,
    });
  }

  const v = report.verification;
  const success = f?.runVerificationSuccessPct ?? undefined;
  out.push({
    key: "verification_success",
    active: completed && success !== undefined ? success < t.verificationMinPct : undefined,
    ...(success === undefined ? {} : { value: round1(success) as number }),
    threshold: t.verificationMinPct,
    level: "warning",
    raisedTitle: `Verification success under ${t.verificationMinPct}%`,
    clearedTitle: `Verification success back at ${t.verificationMinPct}% or more`,
    detail: `Verified ${formatCount(v.verified)} of ${formatCount(v.verified + v.invalid + v.catchAll)} answered (${formatPercent(success)}); ${formatCount(v.invalid)} invalid, ${formatCount(v.catchAll)} catch-all`,
  });

  const rows = report.adds.attempted + report.drain.attempted;
  const bad = report.adds.rejected + report.adds.failed + report.drain.failed;
  const failurePct = percentOf(bad, rows);
  out.push({
    key: "row_failure_rate",
    active: completed && failurePct !== undefined ? failurePct > t.rowFailureMaxPct : undefined,
    ...(failurePct === undefined ? {} : { value: round1(failurePct) as number }),
    threshold: t.rowFailureMaxPct,
    level: "warning",
    raisedTitle: `Row failure rate above ${t.rowFailureMaxPct}%`,
    clearedTitle: `Row failure rate back under ${t.rowFailureMaxPct}%`,
    detail: `${formatCount(bad)} of ${formatCount(rows)} rows rejected or failed (${formatPercent(failurePct)})`,
  });

  for (const c of input.campaignHealth ?? []) {
    // The rate is SQL's and already NULL until the campaign has contacted bounce_min_contacted leads.
    const judged = c.bounceRatePct !== null && c.sent >= Math.max(1, t.bounceMinSent);
    const pct = judged ? (c.bounceRatePct ?? undefined) : undefined;
    const name = c.campaignName ?? c.campaignId;
    out.push({
      key: `bounce_rate:${c.campaignId}`,
      active: pct === undefined ? undefined : pct > t.bounceMaxPct,
      ...(pct === undefined ? {} : { value: round1(pct) as number }),
      threshold: t.bounceMaxPct,
      level: "critical",
      raisedTitle: `Bounce rate above ${t.bounceMaxPct}% in ${name}`,
      clearedTitle: `Bounce rate back under ${t.bounceMaxPct}% in ${name}`,
      detail: `${name}: ${formatCount(c.bounced)} bounced of ${formatCount(c.contacted)} contacted (${formatPercent(pct)})`,
    });
  }

  if (input.pacing) {
    out.push(
      ...measurePacingAlerts(input.pacing, t, {
        ...(input.pacingMode ? { pacingMode: input.pacingMode } : {}),
        ...(input.firstTouchDays !== undefined ? { firstTouchDays: input.firstTouchDays } : {}),
      }),
    );
  }

  out.push(measurePoolFill(report, input.poolFill));

  if (report.status !== "skipped") {
    out.push({
      key: "run_failed",
      active: report.status === "failed",
      threshold: 0,
      level: "critical",
      raisedTitle: "Run failed",
      clearedTitle: "Runs are completing again",
      detail:
        report.status === "failed"
          ? `Run ${report.runId} failed: ${(report.error ?? "no error recorded").slice(0, 300)}`
          : `Run ${report.runId} finished ${report.status}`,
    });
  }

  const last = completed ? report.finishedAt : input.lastSuccessAt;
  const hours = last ? (report.finishedAt.getTime() - last.getTime()) / 3_600_000 : undefined;
  out.push({
    key: "no_success",
    active: hours === undefined ? undefined : hours > t.noSuccessHours,
    ...(hours === undefined ? {} : { value: Math.round(hours * 10) / 10 }),
    threshold: t.noSuccessHours,
    level: "critical",
    raisedTitle: `No successful run for ${t.noSuccessHours} hours`,
    clearedTitle: "A run succeeded again",
    detail: last
      ? `Last completed run finished ${last.toISOString()} (${(hours ?? 0).toFixed(1)} h before this run)`
      : "",
  });
  return out;
}

/**
 * Compare this run's measurements with the last recorded state of each alert. Pure.
 * Raised once when a condition starts (no state, or last state cleared); cleared once when it stops
 * (last state raised). Unmeasured conditions keep their state.
 */
export function evaluateAlerts(
  previous: ReadonlyMap<string, AlertState>,
  measurements: readonly AlertMeasurement[],
): AlertTransition[] {
  const out: AlertTransition[] = [];
  for (const m of measurements) {
    if (m.active === undefined) continue;
    const wasRaised = previous.get(m.key)?.state === "raised";
    if (m.active && !wasRaised) out.push({ key: m.key, state: "raised", measurement: m });
    else if (!m.active && wasRaised) out.push({ key: m.key, state: "cleared", measurement: m });
  }
  return out;
}

/** The alert as a message (all variants), in the run messages' layout: title line, one details section, logs link. */
export function renderAlertMessage(
  transition: AlertTransition,
  report: RunReport,
  options: { timeZone: string },
): OutgoingMessage {
  const m = transition.measurement;
  const raised = transition.state === "raised";
  const emoji = raised ? (m.level === "critical" ? "🚨" : "⚠️") : "✅";
  const headline = raised
    ? `Cold Email Alert: ${m.raisedTitle}`
    : `Cold Email Alert Resolved: ${m.clearedTitle}`;
  const lines = [
    m.detail ? `• ${m.detail}` : "",
    `• Threshold: ${m.threshold}`,
    `• Run: ${report.runId}`,
  ].filter(Boolean);
  const doc: MessageDoc = {
    kind: "alert",
    emoji,
    headline,
    timeLabel: formatClock(report.finishedAt, options.timeZone),
    sections: [{ emoji: "📌", heading: "Details", lines }],
    ...(report.ciRunUrl ? { linkUrl: report.ciRunUrl } : {}),
  };
  return toOutgoing(
    doc,
    {
      title: `${headline} - ${doc.timeLabel}`,
      shortTitle: `Cold Email Alert - ${formatClock24(report.finishedAt, options.timeZone)}`,
    },
    {
      operation: "alert",
      run_id: report.runId,
      timestamp: report.finishedAt.toISOString(),
      alert: m.key,
      state: transition.state,
      level: m.level,
      title: raised ? m.raisedTitle : m.clearedTitle,
      value: m.value ?? null,
      threshold: m.threshold,
      detail: m.detail,
      github_run_url: report.ciRunUrl ?? null,
    },
    m.key,
  );
}
