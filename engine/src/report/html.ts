import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { attentionCard } from "./attention-html.ts";
import type { ReportData, ReportRow } from "./data.ts";
import { computeKpis } from "./kpis.ts";
import { pacingCards } from "./pacing.ts";
import { trendCards } from "./trends.ts";

/**
 * The report as ONE self-contained HTML file: Chart.js (from node_modules, MIT), the data as a JSON
 * block and the page script (assets/report.js) are inlined, and the lineage is inline SVG, so the file
 * opens offline, from a mail attachment or a CI artifact, with no CDN and no server.
 */

export interface ReportMeta {
  title: string;
  generatedAt: string;
  /** Where the data came from, e.g. "DuckDB .engine/demo/warehouse.duckdb" (never a secret). */
  source: string;
  reportingDataset: string;
  bounceBlockPct: number;
  inventoryCap: number;
}

export interface RenderInput {
  meta: ReportMeta;
  data: ReportData;
  /** The lineage picture (renderLineageSvg), or why there is none. */
  lineage: { svg: string } | { unavailable: string };
}

const require = createRequire(import.meta.url);

/** The UMD build: it defines window.Chart with every controller registered. */
export function chartJsSource(): string {
  // The package's "exports" hide dist/, so find it next to the CommonJS entry point.
  return readFileSync(path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
}

const pageScript = () => readFileSync(new URL("./assets/report.js", import.meta.url), "utf8");
const pacingScript = () => readFileSync(new URL("./assets/report-pacing.js", import.meta.url), "utf8");
const trendsScript = () => readFileSync(new URL("./assets/report-trends.js", import.meta.url), "utf8");
const pageStyle = () => readFileSync(new URL("./assets/report.css", import.meta.url), "utf8");

export const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** JSON that cannot close the <script> element it sits in. */
const inlineJson = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");
/** Script text that cannot close its <script> element early. */
const inlineScript = (s: string) => s.replace(/<\/script/gi, "<\\/script");

interface ChartCard {
  id: string;
  title: string;
  note: string;
  source: string;
  wide?: boolean;
}

const CHARTS: ChartCard[] = [
  {
    id: "funnel",
    title: "Daily funnel per segment",
    note: "Leads added and drained per day (bars), real replies and bounces (lines).",
    source: "rpt_daily_funnel",
    wide: true,
  },
  {
    id: "handoffs",
    title: "Hand-offs per day",
    note: "Leads handed off to sales (replied, interested, meeting booked) per day and campaign; counts only — who: engine handoffs, table rpt_handoffs.",
    source: "rpt_handoffs_daily",
  },
  {
    id: "capacity",
    title: "Capacity over time",
    note: "Leads held by each managed campaign at every pull; the axis follows the leads held, the inventory cap is drawn when it is in range.",
    source: "rpt_capacity_over_time",
  },
  {
    id: "campaigns",
    title: "Campaign health",
    note: "Rates over leads contacted, from the latest snapshot. Above the red line the engine adds nothing.",
    source: "rpt_campaign_health",
  },
  {
    id: "drain-reasons",
    title: "Why leads were drained",
    note: "Drains per day by the reason the rules gave.",
    source: "rpt_daily_funnel",
  },
  {
    id: "verification",
    title: "Verification outcomes",
    note: "Email verification checks per day by result.",
    source: "rpt_verification_outcomes",
  },
  {
    id: "eligibility",
    title: "Why not eligible",
    note: "Every lead of the pool by the first rule that keeps it out (or eligible), per segment.",
    source: "rpt_lead_eligibility",
  },
  {
    id: "suppression",
    title: "Suppression growth",
    note: "Emails and domains never to be contacted, running total by reason.",
    source: "rpt_suppression_growth",
  },
  {
    id: "runs",
    title: "Run history",
    note: "What each apply run did.",
    source: "rpt_sync_runs",
    wide: true,
  },
];

function chartCard(c: ChartCard, missing: string[]): string {
  const absent = missing.includes(c.source)
    ? `<p class="warn">${esc(c.source)} does not exist yet: run <code>engine transform</code>.</p>`
    : "";
  return `<section class="card${c.wide ? " wide" : ""}" data-chart="${c.id}">
  <header><h2>${esc(c.title)}</h2><span class="src">${esc(c.source)}</span></header>
  <p class="note">${esc(c.note)}</p>${absent}
  <div class="chart"><canvas aria-label="${esc(c.title)}"></canvas></div>
</section>`;
}

const RUN_COLUMNS: Array<[string, string]> = [
  ["started_at", "started"],
  ["mode", "mode"],
  ["status", "status"],
  ["duration_seconds", "seconds"],
  ["adds_succeeded", "added"],
  ["drains_succeeded", "drained"],
  ["blocks_succeeded", "block-listed"],
  ["verifications", "verified"],
  ["rejected", "rejected"],
  ["failed", "failed"],
  ["unresolved", "unresolved"],
];

function cell(key: string, v: ReportRow[string] | undefined): string {
  if (v === null || v === undefined) return "";
  if (key === "started_at") return esc(String(v).replace("T", " ").slice(0, 16));
  if (key === "status") return `<span class="pill ${esc(String(v))}">${esc(String(v))}</span>`;
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(1);
  return esc(String(v));
}

function runsTable(rows: ReportRow[], limit = 15): string {
  // Pulls only snapshot; what a person looks for is what the apply and plan runs did.
  const latest = rows
    .filter((r) => r.mode !== "pull")
    .sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)))
    .slice(0, limit);
  if (latest.length === 0) return "";
  const head = RUN_COLUMNS.map(([, label]) => `<th>${esc(label)}</th>`).join("");
  const body = latest
    .map(
      (r) =>
        `<tr>${RUN_COLUMNS.map(([k]) => `<td class="${typeof r[k] === "number" ? "num" : ""}">${cell(k, r[k])}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return `<section class="card wide">
  <header><h2>Latest runs</h2><span class="src">rpt_sync_runs</span></header>
  <p class="note">The ${latest.length} most recent apply and plan runs, newest first.</p>
  <div class="table"><table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table></div>
</section>`;
}

function leadStatusCard(data: ReportData): string {
  if (!data.leadStatus) return "";
  return chartCard(
    {
      id: "lead-status",
      title: "Lead status",
      note: "Every lead by its current status.",
      source: "lead_status",
    },
    [],
  );
}

export function renderReportHtml(input: RenderInput): string {
  const { meta, data } = input;
  const kpis = computeKpis(data)
    .map(
      (k) =>
        `<div class="kpi"><div class="label">${esc(k.label)}</div><div class="value">${esc(k.value)}</div><div class="detail">${esc(k.detail)}</div></div>`,
    )
    .join("\n");
  const lineage =
    "svg" in input.lineage
      ? `<div class="lineage-wrap">${input.lineage.svg}</div>`
      : `<p class="warn">${esc(input.lineage.unavailable)}</p>`;
  const payload = { meta, tables: data.tables, leadStatus: data.leadStatus };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(meta.title)}</title>
<style>
${pageStyle()}
</style>
</head>
<body>
<header class="top">
  <h1>${esc(meta.title)}</h1>
  <p>${esc(meta.source)} · dataset <code>${esc(meta.reportingDataset)}</code> · generated ${esc(meta.generatedAt.replace("T", " ").slice(0, 16))} UTC</p>
</header>
<main>
${attentionCard(data, esc)}
<section class="kpis">
${kpis}
</section>${data.missing.includes("rpt_figures") ? `\n<p class="warn">rpt_figures does not exist yet: run <code>engine transform</code> (inventory, utilisation, verification, suppression and run counts show –).</p>` : ""}
<div class="grid">
${CHARTS.map((c) => chartCard(c, data.missing)).join("\n")}
${trendCards(data, esc)}
${pacingCards(data, esc)}
${leadStatusCard(data)}
${runsTable(data.tables.runs)}
<section class="card wide">
  <header><h2>Lineage</h2><span class="src">the compiled Dataform graph</span></header>
  <p class="note">Where every table comes from: sources → staging → intermediate rules → the action tables the engine streams, and the reporting views this page reads.</p>
  ${lineage}
</section>
</div>
</main>
<footer>cold-email pipeline · every figure comes from the warehouse's reporting views; no lead's email or name is in this file.</footer>
<script>${inlineScript(chartJsSource())}</script>
<script type="application/json" id="report-data">${inlineJson(payload)}</script>
<script>${inlineScript(pageScript())}</script>
<script>${inlineScript(pacingScript())}</script>
<script>${inlineScript(trendsScript())}</script>
</body>
</html>
`;
}
