import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { lockLoop } from "../../engine/src/sync/lock.ts";
import { formatStatus, gatherStatus } from "../../engine/src/sync/status.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";

/**
 * `engine status`: "needs attention" first (rpt_attention's rows in words), the next step before the
 * first pull is `engine pull`, and while a run holds the warehouse status reads anyway and says so.
 */
const settings = loadSettings({ projectDir: repoRoot(), overrides: { dialect: "duckdb" } });
const tmp = mkdtempSync(path.join(tmpdir(), "status-attention-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function emptyWarehouse(name: string): Promise<DuckDbWarehouse> {
  const warehouse = await DuckDbWarehouse.open(path.join(tmp, name), settings);
  await warehouse.ensureContract();
  return warehouse;
}

/** rpt_attention as a table of the view's columns (test/sql/attention.test.ts pins the view itself). */
async function attentionRows(warehouse: DuckDbWarehouse): Promise<void> {
  const schema = settings.vars.reporting_dataset;
  await warehouse.conn.run(`create schema if not exists "${schema}"`);
  await warehouse.conn.run(
    `create table "${schema}".rpt_attention as
     select * from (values
       ('pool_runway', 'midsize', 'midsize', null, null, 4000::bigint, 100.0, 14.0, null::timestamp, null, 4000::bigint, 40.0, 100.0, null::bigint, 0::bigint, 12::bigint, 3::bigint, false, 8),
       ('run_unfinished', 'apply-9', null, null, 'apply', 0::bigint, null, null, '2026-06-01 10:00:00'::timestamp, 'did not finish', null, null, null, null, null, null, null, true, 2),
       ('pool_fill', 'push_budget', null, null, null, 25::bigint, 25.0, 50.0, null, null, 25::bigint, null, null, 100::bigint, 562::bigint, 40::bigint, 7::bigint, true, 6),
       ('campaign_blocked', '${settings.segments[0]?.campaignId}', 'smb', '${settings.segments[0]?.campaignId}', 'bounce_guard', null, 4.5, 3.0, null, null, null, null, null, null, null, null, null, true, 3)
     ) t(kind, subject, segment, campaign_id, reason, items, value, threshold, since, detail, eligible_left,
         adds_per_day, runway_days, slots, held_domain_limit, held_cooldown, held_suppressed, needs_attention, sort_order)`,
  );
}

describe("engine status: needs attention first", () => {
  test("before the first pull every next step is `engine pull`, and attention is unknown", async () => {
    const warehouse = await emptyWarehouse("fresh.duckdb");
    try {
      const lines = formatStatus(await gatherStatus(warehouse, settings));
      expect(lines[0]).toBe(
        "needs attention: unknown, rpt_attention not built yet (run `engine pull`, then the transform)",
      );
      expect(lines).toContain("latest pull   none yet (run `engine pull`)");
      expect(lines).toContain("action tables not built yet (run `engine pull`, then the transform)");
      // Inventory and suppression are rpt_figures' (the SQL's one definition): unknown, not computed here.
      expect(lines).toContain(
        "inventory     unknown, rpt_figures not built yet (run `engine pull`, then the transform)",
      );
      expect(lines).toContain("suppressed values: unknown (run `engine pull`, then the transform)");
      expect(lines.join("\n")).not.toContain("(run the transform)");
    } finally {
      await warehouse.close();
    }
  });

  test("lists rpt_attention's rows first, what needs attention marked and most urgent first", async () => {
    const warehouse = await emptyWarehouse("attention.duckdb");
    try {
      await attentionRows(warehouse);
      const s = await gatherStatus(warehouse, settings);
      expect(s.attention?.map((i) => i.kind)).toEqual([
        "run_unfinished",
        "campaign_blocked",
        "pool_fill",
        "pool_runway",
      ]);
      const lines = formatStatus(s);
      expect(lines.slice(0, 5)).toEqual([
        "needs attention (3, most urgent first; rpt_attention):",
        "  ! apply run apply-9 started 2026-06-01 10:00 UTC and never finished (killed, crashed or still running)",
        `  ! campaign ${settings.segments[0]?.campaignId} gets no adds: bounce rate 4.5 % over the 3 % guard`,
        "  ! this run's pool: 25 candidates for 100 slots (under half: the pool is running dry); kept out: 562 by the domain limit, 40 cooling down, 7 suppressed",
        "    pool midsize: 4,000 eligible leads left at 40 new starts a day = 100.0 days; kept out: 12 cooling down, 3 suppressed",
      ]);
      expect(JSON.parse(JSON.stringify(s)).attention[0]).toMatchObject({
        kind: "run_unfinished",
        needsAttention: true,
      });
    } finally {
      await warehouse.close();
    }
  });
});

describe("engine status: untrusted text in the attention lines", () => {
  test("a control character in a run's error is shown, never sent to the terminal", async () => {
    const warehouse = await emptyWarehouse("escape.duckdb");
    try {
      const schema = settings.vars.reporting_dataset;
      await warehouse.conn.run(`create schema if not exists "${schema}"`);
      await warehouse.conn.run(
        `create table "${schema}".rpt_attention as
         select 'run_failed' as kind, 'apply-1' as subject, 'apply' as reason,
                'boom' || chr(27) || '[2J' || chr(10) || 'second line' as detail,
                true as needs_attention, 2 as sort_order`,
      );
      const lines = formatStatus(await gatherStatus(warehouse, settings));
      expect(lines[1]).toBe("  ! apply run apply-1 failed: boom\\x1b[2J second line (`engine show apply-1`)");
      expect(lines.join("\n")).not.toContain("\x1b");
    } finally {
      await warehouse.close();
    }
  });
});

describe("engine status while a run holds the warehouse", () => {
  function status(file: string) {
    const r = spawnSync(process.execPath, [path.join(repoRoot(), "engine/bin/engine.js"), "status"], {
      cwd: repoRoot(),
      env: { ...process.env, ENGINE_DEBUG: "", ENGINE_WAREHOUSE: file },
      encoding: "utf8",
      timeout: 120_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test("reads anyway (a copy of the file the run holds) and says a run is in progress", async () => {
    const file = path.join(tmp, "busy.duckdb");
    const warehouse = await DuckDbWarehouse.open(file, settings);
    await warehouse.ensureContract();
    await attentionRows(warehouse);
    // This process plays the run: it holds the run lock and has the DuckDB file open.
    const lock = lockLoop("duckdb", "apply (test holder)", file);
    try {
      const r = status(file);
      expect(r.stderr).not.toMatch(/^error:/m);
      expect(r.status).toBe(0);
      const lines = r.stdout.split("\n");
      expect(lines[0]).toMatch(
        /^a run is in progress \(apply \(test holder\), pid \d+ on host .*\): figures as of its last write$/,
      );
      expect(lines).toContain("needs attention (3, most urgent first; rpt_attention):");
      // the run's file is untouched and still ours: we can write to it
      await warehouse.conn.run(
        `create table "${settings.vars.reporting_dataset}".still_mine as select 1 as x`,
      );
    } finally {
      lock.release();
      await warehouse.close();
    }
    // without a run: no such line
    const after = status(file);
    expect(after.status).toBe(0);
    expect(after.stdout).not.toContain("a run is in progress");
    expect(after.stdout.split("\n")[0]).toBe("needs attention (3, most urgent first; rpt_attention):");
  }, 240_000);
});
