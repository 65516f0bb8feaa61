import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoResult } from "../../engine/src/local/demo.ts";
import { createNotifier } from "../../engine/src/notify/create-notifier.ts";
import { notifyRun } from "../../engine/src/notify/notify.ts";
import { readMessageFigures } from "../../engine/src/notify/report-figures.ts";
import { readReportData } from "../../engine/src/report/data.ts";
import { computeKpis } from "../../engine/src/report/kpis.ts";
import { formatStatus, gatherStatus } from "../../engine/src/sync/status.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { pinnedDemo } from "../setup/pinned-demo.ts";

/**
 * One warehouse, every reader: the Slack messages (as the demo's apply printed them, and their
 * notification data), the HTML report's KPIs and `engine status` show the same inventory,
 * utilisation, verification rate, suppression size and run counts, and each equals the SQL's one
 * definition (rpt_figures, rpt_inventory_now, rpt_verification_runs) read straight from the views.
 */

const dir = mkdtempSync(path.join(tmpdir(), "figures-agree-"));
const file = path.join(dir, "demo.duckdb");
let demo: DemoResult;
let warehouse: DuckDbWarehouse;
const printed: string[] = [];
const q = async (sql: string) =>
  (await warehouse.conn.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
const round1 = (v: unknown) => Math.round(Number(v) * 10) / 10;

beforeAll(async () => {
  demo = await pinnedDemo({
    leads: 2000,
    days: 4,
    seed: 5,
    warehouseFile: file,
    write: (t) => printed.push(t),
  });
  warehouse = await DuckDbWarehouse.open(file, demo.settings);
}, 600_000);

afterAll(async () => {
  await warehouse?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rpt = (name: string) => `"${demo.settings.vars.reporting_dataset}".${name}`;

/** The last sync message the demo's apply printed (the CLI's notify hook, console notifier). */
function lastSyncMessage(): string {
  const text = printed.join("");
  const at = text.lastIndexOf("Cold Email Sync");
  expect(at).toBeGreaterThan(-1);
  return text.slice(at, text.indexOf("─".repeat(60), at));
}

describe("every reader shows the SQL's figures (demo, 2,000 leads, 4 days)", () => {
  it("inventory and utilisation: Slack, status and the report KPIs equal rpt_figures", async () => {
    const [sql] = await q(`select * from ${rpt("rpt_figures")}`);
    if (!sql) throw new Error("rpt_figures has no row");
    const perSegment = await q(`select sum(leads_now) as n from ${rpt("rpt_inventory_now")}`);
    expect(Number(sql.inventory_now)).toBe(Number(perSegment[0]?.n));
    expect(Number(sql.inventory_now)).toBeGreaterThan(0);
    const cap = Number(sql.inventory_cap);
    expect(cap).toBe(400);

    // Slack, as printed at the end of the last apply (nothing ran since: the figures still hold).
    const slack = lastSyncMessage();
    expect(slack).toContain(
      `Current: ${Number(sql.inventory_now).toLocaleString("en-US")} / ${cap} leads (${round1(sql.utilisation_pct).toFixed(1)}% utilized)`,
    );
    expect(slack).toContain(`Instantly: ${Number(sql.inventory_now).toLocaleString("en-US")} active leads`);

    // engine status
    const status = await gatherStatus(warehouse, demo.settings);
    expect(status.inventory).toMatchObject({
      now: Number(sql.inventory_now),
      cap,
      utilisationPct: round1(sql.utilisation_pct),
      atPull: Number(sql.inventory_at_pull),
      addedSincePull: Number(sql.added_since_pull),
      drainedSincePull: Number(sql.drained_since_pull),
    });
    expect(status.campaigns.reduce((n, c) => n + (c.leads_now ?? 0), 0)).toBe(Number(sql.inventory_now));
    expect(status.suppressed).toBe(Number(sql.suppression_size));
    expect(formatStatus(status).join("\n")).toContain(`suppressed values: ${Number(sql.suppression_size)}`);

    // The HTML report's KPIs
    const kpis = Object.fromEntries(computeKpis(await readReportData(warehouse)).map((k) => [k.label, k]));
    expect(kpis.Inventory?.value).toBe(`${Math.round(Number(sql.utilisation_pct))} %`);
    expect(kpis.Inventory?.detail).toBe(`${Number(sql.inventory_now).toLocaleString("en-US")} of cap ${cap}`);
    expect(kpis.Suppressed?.value).toBe(Number(sql.suppression_size).toLocaleString("en-US"));
    expect(kpis["Apply runs"]?.value).toBe(String(sql.apply_runs));
    expect(kpis["Apply runs"]?.detail).toBe(
      `${sql.apply_runs_succeeded} succeeded · ${sql.apply_runs_partial} partial · ${sql.apply_runs_failed} failed`,
    );
    expect(Number(sql.apply_runs)).toBe(demo.days.length);
    expect(kpis.Verified?.value).toBe(
      sql.verification_success_pct === null ? "–" : `${Math.round(Number(sql.verification_success_pct))} %`,
    );
  });

  it("the run's verification rate: Slack and its notification data equal rpt_verification_runs and the run's own counts", async () => {
    const last = demo.days.at(-1)?.apply;
    if (!last?.report) throw new Error("the demo's last apply has no report");
    const runId = last.runId;
    const [run] = await q(`select * from ${rpt("rpt_verification_runs")} where run_id = '${runId}'`);
    const v = last.report.verification;
    // The SQL counts the run's checks as the run itself counted them.
    expect(Number(run?.verified_checks ?? 0)).toBe(v.verified);
    expect(Number(run?.answered_checks ?? 0)).toBe(v.verified + v.invalid + v.catchAll);
    const [syncRun] = await q(`select * from ${rpt("rpt_sync_runs")} where run_id = '${runId}'`);
    expect(syncRun?.verification_success_pct ?? null).toEqual(run?.verification_success_pct ?? null);

    // The messages of that run rendered again with the figures the hook reads: same values.
    const figures = await readMessageFigures(warehouse, runId);
    const result = await notifyRun(last.report, {
      notifier: createNotifier({}, { write: () => {} }),
      timeZone: "UTC",
      figures,
    });
    const sync = result.messages.find((m) => m.kind === "sync");
    const data = sync?.notificationData as Record<string, Record<string, unknown>>;
    const rate = run?.verification_success_pct;
    expect(rate, "the demo's last run verified leads").not.toBeNull();
    expect(data.verification_results?.success_rate_percentage).toBe(
      rate === null || rate === undefined ? null : round1(rate),
    );
    const [sql] = await q(`select * from ${rpt("rpt_figures")}`);
    expect(data.capacity_status).toEqual({
      current_inventory: Number(sql?.inventory_now),
      max_capacity: Number(sql?.inventory_cap),
      utilization_percentage: round1(sql?.utilisation_pct),
      estimated_capacity_remaining: Number(sql?.capacity_remaining),
    });
    expect(lastSyncMessage()).toContain(`(${round1(rate).toFixed(1)}%)`);
  });
});
