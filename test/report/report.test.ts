import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { type DemoResult, runDemo } from "../../engine/src/local/demo.ts";
import { openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { findChromium, HeadlessChromium } from "./chromium.ts";

/**
 * The local report end to end: a seven-day demo (small pool) stamps its runs on the simulated days,
 * writes the HTML report, and a real headless Chromium loads it offline with no console error and
 * every chart drawn from data. The screenshot goes to .engine/report-test/report.png for a person.
 */
const DAYS = 7;

describe("engine report after a seven-day demo", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "report-"));
  const file = path.join(dir, "demo.duckdb");
  let demo: DemoResult;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    demo = await runDemo({ leads: 400, days: DAYS, seed: 1, warehouseFile: file, write: () => {} });
  }, 300_000);

  async function query<T>(sql: string): Promise<T[]> {
    const db = await openDuckDb(file);
    try {
      return (await db.conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
    } finally {
      db.close();
    }
  }

  it("stamps every run, action and verification on its simulated day: seven days are seven days", async () => {
    const simDays = demo.days.map((d) => d.simDate);
    expect(new Set(simDays).size).toBe(DAYS);
    const days = async (sql: string) => (await query<{ d: string }>(sql)).map((r) => r.d).sort();
    const d = (col: string) => `strftime(${col}, '%Y-%m-%d')`;
    expect(
      await days(
        `select distinct ${d("started_at")} as d from cold_email_ops.sync_runs where mode = 'apply'`,
      ),
    ).toEqual(simDays);
    expect(
      await days(`select distinct ${d("pull_finished_at")} as d from cold_email_staging.stg_instantly_pulls`),
    ).toEqual(simDays);
    // The first pull finds the campaigns empty, so capacity has a point from the second day on.
    expect(
      await days(`select distinct ${d("pulled_at")} as d from cold_email_reporting.rpt_capacity_over_time`),
    ).toEqual(simDays.slice(1));
    // Verifications and funnel events happen on most days of a small pool, never on any other day.
    const verified = await days(
      `select distinct ${d("day")} as d from cold_email_reporting.rpt_verification_outcomes`,
    );
    const funnel = await days(
      `select distinct ${d("day")} as d from cold_email_reporting.rpt_daily_funnel where added + drained > 0`,
    );
    for (const seen of [verified, funnel]) {
      expect(seen.filter((day) => !simDays.includes(day))).toEqual([]);
      expect(seen.length).toBeGreaterThanOrEqual(4);
    }
  });

  it("writes one self-contained HTML file next to the warehouse, with no lead email in it", async () => {
    expect(demo.reportFile).toBe(path.join(dir, "report.html"));
    const html = readFileSync(demo.reportFile as string, "utf8");
    // Offline: no external script, stylesheet or image.
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).toContain("Chart.js v4");
    // The lineage is drawn from the compiled graph: every reporting view is a node.
    for (const name of ["rpt_daily_funnel", "rpt_sync_runs", "push_queue", "stg_leads", "leads"]) {
      expect(html).toContain(`>${name}</text>`);
    }
    const emails = await query<{ e: string }>(
      "select distinct lower(trim(email)) as e from cold_email_raw.leads",
    );
    const lower = html.toLowerCase();
    expect(emails.length).toBeGreaterThan(100);
    expect(emails.filter((r) => r.e.includes("@") && lower.includes(r.e))).toEqual([]);
  });

  const chromium = findChromium();
  if ("reason" in chromium) console.log(`skipping the headless Chromium check: ${chromium.reason}`);

  it.skipIf("reason" in chromium)(
    "loads in headless Chromium with no console error, no request out, every chart drawn with data",
    async () => {
      const browser = await HeadlessChromium.launch((chromium as { path: string }).path, {
        width: 1280,
        height: 900,
      });
      try {
        const url = pathToFileURL(demo.reportFile as string).href;
        await browser.load(url);
        expect(await browser.evaluate<string>("document.body.dataset.ready")).toBe("true");
        // "Needs attention" comes first, one line per rpt_attention row (its content: test/report/attention.test.ts).
        const attentionRows = await query<{ n: number }>(
          "select count(*)::integer as n from cold_email_reporting.rpt_attention",
        );
        expect(
          await browser.evaluate<{ first: string; items: number }>(`({
            first: document.querySelector("main").firstElementChild.dataset.section,
            items: document.querySelectorAll('[data-section="attention"] li').length,
          })`),
        ).toEqual({ first: "attention", items: attentionRows[0]?.n });
        expect(attentionRows[0]?.n).toBeGreaterThan(0);
        // Pacing cards: test/report/pacing.test.ts (this demo has no mailboxes, so nothing to pace).
        const charts = await browser.evaluate<
          Array<{ id: string; points: number; drawn: boolean; values: number; painted: boolean }>
        >(`[...document.querySelectorAll('[data-chart]:not([data-section="pacing"])')].map((card) => {
          const canvas = card.querySelector("canvas");
          const chart = canvas && Chart.getChart(canvas);
          const values = chart ? chart.data.datasets.reduce((n, ds) => n + ds.data.filter((v) => Number(v) > 0).length, 0) : 0;
          // Painted: some pixel of the canvas is not transparent.
          let painted = false;
          if (canvas && chart) {
            const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < px.length; i += 4 * 97) if (px[i] > 0) { painted = true; break; }
          }
          return { id: card.dataset.chart, points: Number(card.dataset.points), drawn: Boolean(chart), values, painted };
        })`);
        // One trends card per campaign with a cohort (test/report/attention.test.ts checks their content).
        const trendCampaigns = await query<{ n: number }>(
          "select count(distinct campaign_id)::integer as n from cold_email_reporting.rpt_campaign_trends",
        );
        expect(trendCampaigns[0]?.n).toBeGreaterThan(0);
        expect(charts.map((c) => c.id).sort()).toEqual(
          [
            "campaigns",
            "capacity",
            "drain-reasons",
            "eligibility",
            "funnel",
            "handoffs",
            "runs",
            "suppression",
            "verification",
            ...Array.from({ length: trendCampaigns[0]?.n ?? 0 }, (_, i) => `trends-${i}`),
          ].sort(),
        );
        for (const c of charts) {
          expect(c, c.id).toMatchObject({ drawn: true, painted: true });
          expect(c.values, c.id).toBeGreaterThan(0);
        }
        expect(browser.problems.consoleErrors).toEqual([]);
        expect(browser.problems.exceptions).toEqual([]);
        expect(browser.problems.logErrors).toEqual([]);
        expect(browser.problems.requests.filter((r) => r !== url && !r.startsWith("data:"))).toEqual([]);

        const png = await browser.screenshot();
        expect(png.subarray(1, 4).toString()).toBe("PNG");
        expect(png.length).toBeGreaterThan(50_000);
        const out = path.join(repoRoot(), ".engine", "report-test", "report.png");
        mkdirSync(path.dirname(out), { recursive: true });
        writeFileSync(out, png);
        console.log(`report screenshot: ${out}`);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
