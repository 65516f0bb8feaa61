import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { type DemoResult, runDemo } from "../../engine/src/local/demo.ts";
import { openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { findChromium, HeadlessChromium } from "./chromium.ts";

/**
 * The report's "Pacing" section after a short demo with mailboxes (pacing: capacity): one chart per
 * managed campaign from rpt_send_capacity, carrying the view's rows, drawn in headless Chromium when
 * one is installed.
 */
const DAYS = 4;

describe("the report's Pacing section", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "report-pacing-"));
  const file = path.join(dir, "demo.duckdb");
  let demo: DemoResult;
  let html: string;
  const printed: string[] = [];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    demo = await runDemo({
      leads: 300,
      days: DAYS,
      seed: 3,
      mailboxes: 2,
      warehouseFile: file,
      write: (text: string) => printed.push(text),
    });
    html = readFileSync(demo.reportFile as string, "utf8");
  }, 300_000);

  async function viewRows(): Promise<Array<Record<string, unknown>>> {
    const db = await openDuckDb(file);
    try {
      return (
        await db.conn.runAndReadAll(
          "select * from cold_email_reporting.rpt_send_capacity order by segment, day",
        )
      ).getRowObjectsJS() as Array<Record<string, unknown>>;
    } finally {
      db.close();
    }
  }

  it("has one chart card per managed campaign and the view's rows in the page data", async () => {
    const rows = await viewRows();
    const campaigns = [...new Set(rows.map((r) => String(r.campaign_id)))];
    expect(campaigns.length).toBe(2);
    expect(rows.some((r) => Number(r.sends_per_day) > 0)).toBe(true);
    const cards = [
      ...html.matchAll(/data-section="pacing" data-chart="(pacing-\d)" data-campaign="([^"]+)"/g),
    ];
    expect(cards.map((m) => m[2]).sort()).toEqual([...campaigns].sort());
    expect(html).not.toContain("rpt_send_capacity does not exist yet");
    const data = JSON.parse(
      html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)?.[1] ?? "{}",
    ) as { tables: { pacing: Array<Record<string, unknown>> } };
    expect(data.tables.pacing.length).toBe(rows.length);
    expect(data.tables.pacing.map((r) => Number(r.sends_per_day)).sort()).toEqual(
      rows.map((r) => Number(r.sends_per_day)).sort(),
    );
  });

  it("prints the sync message's capacity block every day, read from int_send_capacity by the notify hook", () => {
    const syncs = printed
      .join("")
      .split("─".repeat(60))
      .filter((m) => m.includes("Cold Email Sync"));
    expect(syncs.length).toBe(DAYS);
    for (const m of syncs) {
      const block = m.split("\n\n").find((p) => p.startsWith("🚦 Sending Capacity"));
      expect(block, m).toBeDefined();
      const lines = (block ?? "").split("\n").slice(1);
      expect(lines).toHaveLength(2);
      for (const line of lines)
        expect(line).toMatch(
          /^• .+: 2\/2 healthy mailboxes \| \d+ sends\/day \| \d+ new starts\/day \| backlog /,
        );
    }
  });

  it("the page script gives each campaign's chart that campaign's rows (no browser: Chart.js recorded)", () => {
    // The last three scripts: report.js (Chart.js defaults, the other charts), report-pacing.js and
    // report-trends.js (no trends or hand-off cards here: it draws nothing).
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "").slice(-3);
    const payload = html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)?.[1];
    const cards = [...html.matchAll(/data-chart="(pacing-\d)" data-campaign="([^"]+)"/g)].map((m) => ({
      dataset: { chart: m[1], campaign: m[2] } as Record<string, string>,
      querySelector: () => ({ innerHTML: "" }),
    }));
    const drawn: Array<{
      campaign: string;
      labels: string[];
      datasets: Array<{ label: string; data: unknown[] }>;
    }> = [];
    // Only the browser's document and Chart.js are stood in for; the page script runs as shipped.
    const Chart = Object.assign(
      function (this: unknown, _canvas: unknown, config: { data: Omit<(typeof drawn)[number], "campaign"> }) {
        const card = cards.find((c) => c.dataset.points !== undefined && !c.dataset.recorded);
        if (card) card.dataset.recorded = "1";
        drawn.push({ campaign: card?.dataset.campaign ?? "?", ...config.data });
      },
      { defaults: { font: {}, plugins: { legend: { labels: {} } } } },
    );
    const document = {
      body: { dataset: {} as Record<string, string> },
      getElementById: () => ({ textContent: payload }),
      querySelector: (sel: string) => cards.find((c) => sel === `[data-chart="${c.dataset.chart}"]`) ?? null,
      querySelectorAll: (sel: string) => (sel.includes('data-section="pacing"') ? cards : []),
    };
    const context = vm.createContext({ document, Chart });
    for (const script of scripts) vm.runInContext(script, context);
    expect(document.body.dataset.ready).toBe("true");
    expect(drawn).toHaveLength(2);
    const data = JSON.parse(payload ?? "{}") as { tables: { pacing: Array<Record<string, unknown>> } };
    expect(drawn.map((d) => d.campaign).sort()).toEqual(cards.map((c) => c.dataset.campaign).sort());
    for (const d of drawn) {
      const own = data.tables.pacing
        .filter((r) => r.campaign_id === d.campaign)
        .sort((a, b) => String(a.day).localeCompare(String(b.day)));
      expect(d.labels).toEqual(own.map((r) => String(r.day).slice(0, 10)));
      const series = Object.fromEntries(d.datasets.map((x) => [x.label, x.data]));
      expect(series["sends a day (capacity)"]).toEqual(own.map((r) => Number(r.sends_per_day)));
      expect(series.sent).toEqual(
        own.map((r) => (r.sent_last_day === null ? null : Number(r.sent_last_day))),
      );
      expect(series["new starts a day (capacity)"]).toEqual(own.map((r) => Number(r.new_starts_per_day)));
      expect(series["backlog days"]).toEqual(
        own.map((r) => (r.backlog_days === null ? null : Number(r.backlog_days))),
      );
    }
  });

  const chromium = findChromium();
  it.skipIf("reason" in chromium)(
    "draws every campaign's pacing chart with data in headless Chromium, no console error",
    async () => {
      const browser = await HeadlessChromium.launch((chromium as { path: string }).path, {
        width: 1280,
        height: 900,
      });
      try {
        await browser.load(pathToFileURL(demo.reportFile as string).href);
        expect(await browser.evaluate<string>("document.body.dataset.ready")).toBe("true");
        const charts = await browser.evaluate<Array<{ id: string; labels: string[]; datasets: string[] }>>(
          `[...document.querySelectorAll('[data-section="pacing"][data-chart]')].map((card) => {
            const chart = Chart.getChart(card.querySelector("canvas"));
            return {
              id: card.dataset.chart,
              labels: chart ? chart.data.labels : [],
              datasets: chart ? chart.data.datasets.filter((d) => d.data.some((v) => Number(v) > 0)).map((d) => d.label) : [],
            };
          })`,
        );
        expect(charts.map((c) => c.id).sort()).toEqual(["pacing-0", "pacing-1"]);
        for (const c of charts) {
          expect(c.labels.length, c.id).toBeGreaterThan(0);
          expect(c.datasets, c.id).toContain("sends a day (capacity)");
          expect(c.datasets, c.id).toContain("new starts a day (capacity)");
        }
        expect(browser.problems.consoleErrors).toEqual([]);
        expect(browser.problems.exceptions).toEqual([]);
        await browser.evaluate<number>(
          `(document.querySelector('[data-section="pacing"]').scrollIntoView(), window.scrollY)`,
        );
        const png = await browser.screenshot();
        const out = path.join(repoRoot(), ".engine", "report-test", "pacing.png");
        mkdirSync(path.dirname(out), { recursive: true });
        writeFileSync(out, png);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
