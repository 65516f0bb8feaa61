/**
 * The shape of a run message before it becomes text, Block Kit or Echo JSON. Rendering the content
 * once into this small document and formatting it three ways keeps the Echo text, the terminal view
 * and the Slack blocks saying exactly the same thing.
 */

export type MessageKind = "sync" | "drain" | "alert";

/** One titled block of bullets, e.g. "📊 Capacity Status". */
export interface MessageSection {
  emoji: string;
  heading: string;
  /** Text after the heading on the same line (e.g. "⚠️ **Issues**: 4 API timeouts"). */
  summary?: string;
  /** Lines as the messages print them, usually starting with "• ". Plain text, no markup. */
  lines: string[];
}

export interface MessageDoc {
  kind: MessageKind;
  emoji: string;
  /** "Cold Email Sync Complete". */
  headline: string;
  /** "2:30 PM EST". */
  timeLabel: string;
  sections: MessageSection[];
  /** CI run link ("View Logs"). */
  linkUrl?: string;
}

export type SlackBlock = Record<string, unknown> & { type: string };

/** Everything an adapter may need, rendered once per message. */
export interface OutgoingMessage {
  kind: MessageKind;
  /** Title for the Echo messages API: "Cold Email Sync Complete - 2:30 PM EST". */
  title: string;
  /** Title for the Echo external endpoint: "Cold Email Sync - 14:30 EST". */
  shortTitle: string;
  /** The message text with **bold** and [link](url): Echo `content`. */
  text: string;
  /** The same for a terminal: no markup. */
  terminalText: string;
  /** Slack incoming-webhook body parts: mrkdwn fallback text and Block Kit blocks, within Slack limits. */
  slack: { text: string; blocks: SlackBlock[] };
  /** The Echo external endpoint's `notification_data` (what Echo's transformer reads). */
  notificationData: Record<string, unknown>;
  /** Alert key when kind is "alert" (for the alert store). */
  alertKey?: string;
}
