import type { DrainReasonLabel } from "../config/includes.ts";
import type { RunReport } from "../core/run-report.ts";
import type { AttentionItem } from "../report/attention.ts";
import type { AlertStore } from "./alert-store.ts";
import {
  type AlertThresholds,
  type AlertTransition,
  type CampaignBounce,
  evaluateAlerts,
  measureAlerts,
  renderAlertMessage,
} from "./alerts.ts";
import { assertTimeZone, localTimeZone } from "./format.ts";
import type { RunHandoffs } from "./handoffs.ts";
import type { OutgoingMessage } from "./message.ts";
import type { CampaignPacing } from "./pacing.ts";
import { redactText } from "./pii.ts";
import type { DeliveryResult, Notifier } from "./port.ts";
import { renderDrainMessage, renderSyncMessage } from "./render.ts";
import type { MessageFigures } from "./report-figures.ts";

/**
 * The one call the run loop makes at its end: render the drain message (if the drain phase ran),
 * the sync message (if the push phase ran) and every alert that changed state, send them through
 * the configured notifier, and record delivered alert transitions in the warehouse.
 *
 * It never throws and never fails the run: every problem (an unreachable Echo, a warehouse error
 * while reading alert state) becomes a warning for the run record.
 */
export interface NotifyRunOptions {
  notifier: Notifier;
  /** Without a store, alerts are not evaluated (state must live in the warehouse, not memory). */
  alertStore?: AlertStore;
  /** Per-campaign bounce figures from int_campaign_health (the rate is the SQL's). */
  campaignHealth?: CampaignBounce[];
  /** finishedAt of the last succeeded-or-partial apply run before this one. */
  lastSuccessAt?: Date | null;
  /** Reads NOTIFY_TIME_ZONE (default: this machine's zone). */
  env?: Record<string, string | undefined>;
  /** Wins over env. */
  timeZone?: string;
  thresholds?: Partial<AlertThresholds>;
  /** Drain reason labels (includes/rules.js through config/includes.ts drainReasonLabels). */
  reasonLabels?: readonly DrainReasonLabel[];
  /** int_send_capacity rows (null or absent: an older warehouse without the model — no block, no pacing alerts). */
  pacing?: readonly CampaignPacing[] | null;
  /** `pacing` var (default capacity): the capacity block is shown only when adds are paced by capacity. */
  pacingMode?: "capacity" | "cap";
  /** `first_touch_days` var, for the backlog alert. */
  firstTouchDays?: number;
  /** This run's hand-offs from rpt_handoffs for the drain message (null: not built; absent: no block). */
  handoffs?: RunHandoffs | null;
  /** rpt_attention's pool_fill row, for the pool-running-dry alert (absent: not measured). */
  poolFill?: AttentionItem | null;
  /** rpt_figures and this run's rpt_verification_runs row, read after the run row was recorded (null: not built). */
  figures?: MessageFigures | null;
}

export interface NotifyRunResult {
  /** Messages the notifier accepted. */
  delivered: DeliveryResult[];
  /** Problems, for sync_runs / the run log (no secrets, no PII). */
  warnings: string[];
  /** Everything rendered this run, in send order (for `--json`, the demo and tests). */
  messages: OutgoingMessage[];
  /** Alert state changes found this run (delivered or not). */
  alerts: AlertTransition[];
}

function resolveTimeZone(options: NotifyRunOptions, warn: (text: string) => void): string {
  const wanted = options.timeZone ?? options.env?.NOTIFY_TIME_ZONE;
  if (!wanted) return localTimeZone();
  try {
    assertTimeZone(wanted);
    return wanted;
  } catch {
    warn("NOTIFY_TIME_ZONE is not an IANA time zone; using the machine's zone");
    return localTimeZone();
  }
}

export async function notifyRun(report: RunReport, options: NotifyRunOptions): Promise<NotifyRunResult> {
  const result: NotifyRunResult = { delivered: [], warnings: [], messages: [], alerts: [] };
  const { notifier } = options;
  // Warnings end up in logs and sync_runs: an API error quoting an email must not carry it there.
  const warn = (text: string) => {
    result.warnings.push(redactText(text).value);
  };

  const deliver = async (message: OutgoingMessage): Promise<boolean> => {
    result.messages.push(message);
    let outcome: DeliveryResult;
    try {
      outcome = await notifier.send(message);
    } catch (error) {
      // Adapters return results; this only guards against a bug turning into a failed run.
      warn(
        `${message.kind} notification not delivered: ${error instanceof Error ? error.name : "error"} in ${notifier.kind} adapter`,
      );
      return false;
    }
    if (outcome.redactions > 0) {
      warn(
        `PII guard removed ${outcome.redactions} email address(es) or secret(s) from the ${message.kind} notification`,
      );
    }
    if (outcome.ok) result.delivered.push(outcome);
    else if (!outcome.skipped) {
      warn(`${message.kind} notification not delivered: ${outcome.warning ?? "unknown reason"}`);
    }
    return outcome.ok;
  };

  try {
    const timeZone = resolveTimeZone(options, warn);
    const pacingMode = options.pacingMode ?? "capacity";
    const renderOptions = {
      timeZone,
      ...(options.reasonLabels ? { reasonLabels: options.reasonLabels } : {}),
      ...(options.pacing && pacingMode === "capacity" ? { pacing: options.pacing } : {}),
      ...(options.handoffs !== undefined ? { handoffs: options.handoffs } : {}),
      figures: options.figures ?? null,
    };
    if (report.phases.drain) await deliver(renderDrainMessage(report, renderOptions));
    if (report.phases.push) await deliver(renderSyncMessage(report, renderOptions));

    if (!options.alertStore) return result;
    let previous: Awaited<ReturnType<AlertStore["load"]>>;
    try {
      previous = await options.alertStore.load();
    } catch (error) {
      warn(
        `alerts skipped: cannot read alert state (${error instanceof Error ? error.message.split("\n")[0] : "error"})`,
      );
      return result;
    }
    const measurements = measureAlerts(report, {
      ...(options.campaignHealth ? { campaignHealth: options.campaignHealth } : {}),
      ...(options.lastSuccessAt !== undefined ? { lastSuccessAt: options.lastSuccessAt } : {}),
      ...(options.thresholds ? { thresholds: options.thresholds } : {}),
      ...(options.pacing ? { pacing: options.pacing, pacingMode } : {}),
      ...(options.firstTouchDays !== undefined ? { firstTouchDays: options.firstTouchDays } : {}),
      ...(options.poolFill !== undefined ? { poolFill: options.poolFill } : {}),
      figures: options.figures ?? null,
    });
    result.alerts = evaluateAlerts(previous, measurements);
    const sent: Array<AlertTransition & { message: string }> = [];
    for (const transition of result.alerts) {
      const message = renderAlertMessage(transition, report, { timeZone });
      // Only a delivered transition is recorded: an alert that could not be sent is tried again next run.
      if (await deliver(message))
        sent.push({ ...transition, message: redactText(message.terminalText.slice(0, 1000)).value });
    }
    try {
      await options.alertStore.record(report.runId, report.finishedAt, sent);
    } catch (error) {
      warn(
        `alert state not saved (alerts may repeat next run): ${error instanceof Error ? error.message.split("\n")[0] : "error"}`,
      );
    }
  } catch (error) {
    warn(`notifications stopped: ${error instanceof Error ? error.message.split("\n")[0] : "error"}`);
  }
  return result;
}
