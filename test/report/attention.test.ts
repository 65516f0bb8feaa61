import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type AttentionItem, attentionLine, toAttentionItem } from "../../engine/src/report/attention.ts";
import type { ReportData, ReportRow } from "../../engine/src/report/data.ts";
import { renderReportHtml } from "../../engine/src/report/html.ts";
import { findChromium, HeadlessChromium } from "./chromium.ts";

/**
 * The report's "Needs attention" section (first on the page, rpt_attention's rows in words), the
 * hand-offs chart (rpt_handoffs_daily) and the trends cards (rpt_campaign_trends), from rows shaped
 * like those views' output (test/sql/attention.test.ts pins the views themselves), in a real
 * headless Chromium. Also the capacity chart's axis: it follows the leads held, not the cap.
 */
const SMB = "camp-smb";
const MID = "camp-mid";

const base = (kind: string, subject: string, o: Partial<ReportRow> = {}): ReportRow => ({
  kind,
  subject,
  segment: null,
  campaign_id: null,
  reason: null,
  items: null,
  value: null,
  threshold: null,
  since: null,
  detail: null,
  eligible_left: null,
  adds_per_day: null,
  runway_days: null,
  slots: null,
  held_domain_limit: null,
  held_cooldown: null,
  held_suppressed: null,
  needs_attention: true,
  sort_order: 1,
  ...o,
});

const ATTENTION: ReportRow[] = [
  // deliberately out of order: the page puts what needs attention first
  base("pool_runway", "midsize", {
    segment: "midsize",
    campaign_id: MID,
    items: 4_000,
    eligible_left: 4_000,
    adds_per_day: 40,
    runway_days: 100,
    threshold: 14,
    held_domain_limit: 0,
    held_cooldown: 12,
    held_suppressed: 3,
    needs_attention: false,
    sort_order: 8,
  }),
  base("open_alert", `bounce_rate:${SMB}`, { value: 4.5, since: "2026-06-01T09:00:00.000Z" }),
  base("run_failed", "run-7", {
    reason: "apply",
    items: 3,
    since: "2026-06-01T10:00:00.000Z",
    detail: "HTTP 500 from Instantly",
    sort_order: 2,
  }),
  base("campaign_blocked", SMB, {
    campaign_id: SMB,
    segment: "smb",
    reason: "bounce_guard",
    value: 4.5,
    threshold: 3,
    sort_order: 3,
  }),
  base("orphans", "campaign_gone", {
    reason: "none",
    items: 2,
    since: "2026-05-30T00:00:00.000Z",
    sort_order: 4,
  }),
  base("handoffs", SMB, {
    campaign_id: SMB,
    segment: "smb",
    items: 5,
    since: "2026-05-28T00:00:00.000Z",
    sort_order: 5,
  }),
  base("pool_fill", "push_budget", {
    items: 25,
    value: 25,
    threshold: 50,
    slots: 100,
    eligible_left: 25,
    held_domain_limit: 562,
    held_cooldown: 40,
    held_suppressed: 7,
    sort_order: 6,
  }),
  base("pool_runway", "smb", {
    segment: "smb",
    campaign_id: SMB,
    items: 25,
    eligible_left: 25,
    adds_per_day: 27,
    runway_days: 25 / 27,
    threshold: 14,
    held_domain_limit: 562,
    held_cooldown: 40,
    held_suppressed: 7,
    sort_order: 7,
  }),
];

const trendRow = (campaign: string, name: string, segment: string, week: string, c: number, r: number) => ({
  campaign_id: campaign,
  campaign_name: name,
  segment,
  week,
  contacted: c,
  replied: r,
  positive: Math.floor(r / 2),
  meetings: Math.floor(r / 4),
  bounced: 1,
  unsubscribed: 1,
  reply_rate_pct: (100 * r) / c,
  positive_rate_pct: (100 * Math.floor(r / 2)) / c,
  meeting_rate_pct: (100 * Math.floor(r / 4)) / c,
  bounce_rate_pct: 100 / c,
  unsubscribe_rate_pct: 100 / c,
});

function reportData(): ReportData {
  const tables = {
    figures: [],
    funnel: [],
    capacity: ["p1", "p2", "p3"].map((run, i) => ({
      run_id: run,
      pulled_at: `2026-05-2${i + 7}T09:00:00.000Z`,
      segment: "smb",
      leads_held: 300 + 50 * i,
      inventory_cap: 24_000,
    })),
    campaigns: [
      { campaign_id: SMB, campaign_name: "SMB outreach", segment: "smb", is_managed: true },
      { campaign_id: MID, campaign_name: "Midsize outreach", segment: "midsize", is_managed: true },
    ],
    runs: [],
    verification: [],
    eligibility: [],
    suppression: [],
    pacing: [],
    attention: ATTENTION,
    handoffs: [
      { day: "2026-05-28", campaign_id: SMB, campaign_name: "SMB outreach", segment: "smb", handoffs: 3 },
      {
        day: "2026-05-29",
        campaign_id: MID,
        campaign_name: "Midsize outreach",
        segment: "midsize",
        handoffs: 2,
      },
    ],
    trends: [
      trendRow(SMB, "SMB outreach", "smb", "2026-05-11", 200, 12),
      trendRow(SMB, "SMB outreach", "smb", "2026-05-18", 180, 8),
      trendRow(SMB, "SMB outreach", "smb", "2026-05-25", 150, 4),
      trendRow(MID, "Midsize outreach", "midsize", "2026-05-25", 90, 6),
    ],
  } as ReportData["tables"];
  return { tables, missing: [], leadStatus: null };
}

function html(): string {
  return renderReportHtml({
    meta: {
      title: "Report",
      generatedAt: "2026-06-01T12:00:00.000Z",
      source: "test fixture",
      reportingDataset: "cold_email_reporting",
      bounceBlockPct: 3,
      inventoryCap: 24_000,
    },
    data: reportData(),
    lineage: { unavailable: "no lineage in this test" },
  });
}

describe("attention lines (the words engine status and the report share)", () => {
  const names = new Map([
    [SMB, "SMB outreach"],
    [MID, "Midsize outreach"],
  ]);
  const line = (r: ReportRow) => attentionLine(toAttentionItem(r), names);
  const item = (kind: string) => ATTENTION.find((r) => r.kind === kind) as ReportRow;

  it("says what each kind is, with names for campaign ids, never a lead", () => {
    expect(line(item("open_alert"))).toBe(
      "alert bounce rate · SMB outreach raised 2026-06-01 09:00 UTC (value 4.5)",
    );
    expect(line(item("run_failed"))).toBe(
      "apply run run-7 failed 2026-06-01 10:00 UTC: HTTP 500 from Instantly (`engine show run-7`)",
    );
    expect(line(item("campaign_blocked"))).toBe(
      "campaign SMB outreach gets no adds: bounce rate 4.5 % over the 3 % guard",
    );
    expect(line(base("campaign_blocked", MID, { campaign_id: MID, reason: "no_healthy_sender" }))).toBe(
      "campaign Midsize outreach gets no adds: no healthy mailbox",
    );
    expect(line(item("orphans"))).toBe(
      "2 orphaned leads (campaign gone; a person must look) since 2026-05-30 00:00 UTC: rpt_orphans",
    );
    expect(line(item("handoffs"))).toBe(
      "5 hand-offs from SMB outreach in the last 7 days: `engine handoffs --since 7d`, table rpt_handoffs",
    );
    expect(line(item("pool_fill"))).toBe(
      "this run's pool: 25 candidates for 100 slots (under half: the pool is running dry); kept out: 562 by the domain limit, 40 cooling down, 7 suppressed",
    );
    expect(line(ATTENTION.find((r) => r.subject === "smb") as ReportRow)).toBe(
      "pool smb: 25 eligible leads left at 27 new starts a day = 0.9 days (under 14); kept out: 562 by the domain limit, 40 cooling down, 7 suppressed",
    );
    expect(line(ATTENTION[0] as ReportRow)).toBe(
      "pool midsize: 4,000 eligible leads left at 40 new starts a day = 100.0 days; kept out: 12 cooling down, 3 suppressed",
    );
  });

  it("one is singular", () => {
    const one: AttentionItem = toAttentionItem(base("orphans", "stuck", { reason: "drain", items: 1 }));
    expect(attentionLine(one)).toMatch(/^1 orphaned lead \(stuck; in this run's drain queue\)/);
  });
});

const chromium = findChromium();
if ("reason" in chromium) console.log(`skipping the headless Chromium check: ${chromium.reason}`);

describe("the report's needs-attention, hand-offs and trends sections in headless Chromium", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "report-attention-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf("reason" in chromium)(
    "shows needs-attention first, the hand-offs chart and one trends chart per campaign, drawn with data",
    async () => {
      const file = path.join(dir, "report.html");
      const page = html();
      // The section is counts, codes and names (Chart.js itself contains "@", so only the section is checked).
      const section = page.slice(
        page.indexOf('data-section="attention"'),
        page.indexOf('<section class="kpis">'),
      );
      expect(section).toContain("bounce rate");
      expect(section).not.toContain("@");
      writeFileSync(file, page);
      const browser = await HeadlessChromium.launch((chromium as { path: string }).path);
      try {
        await browser.load(pathToFileURL(file).href);
        expect(await browser.evaluate<string>("document.body.dataset.ready")).toBe("true");
        const attention = await browser.evaluate<{
          first: string;
          needs: string[];
          info: string[];
          count: string;
        }>(`(() => {
          const card = document.querySelector('[data-section="attention"]');
          return {
            first: document.querySelector("main").firstElementChild.dataset.section,
            needs: [...card.querySelectorAll("li.needs")].map((li) => li.dataset.kind),
            info: [...card.querySelectorAll("li.info")].map((li) => li.textContent),
            count: card.querySelector("[data-needs]").dataset.needs,
          };
        })()`);
        expect(attention.first).toBe("attention");
        expect(attention.needs).toEqual([
          "open_alert",
          "run_failed",
          "campaign_blocked",
          "orphans",
          "handoffs",
          "pool_fill",
          "pool_runway",
        ]);
        expect(attention.count).toBe("7");
        expect(attention.info).toEqual([
          "pool midsize: 4,000 eligible leads left at 40 new starts a day = 100.0 days; kept out: 12 cooling down, 3 suppressed",
        ]);

        const charts = await browser.evaluate<
          Array<{
            id: string;
            campaign: string | undefined;
            labels: string[];
            series: string[];
            values: number;
            painted: boolean;
          }>
        >(`[...document.querySelectorAll('[data-chart="handoffs"], [data-section="trends"][data-chart]')].map((card) => {
          const canvas = card.querySelector("canvas");
          const chart = canvas && Chart.getChart(canvas);
          let painted = false;
          if (chart) {
            const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < px.length; i += 4 * 97) if (px[i] > 0) { painted = true; break; }
          }
          return {
            id: card.dataset.chart,
            campaign: card.dataset.campaign,
            labels: chart ? chart.data.labels : [],
            series: chart ? chart.data.datasets.map((d) => d.label) : [],
            values: chart ? chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => Number(v) > 0).length, 0) : 0,
            painted,
          };
        })`);
        expect(charts.map((c) => [c.id, c.campaign ?? null])).toEqual([
          ["handoffs", null],
          ["trends-0", MID],
          ["trends-1", SMB],
        ]);
        const [handoffs, mid, smb] = charts;
        expect(handoffs).toMatchObject({
          labels: ["2026-05-28", "2026-05-29"],
          series: ["midsize · Midsize outreach", "smb · SMB outreach"],
          values: 2,
          painted: true,
        });
        const series = [
          "reply rate %",
          "positive reply rate %",
          "meeting rate %",
          "bounce rate %",
          "unsubscribe rate %",
          "contacted",
        ];
        expect(smb).toMatchObject({
          labels: ["week of 2026-05-11", "week of 2026-05-18", "week of 2026-05-25"],
          series,
          painted: true,
        });
        // 3 weeks x 6 series, every value above 0
        expect(smb?.values).toBe(18);
        expect(mid).toMatchObject({ labels: ["week of 2026-05-25"], series, values: 6, painted: true });

        // The capacity axis follows the 300-400 leads held, not the 24,000 cap (no flat line at the bottom).
        const axis = await browser.evaluate<{ max: number; subtitle: string }>(`(() => {
          const chart = Chart.getChart(document.querySelector('[data-chart="capacity"] canvas'));
          return { max: chart.scales.y.max, subtitle: chart.options.plugins.subtitle.text };
        })()`);
        expect(axis.max).toBeLessThan(1_000);
        expect(axis.max).toBeGreaterThanOrEqual(400);
        expect(axis.subtitle).toBe("inventory cap 24,000 is off the axis (peak 400 held)");

        expect(browser.problems.consoleErrors).toEqual([]);
        expect(browser.problems.exceptions).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
