import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Settings } from "../config/settings.ts";
import { now } from "../core/clock.ts";
import { compileProject } from "../dataform/compile.ts";
import type { CompiledGraph } from "../dataform/graph.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { type ReportData, readReportData } from "./data.ts";
import { renderReportHtml } from "./html.ts";
import { lineageFromGraph, renderLineageSvg } from "./lineage.ts";

/**
 * `engine report` and the demo's last step: read the reporting views, draw the lineage from the
 * compiled graph, write one HTML file. The graph is compiled here unless the caller already has it
 * (the demo does); a compile failure leaves the lineage out with the reason, it never fails the report.
 */
export interface WriteReportOptions {
  settings: Settings;
  warehouse: Warehouse;
  /** The HTML file to write (folders are created). */
  out: string;
  /** Shown in the header, e.g. "DuckDB .engine/warehouse.duckdb". */
  source: string;
  /** The compiled graph, when the caller has one (saves the ~6 s compile). */
  graph?: CompiledGraph;
}

export interface WriteReportResult {
  file: string;
  bytes: number;
  /** Reporting views that did not exist (their sections say so). */
  missing: string[];
  lineage: boolean;
  data: ReportData;
}

export async function writeReport(options: WriteReportOptions): Promise<WriteReportResult> {
  const { settings } = options;
  const data = await readReportData(options.warehouse);
  let lineage: { svg: string } | { unavailable: string };
  try {
    const graph =
      options.graph ?? (await compileProject({ projectDir: settings.projectDir, vars: settings.rawVars }));
    lineage = { svg: renderLineageSvg(lineageFromGraph(graph)) };
  } catch (error) {
    lineage = {
      unavailable: `No lineage: compiling definitions/ failed (${(error as Error).message.split("\n")[0]}).`,
    };
  }
  const html = renderReportHtml({
    meta: {
      title: "Cold-email pipeline report",
      generatedAt: now().toISOString(),
      source: options.source,
      reportingDataset: settings.vars.reporting_dataset,
      bounceBlockPct: Number(settings.vars.bounce_block_pct),
      inventoryCap: Number(settings.vars.inventory_cap),
    },
    data,
    lineage,
  });
  const file = path.resolve(options.out);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, html);
  return { file, bytes: Buffer.byteLength(html), missing: data.missing, lineage: "svg" in lineage, data };
}
