import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatRuns } from "../../engine/src/cli/runs.ts";
import { formatRunDetail } from "../../engine/src/cli/show.ts";
import {
  escapeEchoMarkdown,
  escapeSlackMrkdwn,
  escapeTerminal,
  guardWorkflowCommands,
  markdownCode,
} from "../../engine/src/core/escape.ts";
import type { RunReport } from "../../engine/src/core/run-report.ts";
import { renderTable } from "../../engine/src/core/table.ts";
import { createNotifier } from "../../engine/src/notify/create-notifier.ts";
import { renderDrainMessage, renderSyncMessage } from "../../engine/src/notify/render.ts";
import { type NotifySink, startNotifySink } from "../../engine/src/sandbox/notify-sink.ts";
import type { RunSummary } from "../../engine/src/sync/run-history.ts";
import { formatStatus, type StatusReport } from "../../engine/src/sync/status.ts";
import { sampleReport } from "./fixtures.ts";

/**
 * Untrusted text (a campaign name, an upstream error message) never becomes markup or a command in
 * any sink: Echo (messages API and external endpoint), the Slack webhook, the console notifier in a
 * GitHub Actions log, and the CLI tables. The strings are the ones that got through before.
 * (The GitHub job summary's test is in test/report/github.test.ts.)
 */

const WORKFLOW = "Cold\n::warning title=x::pwned\n::add-mask::Cold";
const MD_LINK = "[Renew your plan here](https://evil.example/renew) <img src=x onerror=alert(1)>";
const MENTION = "<!channel>";
const SLACK_LINK = "<https://evil.example|click>";
const ANSI = "\u001b[31mRED\u001b[0m";
const OLD_COMMAND = "x ##[add-mask]Cold";
const HOSTILE = [WORKFLOW, MD_LINK, MENTION, SLACK_LINK, ANSI, OLD_COMMAND];

function hostileReport(): RunReport {
  const base = sampleReport();
  return {
    ...base,
    status: "failed",
    error: `Instantly said: ${MD_LINK} ${MENTION} ${SLACK_LINK}\n::error::${ANSI}`,
    adds: {
      ...base.adds,
      byCampaign: base.adds.byCampaign.map((c, i) => ({
        ...c,
        campaignName: i === 0 ? `${WORKFLOW} ${MENTION}` : `${MD_LINK} ${SLACK_LINK} ${ANSI} ${OLD_COMMAND}`,
      })),
    },
  };
}

const opts = { timeZone: "America/New_York" };
const sync = renderSyncMessage(hostileReport(), opts);
const drain = renderDrainMessage(hostileReport(), opts);

/** Lines a GitHub Actions runner would execute as workflow commands (`::cmd` at a line start, `##[` anywhere). */
const commandLines = (text: string) =>
  text.split(/\r\n|\r|\n/).filter((l) => /^\s*::/.test(l) || l.includes("##["));

/** Slack mrkdwn control sequences that came from outside: a `<` or `>` not written as an entity. */
const rawAngles = (text: string) => [...text.matchAll(/[<>]/g)].length;

describe("the escaping functions (engine/src/core/escape.ts)", () => {
  it("Slack mrkdwn: & < > become entities, so mentions and links are text", () => {
    expect(escapeSlackMrkdwn(MENTION)).toBe("&lt;!channel&gt;");
    expect(escapeSlackMrkdwn(SLACK_LINK)).toBe("&lt;https://evil.example|click&gt;");
    expect(escapeSlackMrkdwn("A & B")).toBe("A &amp; B");
  });

  it("Echo Markdown: no link, image or HTML can be formed", () => {
    expect(escapeEchoMarkdown(MD_LINK)).toBe(
      "\\[Renew your plan here\\](https://evil.example/renew) &lt;img src=x onerror=alert(1)&gt;",
    );
    expect(escapeEchoMarkdown("![x](y)")).toBe("!\\[x\\](y)");
    expect(escapeEchoMarkdown("\\[x](y)")).toBe("\\\\\\[x\\](y)");
  });

  it("terminal: control characters are visible, line breaks are spaces", () => {
    expect(escapeTerminal(ANSI)).toBe("\\x1b[31mRED\\x1b[0m");
    expect(escapeTerminal("a\nb\r\nc\u2028d")).toBe("a b  c d");
    expect(escapeTerminal("\u009b2J \u202eevil")).toBe("\\x9b2J \\u202eevil");
  });

  it("workflow commands: no line starts one, in either syntax, however indented", () => {
    const guarded = guardWorkflowCommands(`ok\n::warning::x\n  ::add-mask::y\r\n${OLD_COMMAND}\n::`);
    expect(commandLines(guarded)).toEqual([]);
    expect(guarded.replace(/\u200b/g, "")).toBe(`ok\n::warning::x\n  ::add-mask::y\r\n${OLD_COMMAND}\n::`);
  });

  it("GitHub Markdown: free text as an inline code span, fenced longer than any backtick run inside", () => {
    expect(markdownCode(MD_LINK)).toBe(`\`${MD_LINK}\``);
    expect(markdownCode("a `b` c")).toBe("``a `b` c``");
    expect(markdownCode("`x")).toBe("`` `x ``");
    expect(markdownCode("a\nb")).toBe("`a b`");
  });
});

describe("sink: Echo messages API (Markdown content and title)", () => {
  it("carries the names and the error as text: no link, image, HTML or mention", () => {
    for (const m of [sync, drain]) {
      for (const text of [m.text, m.title]) {
        expect(text).not.toContain(MENTION);
        expect(text).not.toContain("<https://evil");
        expect(text).not.toContain("<img");
        expect(text).not.toContain("[Renew your plan here](");
        expect(rawAngles(text)).toBe(0);
        // the only Markdown link is our own "View Logs"
        expect([...text.matchAll(/(?<!\\)\]\(/g)].length).toBeLessThanOrEqual(1);
      }
    }
    expect(sync.text).toContain("\\[Renew your plan here\\](https://evil.example/renew) &lt;img");
    expect(sync.text).toContain("&lt;!channel&gt;");
    expect(sync.text).toContain("🔗 [View Logs](");
  });

  it("delivers exactly that to Echo (through the local sink)", async () => {
    const sink: NotifySink = await startNotifySink({ echoToken: "t-123456789", echoApiKey: "k-123456789" });
    try {
      const notifier = createNotifier(
        { SLACK_NOTIFICATION_CHANNEL: "#ops", ...sink.env("echo-messages") },
        { retry: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 } },
      );
      expect((await notifier.send(sync)).ok).toBe(true);
      const create = sink.received().find((r) => r.target === "echo-create");
      const body = create?.body as { title: string; content: string };
      expect(body.content).toBe(sync.text);
      for (const s of [MENTION, SLACK_LINK, "<img"]) {
        expect(body.content).not.toContain(s);
        expect(body.title).not.toContain(s);
      }
      expect(body.content).not.toMatch(/(?<!\\)\[Renew/);
    } finally {
      await sink.close();
    }
  });
});

describe("sink: Echo external endpoint (notification_data)", () => {
  it("escapes every string of the data for the Slack blocks Echo builds, links left as they are", () => {
    const json = JSON.stringify(sync.notificationData);
    expect(rawAngles(json)).toBe(0);
    expect(json).toContain("&lt;!channel&gt;");
    expect(json).not.toContain("\\u001b");
    const data = sync.notificationData as { github_run_url?: string };
    expect(data.github_run_url).toBe(hostileReport().ciRunUrl ?? null);
  });
});

describe("sink: Slack incoming webhook (mrkdwn text and Block Kit)", () => {
  it("has no mention, link or control character from outside in the text or any block", () => {
    const json = JSON.stringify(sync.slack);
    expect(json).not.toContain(MENTION);
    expect(json).not.toContain(SLACK_LINK);
    expect(json).not.toContain("\\u001b");
    expect(json).toContain("&lt;!channel&gt;");
    // our own link is the only <url|label> in the fallback text
    expect([...sync.slack.text.matchAll(/<[^>]*>/g)].map((m) => m[0])).toEqual(
      sync.slack.text.includes("View Logs") ? [expect.stringMatching(/^<https?:\/\/[^|]+\|View Logs>$/)] : [],
    );
  });
});

describe("sink: console notifier in a GitHub Actions log (stderr)", () => {
  let out = "";
  beforeAll(async () => {
    // No Echo or Slack variables: the console notifier, as in CI without a channel.
    const notifier = createNotifier(
      {},
      {
        write: (t: string) => {
          out += t;
        },
      },
    );
    expect(notifier.kind).toBe("console");
    await notifier.send(sync);
    await notifier.send(drain);
  });
  afterAll(() => {
    out = "";
  });

  it("prints no workflow command and no terminal escape", () => {
    expect(out.length).toBeGreaterThan(200);
    expect(commandLines(out)).toEqual([]);
    expect(out).not.toContain("\u001b");
  });

  it("still shows the names and the error as text", () => {
    expect(out).toContain("Cold ::warning title=x::pwned ::add-mask::Cold");
    expect(out).toContain("\\x1b[31mRED");
    expect(out).toContain("[Renew your plan here](https://evil.example/renew)");
  });
});

describe("sink: CLI tables (engine status, runs, show)", () => {
  const status: StatusReport = {
    latestPull: { runId: "pull-1", finishedAt: "2026-03-02T14:00:00Z", leads: 10, complete: true },
    actionTables: null,
    inventory: {
      cap: 100,
      atPull: 10,
      addedSincePull: 0,
      drainedSincePull: 0,
      now: 10,
      utilisationPct: 10,
      unfinishedRunsSincePull: 0,
    },
    campaigns: HOSTILE.map((name, i) => ({
      campaign_id: `c-${i}`,
      campaign_name: name,
      segment: "smb",
      status: "active",
      status_code: 1,
      leads_at_pull: i,
      added_since_pull: 0,
      drained_since_pull: 0,
      leads_now: i,
      cap_share_pct: null,
      bounce_rate_pct: null,
      is_bounce_blocked: false,
    })),
    runs: [
      {
        runId: "apply-1",
        mode: "apply",
        status: "failed",
        startedAt: "2026-03-02T14:00:00Z",
        finishedAt: "2026-03-02T14:01:00Z",
        error: `${ANSI}\n::error::boom`,
      },
    ],
    openAlerts: [],
    suppressed: 0,
    unresolvedActions: 0,
  };

  it("engine status: one line per campaign, no escape sequence, no workflow command", () => {
    const lines = formatStatus(status);
    const text = lines.join("\n");
    expect(text).not.toContain("\u001b");
    expect(commandLines(text)).toEqual([]);
    const campaignRows = lines.filter((l) => /^ {2}smb\s/.test(l));
    expect(campaignRows).toHaveLength(HOSTILE.length);
    expect(text).toContain("\\x1b[31mRED");
  });

  const run: RunSummary = {
    runId: "apply-1",
    mode: "apply",
    status: "failed",
    startedAt: "2026-03-02T14:00:00Z",
    finishedAt: "2026-03-02T14:01:00Z",
    durationSeconds: 60,
    adds: 1,
    drains: 0,
    failures: 1,
    errorsByClass: { [`${ANSI}x`]: 1 },
    error: `${WORKFLOW} ${ANSI}`,
    ciRunUrl: null,
    counts: null,
  };

  it("engine runs and engine show: no escape sequence, no workflow command, the error on its own line", () => {
    const runs = formatRuns([run]).join("\n");
    const show = formatRunDetail({
      run,
      byOpState: { add: { failed: 1 } },
      byReason: {},
      byCampaign: { [WORKFLOW]: { failed: 1 } },
      byError: { [ANSI]: 1 },
      unresolved: 0,
      failedSample: [
        {
          action_id: "a1",
          op: "add",
          campaign_id: MENTION,
          state: "failed",
          error_code: "http_500",
          http_status: 500,
          retryable: true,
          message: `${MD_LINK}\n::error::x ${ANSI}`,
        },
      ],
    });
    for (const text of [runs, show.join("\n")]) {
      expect(text).not.toContain("\u001b");
      expect(commandLines(text)).toEqual([]);
    }
    expect(show.filter((l) => l.startsWith("  error   Cold ::warning title=x::pwned"))).toHaveLength(1);
    expect(show.join("\n")).toContain("\\x1b[31mRED");
  });

  it("renderTable (engine runs, engine show): cells keep the table's shape", () => {
    const table = renderTable(
      ["id", "name"],
      [
        ["a", WORKFLOW],
        ["b", ANSI],
        ["c", "::stop-commands::x"],
      ],
    );
    expect(table).toHaveLength(5);
    expect(commandLines(table.join("\n"))).toEqual([]);
    expect(table.join("\n")).not.toContain("\u001b");
  });
});
