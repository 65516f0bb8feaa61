import type { AlertStore } from "./alert-store.ts";
import { type AlertMeasurement, type AlertTransition, evaluateAlerts } from "./alerts.ts";
import { assertTimeZone, formatClock, formatClock24, localTimeZone } from "./format.ts";
import type { MessageDoc, OutgoingMessage } from "./message.ts";
import { redactText } from "./pii.ts";
import type { Notifier } from "./port.ts";
import { toOutgoing } from "./render.ts";

/**
 * The `pull_incomplete` alert: raised once when a pull lists fewer leads than a campaign's own count
 * (its action tables are then refused by apply), cleared once by the next complete pull. It follows
 * the same once-per-state-change rule and warehouse-held state as the apply alerts (alerts.ts), but is
 * sent by the pull itself: the apply that follows refuses before it could notify anyone.
 */
export const PULL_INCOMPLETE_ALERT = "pull_incomplete";

export interface PullAlertInput {
  runId: string;
  finishedAt: Date;
  ciRunUrl?: string | undefined;
  /** Campaigns that listed short; empty = complete. */
  short: ReadonlyArray<{ campaignId: string; listed: number; expected: number }>;
  /** false when no campaign had a count to check against: the alert neither raises nor clears. */
  measured: boolean;
}

export interface PullAlertOptions {
  notifier: Notifier;
  alertStore: AlertStore;
  env?: Record<string, string | undefined>;
}

/** Send the alert if its state changed; returns warnings (never throws: a notice never fails a pull). */
export async function notifyPullCompleteness(
  input: PullAlertInput,
  options: PullAlertOptions,
): Promise<string[]> {
  const warnings: string[] = [];
  const warn = (what: string, error: unknown) =>
    warnings.push(
      redactText(`${what}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`).value,
    );
  try {
    const measurement = measurePull(input);
    const transitions = evaluateAlerts(await options.alertStore.load(), [measurement]);
    const timeZone = pickTimeZone(options.env?.NOTIFY_TIME_ZONE);
    const sent: Array<AlertTransition & { message: string }> = [];
    for (const transition of transitions) {
      const message = renderPullAlert(transition, input, timeZone);
      const outcome = await options.notifier.send(message);
      if (outcome.ok)
        sent.push({ ...transition, message: redactText(message.terminalText.slice(0, 1000)).value });
      else if (!outcome.skipped)
        warnings.push(`alert notification not delivered: ${outcome.warning ?? "unknown reason"}`);
    }
    await options.alertStore.record(input.runId, input.finishedAt, sent);
  } catch (error) {
    warn("pull alert not sent", error);
  }
  return warnings;
}

function measurePull(input: PullAlertInput): AlertMeasurement {
  const detail = input.short
    .map((s) => `Campaign ${s.campaignId}: listed ${s.listed} of ${s.expected} leads`)
    .join("; ");
  return {
    key: PULL_INCOMPLETE_ALERT,
    active: input.measured ? input.short.length > 0 : undefined,
    value: input.short.length,
    threshold: 0,
    level: "critical",
    raisedTitle: "Pull incomplete: Instantly listed fewer leads than the campaign holds",
    clearedTitle: "Pulls are complete again",
    detail: detail ? `${detail}. Apply refuses action tables computed from this pull.` : "",
  };
}

function pickTimeZone(wanted: string | undefined): string {
  if (!wanted) return localTimeZone();
  try {
    assertTimeZone(wanted);
    return wanted;
  } catch {
    return localTimeZone();
  }
}

function renderPullAlert(
  transition: AlertTransition,
  input: PullAlertInput,
  timeZone: string,
): OutgoingMessage {
  const m = transition.measurement;
  const raised = transition.state === "raised";
  const headline = raised
    ? `Cold Email Alert: ${m.raisedTitle}`
    : `Cold Email Alert Resolved: ${m.clearedTitle}`;
  const doc: MessageDoc = {
    kind: "alert",
    emoji: raised ? "🚨" : "✅",
    headline,
    timeLabel: formatClock(input.finishedAt, timeZone),
    sections: [
      {
        emoji: "📌",
        heading: "Details",
        lines: [m.detail ? `• ${m.detail}` : "", `• Pull: ${input.runId}`].filter(Boolean),
      },
    ],
    ...(input.ciRunUrl ? { linkUrl: input.ciRunUrl } : {}),
  };
  return toOutgoing(
    doc,
    {
      title: `${headline} - ${doc.timeLabel}`,
      shortTitle: `Cold Email Alert - ${formatClock24(input.finishedAt, timeZone)}`,
    },
    {
      operation: "alert",
      run_id: input.runId,
      timestamp: input.finishedAt.toISOString(),
      alert: m.key,
      state: transition.state,
      level: m.level,
      title: raised ? m.raisedTitle : m.clearedTitle,
      value: m.value ?? null,
      threshold: m.threshold,
      detail: m.detail,
      github_run_url: input.ciRunUrl ?? null,
    },
    m.key,
  );
}
