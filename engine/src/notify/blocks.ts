import { escapeSlackMrkdwn as escapeSlack, escapeTerminal } from "../core/escape.ts";
import type { MessageDoc, SlackBlock } from "./message.ts";
import { slackLimits, truncateLines, truncateText } from "./slack-limits.ts";
import { renderText } from "./text.ts";

/**
 * A MessageDoc as an incoming-webhook body: a header block, one mrkdwn section per message section,
 * a "View Logs" button, and the mrkdwn text as the notification fallback — always within
 * `slackLimits`, however large the report. Truncation is by whole lines first ("…and N more"), then
 * by characters, and never splits an emoji.
 */
export function renderSlackPayload(doc: MessageDoc): { text: string; blocks: SlackBlock[] } {
  const L = slackLimits;
  const header: SlackBlock = {
    type: "header",
    text: {
      type: "plain_text",
      // plain_text: Slack prints it as written, nothing to escape but line breaks and controls
      text: truncateText(escapeTerminal(`${doc.emoji} ${doc.headline} | ${doc.timeLabel}`), L.headerText),
      emoji: true,
    },
  };
  const sections: SlackBlock[] = doc.sections.map((s) => {
    const head = `${s.emoji} *${escapeSlack(s.heading)}*${s.summary ? `: ${escapeSlack(s.summary)}` : ""}`;
    const headLine = truncateText(head, 300);
    const body = truncateLines(
      s.lines.map((line) => escapeSlack(line)),
      L.sectionText - headLine.length - 1,
    );
    return { type: "section", text: { type: "mrkdwn", text: body ? `${headLine}\n${body}` : headLine } };
  });
  const link: SlackBlock[] =
    doc.linkUrl && /^https?:\/\//.test(doc.linkUrl) && doc.linkUrl.length <= L.buttonUrl
      ? [
          {
            type: "actions",
            elements: [{ type: "button", text: { type: "plain_text", text: "View Logs" }, url: doc.linkUrl }],
          },
        ]
      : [];

  // Fixed blocks (header, link) always stay; sections share what is left of the block count and of
  // the total character budget, in order, with one context block saying what was left out.
  const fixedChars = (header.text as { text: string }).text.length + (link.length ? 9 : 0);
  let budget = L.maxTotalBlockChars - fixedChars - 100;
  const slotsForSections = L.maxBlocks - 1 - link.length;
  const sizeOf = (block: SlackBlock) => (block.text as { text: string }).text.length;
  const allChars = sections.reduce((sum, b) => sum + sizeOf(b), 0);
  let kept = sections;
  if (sections.length > slotsForSections || allChars > budget) {
    kept = [];
    for (const block of sections) {
      // Leave one block free for the "left out" note.
      if (kept.length >= slotsForSections - 1 || sizeOf(block) > budget) break;
      kept.push(block);
      budget -= sizeOf(block);
    }
  }
  const dropped = sections.length - kept.length;
  const note: SlackBlock[] =
    dropped > 0
      ? [
          {
            type: "context",
            elements: [
              {
                type: "mrkdwn",
                text: `…${dropped} more section${dropped === 1 ? "" : "s"} left out (Slack size limits)`,
              },
            ],
          },
        ]
      : [];
  return {
    text: truncateText(renderText(doc, "slack"), L.messageText),
    blocks: [header, ...kept, ...note, ...link],
  };
}
