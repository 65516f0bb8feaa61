import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoResult } from "../../engine/src/local/demo.ts";
import { type ReportData, readReportData } from "../../engine/src/report/data.ts";
import { computeKpis } from "../../engine/src/report/kpis.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { pinnedDemo } from "../setup/pinned-demo.ts";

/**
 * The report includes the run that just happened. The demo ends with an apply and writes its report
 * right after it, with no transform in between (as CI does: pull → dataform run → apply → report).
 * Every figure the report shows about the engine's work (adds and drains per day, segment and reason;
 * each run's counts; the headline totals) must equal what the changelog says, counted here straight
 * from cold_email_ops.sync_changelog (latest row per action_id), not through any of our views.
 */

const dir = mkdtempSync(path.join(tmpdir(), "rpt-fresh-"));
const file = path.join(dir, "demo.duckdb");
let demo: DemoResult;
let report: ReportData;
let warehouse: DuckDbWarehouse;
const q = async <T>(sql: string) => (await warehouse.conn.runAndReadAll(sql)).getRowObjectsJS() as T[];

beforeAll(async () => {
  demo = await pinnedDemo({ leads: 2000, days: 4, seed: 5, warehouseFile: file, write: () => {} });
  warehouse = await DuckDbWarehouse.open(file, demo.settings);
  // The report's own data, read the way `engine report` reads it.
  report = await readReportData(warehouse);
}, 600_000);

afterAll(async () => {
  await warehouse?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Latest row per action in the raw changelog (ties: a final state beats intent, as the rules order them). */
const LATEST = `
  select * from (
    select
      *,
      row_number() over (
        partition by action_id
        order by recorded_at desc, case when state = 'intent' then 1 else 0 end, state
      ) as rn
    from cold_email_ops.sync_changelog
  ) where rn = 1`;

const num = (v: unknown) => Number(v ?? 0);

describe("reports include the run that just happened (demo, 2,000 leads, 4 days)", () => {
  it("ran on the pinned days", () => {
    expect(demo.days.map((d) => d.simDate)).toEqual(["2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"]);
  });

  it("the last day's apply did something the reports must show", () => {
    const last = demo.days.at(-1);
    expect(last).toBeDefined();
    const c = last?.apply.counts as { by_op_state?: Record<string, Record<string, number>> };
    const did = Object.values(c.by_op_state ?? {}).reduce((a, s) => a + (s.succeeded ?? 0), 0);
    expect(did).toBeGreaterThan(0);
  });

  it("adds and drains per day, segment and reason equal the changelog's", async () => {
    const expected = await q<{ day: string; campaign_id: string; op: string; reason: string; n: number }>(`
      select strftime(state_at, '%Y-%m-%d') as day, lower(campaign_id) as campaign_id, op, reason, count(*)::integer as n
      from (select *, recorded_at as state_at from (${LATEST}))
      where state = 'succeeded' and op in ('add', 'drain')
      group by all`);
    expect(expected.length).toBeGreaterThan(0);
    const segmentOf = new Map(
      demo.settings.segments.map((s) => [s.campaignId.toLowerCase(), s.name] as [string, string]),
    );
    const want = new Map<string, number>();
    const bump = (key: string, n: number) => want.set(key, (want.get(key) ?? 0) + n);
    for (const r of expected) {
      const key = `${r.day}|${segmentOf.get(r.campaign_id) ?? null}`;
      bump(`${key}|${r.op === "add" ? "added" : "drained"}`, r.n);
      if (r.op === "drain") bump(`${key}|drained_${r.reason}`, r.n);
    }
    const got = new Map<string, number>();
    for (const row of report.tables.funnel) {
      const key = `${String(row.day).slice(0, 10)}|${row.segment ?? null}`;
      for (const [col, v] of Object.entries(row)) {
        if ((col === "added" || col.startsWith("drained")) && num(v) > 0) got.set(`${key}|${col}`, num(v));
      }
    }
    expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...want].sort()));
  });

  it("every run's counts in rpt_sync_runs equal the changelog's, the last apply included", async () => {
    const expected = await q<Record<string, unknown>>(`
      select
        run_id,
        count(*) filter (where op = 'add' and state = 'succeeded')::integer as adds_succeeded,
        count(*) filter (where op = 'drain' and state = 'succeeded')::integer as drains_succeeded,
        count(*) filter (where op = 'block' and state = 'succeeded')::integer as blocks_succeeded,
        count(*) filter (where op = 'verify' and state <> 'intent')::integer as verifications,
        count(*) filter (where state = 'rejected')::integer as rejected,
        count(*) filter (where state = 'failed')::integer as failed,
        count(*) filter (where state = 'intent')::integer as unresolved
      from (${LATEST})
      group by run_id`);
    const cols = [
      "adds_succeeded",
      "drains_succeeded",
      "blocks_succeeded",
      "verifications",
      "rejected",
      "failed",
      "unresolved",
    ];
    const runs = await q<{ run_id: string }>("select distinct run_id from cold_email_ops.sync_runs");
    expect(report.tables.runs.map((r) => r.run_id).sort()).toEqual(runs.map((r) => r.run_id).sort());
    const byRun = new Map(expected.map((r) => [String(r.run_id), r]));
    for (const row of report.tables.runs) {
      const want = byRun.get(String(row.run_id));
      for (const c of cols) expect(num(row[c]), `${row.run_id} ${c}`).toBe(num(want?.[c]));
    }
    const lastApply = demo.days.at(-1)?.apply.runId;
    const last = report.tables.runs.find((r) => r.run_id === lastApply);
    expect(num(last?.adds_succeeded) + num(last?.drains_succeeded)).toBeGreaterThan(0);
  });

  it("the headline totals equal the changelog's and the demo's own counts", async () => {
    const [totals] = await q<{ added: number; drained: number }>(`
      select
        count(*) filter (where op = 'add' and state = 'succeeded')::integer as added,
        count(*) filter (where op = 'drain' and state = 'succeeded')::integer as drained
      from (${LATEST})`);
    const kpis = Object.fromEntries(computeKpis(report).map((k) => [k.label, k.value]));
    expect(kpis["Leads added"]).toBe(totals?.added.toLocaleString("en-US"));
    expect(kpis["Leads drained"]).toBe(totals?.drained.toLocaleString("en-US"));
    const fromApplies = (op: string) =>
      demo.days.reduce((acc, d) => {
        const c = d.apply.counts as { by_op_state?: Record<string, Record<string, number>> };
        return acc + (c.by_op_state?.[op]?.succeeded ?? 0);
      }, 0);
    expect(totals?.added).toBe(fromApplies("add"));
    expect(totals?.drained).toBe(fromApplies("drain"));
  });
});
