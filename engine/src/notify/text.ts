import { escapeEchoMarkdown, escapeSlackMrkdwn, escapeTerminal } from "../core/escape.ts";
import type { MessageDoc } from "./message.ts";
import { slackLimits, truncateLines } from "./slack-limits.ts";

/**
 * A MessageDoc as text, in the layout of the team's existing run messages (pinned in
 * test/notify/render.test.ts): a title line, then one paragraph per section
 * ("📊 **Capacity Status**" + bullets), then the "🔗 [View Logs](url)" line.
 *
 * - `markdown`: that layout's markdown (**bold**, [label](url)) — Echo's `content`.
 * - `slack`: Slack mrkdwn (*bold*, <url|label>) — the webhook's fallback `text`.
 * - `terminal`: no markup, for the console.
 *
 * The document's text may hold campaign names and error messages from Instantly: each style escapes it
 * for its sink (engine/src/core/escape.ts); only the markup added here is markup.
 */
export type TextStyle = "markdown" | "slack" | "terminal";

function bold(text: string, style: TextStyle): string {
  if (style === "markdown") return `**${escapeEchoMarkdown(text)}**`;
  if (style === "slack") return `*${escapeSlackMrkdwn(text)}*`;
  return escapeTerminal(text);
}

function plain(text: string, style: TextStyle): string {
  if (style === "markdown") return escapeEchoMarkdown(text);
  if (style === "slack") return escapeSlackMrkdwn(text);
  return escapeTerminal(text);
}

/** "🔗 [View Logs](url)" in the given style. */
export function renderLink(url: string, style: TextStyle, label = "View Logs"): string {
  if (style === "markdown") return `🔗 [${label}](${url})`;
  if (style === "slack") return `🔗 <${url}|${label}>`;
  return `🔗 ${label}: ${url}`;
}

/** The title line: "🔄 **Cold Email Sync Complete** | 2:30 PM EST". */
export function renderTitleLine(doc: MessageDoc, style: TextStyle): string {
  return `${doc.emoji} ${bold(doc.headline, style)} | ${doc.timeLabel}`;
}

/** One section as a paragraph (heading line + its lines). */
export function renderSection(section: MessageDoc["sections"][number], style: TextStyle): string {
  const head = `${section.emoji} ${bold(section.heading, style)}${
    section.summary ? `: ${plain(section.summary, style)}` : ""
  }`;
  // Same per-section budget as a Slack section, so Echo's content and the console stay readable too.
  const body = truncateLines(
    section.lines.map((line) => plain(line, style)),
    slackLimits.sectionText,
  );
  return body ? `${head}\n${body}` : head;
}

export function renderText(doc: MessageDoc, style: TextStyle): string {
  const parts = [renderTitleLine(doc, style), ...doc.sections.map((s) => renderSection(s, style))];
  if (doc.linkUrl) parts.push(renderLink(doc.linkUrl, style));
  return parts.join("\n\n");
}
