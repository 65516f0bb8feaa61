import { describe, expect, it } from "vitest";
import { measureAlerts, renderAlertMessage } from "../../engine/src/notify/alerts.ts";
import { renderSlackPayload } from "../../engine/src/notify/blocks.ts";
import type { MessageDoc } from "../../engine/src/notify/message.ts";
import { renderDrainMessage, renderSyncMessage } from "../../engine/src/notify/render.ts";
import {
  slackLimits,
  truncateLines,
  truncateText,
  validateSlackPayload,
} from "../../engine/src/notify/slack-limits.ts";
import { hugeReport, sampleReport } from "./fixtures.ts";

const opts = { timeZone: "UTC" };

describe("Slack limit validator", () => {
  it("accepts a minimal valid payload", () => {
    expect(validateSlackPayload({ text: "hi" })).toEqual([]);
    expect(
      validateSlackPayload({
        text: "hi",
        blocks: [
          { type: "header", text: { type: "plain_text", text: "Title" } },
          { type: "section", text: { type: "mrkdwn", text: "*x*" } },
          {
            type: "actions",
            elements: [{ type: "button", text: { type: "plain_text", text: "Go" }, url: "https://x.y" }],
          },
        ],
      }),
    ).toEqual([]);
  });

  it("reports every documented limit it sees broken", () => {
    const section = (n: number) => ({ type: "section", text: { type: "mrkdwn", text: "a".repeat(n) } });
    const cases: Array<[unknown, RegExp]> = [
      [{ blocks: Array.from({ length: 51 }, () => ({ type: "divider" })) }, /51 blocks \(max 50\)/],
      [
        { blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }] },
        /header text is 151 chars \(max 150\)/,
      ],
      [
        { blocks: [{ type: "header", text: { type: "mrkdwn", text: "h" } }] },
        /header text must be plain_text/,
      ],
      [{ blocks: [section(3001)] }, /section text is 3001 chars \(max 3000\)/],
      [{ text: "t".repeat(4001) }, /text is 4001 chars \(max 4000\)/],
      [
        {
          blocks: [
            { type: "section", fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "f" })) },
          ],
        },
        /11 fields \(max 10\)/,
      ],
      [
        { blocks: [{ type: "section", fields: [{ type: "mrkdwn", text: "f".repeat(2001) }] }] },
        /field 0 is 2001 chars/,
      ],
      [
        {
          blocks: [
            {
              type: "actions",
              elements: [{ type: "button", text: { type: "plain_text", text: "b".repeat(76) } }],
            },
          ],
        },
        /button 0 text is 76 chars \(max 75\)/,
      ],
      [
        {
          blocks: [
            {
              type: "actions",
              elements: [{ type: "button", text: { type: "plain_text", text: "b" }, url: "ftp://x" }],
            },
          ],
        },
        /not http/,
      ],
      [
        { blocks: [section(2900), section(2900), section(2900), section(2900), section(2900)] },
        /keep under 12000/,
      ],
      [{ blocks: [{ type: "section" }] }, /needs text or fields/],
      [{}, /neither text nor blocks/],
      [{ blocks: [{ type: "table" }] }, /unsupported type/],
    ];
    for (const [payload, problem] of cases) {
      expect(validateSlackPayload(payload).join("; ")).toMatch(problem);
    }
  });
});

describe("truncation", () => {
  it("never splits an emoji and stays within the limit", () => {
    const text = "🚀".repeat(100);
    const cut = truncateText(text, 11);
    expect(cut.length).toBeLessThanOrEqual(11);
    expect(cut).toBe(`${"🚀".repeat(5)}…`);
    expect(truncateText("short", 10)).toBe("short");
  });

  it("cuts by whole lines and says how many were left out", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `• line ${i}`);
    const out = truncateLines(lines, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.split("\n").at(-1)).toMatch(/^• …and \d+ more$/);
    expect(out.startsWith("• line 0\n• line 1\n")).toBe(true);
  });
});

describe("Block Kit output", () => {
  it("sync, drain and alert messages of a normal run are within Slack limits", () => {
    const report = sampleReport();
    const messages = [
      renderSyncMessage(report, opts),
      renderDrainMessage(report, opts),
      ...measureAlerts({ ...report, status: "failed", error: "boom" }).map((m) =>
        renderAlertMessage({ key: m.key, state: "raised", measurement: m }, report, opts),
      ),
    ];
    for (const m of messages) expect(validateSlackPayload(m.slack)).toEqual([]);
    const sync = messages[0]!.slack;
    expect(sync.blocks[0]).toEqual({
      type: "header",
      text: {
        type: "plain_text",
        text: "🔄 Cold Email Sync Complete with Issues | 7:30 PM UTC",
        emoji: true,
      },
    });
    expect(sync.blocks.at(-1)).toEqual({
      type: "actions",
      elements: [
        {
          type: "button",
          text: { type: "plain_text", text: "View Logs" },
          url: "https://github.com/acme/cold-email/actions/runs/123456",
        },
      ],
    });
    expect(sync.text).toContain("*📊 Capacity Status*".replace("*📊 ", "📊 *"));
    expect(sync.text).toContain("🔗 <https://github.com/acme/cold-email/actions/runs/123456|View Logs>");
  });

  it("truncates a huge report to a payload Slack accepts", () => {
    const report = hugeReport();
    for (const m of [renderSyncMessage(report, opts), renderDrainMessage(report, opts)]) {
      expect(validateSlackPayload(m.slack)).toEqual([]);
      const json = JSON.stringify(m.slack);
      expect(json).toContain("more"); // something was visibly cut, not silently dropped
      expect(m.slack.text.length).toBeLessThanOrEqual(slackLimits.messageText);
      expect(m.slack.blocks.length).toBeLessThanOrEqual(slackLimits.maxBlocks);
      // No broken surrogate pairs anywhere.
      expect(json).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\udc|\\udd|\\ude|\\udf)/i);
    }
  });

  it("drops sections past 50 blocks or the total budget, and says so", () => {
    const doc: MessageDoc = {
      kind: "sync",
      emoji: "🔄",
      headline: "Many sections",
      timeLabel: "1:00 PM UTC",
      sections: Array.from({ length: 80 }, (_, i) => ({
        emoji: "📊",
        heading: `Section ${i}`,
        lines: ["• a", "• b"],
      })),
      linkUrl: "https://ci.example/run/1",
    };
    const many = renderSlackPayload(doc);
    expect(validateSlackPayload(many)).toEqual([]);
    expect(many.blocks).toHaveLength(50);
    expect(JSON.stringify(many.blocks.at(-2))).toContain("more sections left out");
    expect(many.blocks.at(-1)?.type).toBe("actions");

    const wide = renderSlackPayload({
      ...doc,
      sections: Array.from({ length: 8 }, (_, i) => ({
        emoji: "📊",
        heading: `Section ${i}`,
        lines: Array.from({ length: 200 }, (_, j) => `• line ${j} ${"z".repeat(20)}`),
      })),
    });
    expect(validateSlackPayload(wide)).toEqual([]);
    expect(JSON.stringify(wide.blocks)).toContain("left out");
  });

  it("escapes Slack control characters in mrkdwn", () => {
    const report = sampleReport();
    report.adds.byCampaign[0]!.campaignName = "A <b> & C";
    const section = JSON.stringify(renderSyncMessage(report, opts).slack.blocks);
    expect(section).toContain("A &lt;b&gt; &amp; C Campaign");
  });

  it("keeps the header within 150 characters for a long alert title", () => {
    const report = sampleReport();
    const [m] = measureAlerts(report, {
      campaignHealth: [
        {
          campaignId: "c1",
          campaignName: "N".repeat(300),
          contacted: 100,
          sent: 100,
          bounced: 10,
          bounceRatePct: 10,
        },
      ],
    }).filter((x) => x.key.startsWith("bounce_rate"));
    const msg = renderAlertMessage({ key: m!.key, state: "raised", measurement: m! }, report, opts);
    expect(validateSlackPayload(msg.slack)).toEqual([]);
    const header = msg.slack.blocks[0] as unknown as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    expect(header.text.text.endsWith("…")).toBe(true);
  });
});
