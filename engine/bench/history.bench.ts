/**
 * History benchmark: does the transform cost the same on day 365 as on day 1? A temp DuckDB file gets
 * 100,000 seeded leads, a 24,000-lead Instantly inventory and H pulls of synthetic history (24,000
 * snapshot rows each, written with SQL, plus a few adds per pull in the changelog); the state is built
 * once (a first transform), then one new pull lands and the steady-state transform (the one the
 * production schedule runs 26 times a weekday) is measured: wall time, peak RSS and rows read (DuckDB's
 * profiler, summed over every statement: the stand-in for BigQuery bytes billed). Each history length
 * runs in its own processes (build, then steady state) so peak RSS is the steady transform's own.
 * Last, an estimate of the bytes one `dataform run` processes after a year at the production schedule.
 *
 *   npm run bench -- history                       H = 2, 100, 500, 1000
 *   BENCH_PULLS=2,100 npm run bench -- history
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DuckDBConnection } from "@duckdb/node-api";
import { loadSettings } from "../src/config/settings.ts";
import { compileProject } from "../src/dataform/compile.ts";
import { transformLocal } from "../src/dataform/transform.ts";
import { seedWarehouse } from "../src/local/seed.ts";
import { ensureContract, openDuckDb } from "../src/warehouse/duckdb.ts";
import { measure, report } from "./measure.ts";

const LEADS = 100_000;
const INVENTORY = 24_000;
const ADDS_PER_PULL = 10;
const MINUTES_BETWEEN_PULLS = 20;
const settings = loadSettings({ overrides: { dialect: "duckdb" } });
const [SMB, MIDSIZE] = settings.managedCampaignIds as [string, string];

const phase = process.env.BENCH_PHASE;
if (phase === "build") await build(process.env.BENCH_FILE!, Number(process.env.BENCH_H));
else if (phase === "steady") await steady(process.env.BENCH_FILE!, Number(process.env.BENCH_H));
else main();

function main(): void {
  const points = (process.env.BENCH_PULLS ?? "2,100,500,1000").split(",").map(Number);
  const dir = mkdtempSync(path.join(tmpdir(), "bench-history-"));
  try {
    for (const h of points) {
      const file = path.join(dir, `h-${h}.duckdb`);
      for (const step of ["build", "steady"]) {
        const child = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
          env: { ...process.env, BENCH_PHASE: step, BENCH_FILE: file, BENCH_H: String(h) },
          stdio: ["ignore", "inherit", "inherit"],
        });
        if (child.status !== 0) throw new Error(`${step} with ${h} pulls exited with ${child.status}`);
      }
      rmSync(file, { force: true });
      rmSync(`${file}.wal`, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Snapshot, campaign, sync_runs and changelog rows of pulls from..to (one INSERT per table). */
async function writePulls(conn: DuckDBConnection, from: number, to: number, h: number): Promise<void> {
  // Pull k (1-based) of a history of h lands (h + 1 - k) intervals, plus an hour, before now.
  const t = (k: string) =>
    `(get_current_timestamp() - to_minutes(CAST((${h} + 1 - ${k}) * ${MINUTES_BETWEEN_PULLS} + 60 AS INTEGER)))`;
  const runId = (k: string) => `'pull-' || lpad(CAST(${k} AS VARCHAR), 5, '0')`;
  await conn.run(`
    insert into cold_email_ops.instantly_leads
      (run_id, recorded_at, lead_id, campaign_id, email, status, lt_interest_status, email_open_count,
       email_reply_count, email_click_count, verification_status, timestamp_created, upload_method)
    select ${runId("k")}, ${t("k")}, 'lead-' || inv.n,
           case when inv.n % 2 = 0 then '${SMB}' else '${MIDSIZE}' end, inv.email,
           case when (inv.n * 7 + k) % 997 = 0 then 3 else 1 end, null, (inv.n + k) % 5,
           case when (inv.n * 13 + k) % 1999 = 0 then 1 else 0 end, 0, 1,
           ${t("1")} - to_hours(24 + inv.n % 48), 'api'
    from range(${from}, ${to + 1}) r(k)
    cross join bench_inventory inv
    order by k, inv.n`);
  await conn.run(`
    insert into cold_email_ops.instantly_campaigns (run_id, recorded_at, id, name, status, daily_limit)
    select ${runId("k")}, ${t("k")}, c.id, c.id, 1, 500
    from range(${from}, ${to + 1}) r(k)
    cross join (select '${SMB}' as id union all select '${MIDSIZE}') c`);
  await conn.run(`
    insert into cold_email_ops.sync_runs (run_id, mode, started_at, finished_at, status)
    select ${runId("k")}, 'pull', ${t("k")} - to_seconds(30), ${t("k")} + to_seconds(1), 'succeeded'
    from range(${from}, ${to + 1}) r(k)`);
  // Adds of leads outside the inventory, one apply per pull (intent, then succeeded).
  await conn.run(`
    insert into cold_email_ops.sync_changelog (run_id, recorded_at, action_id, op, email, campaign_id, state)
    select 'apply-' || k, ${t("k")} + to_minutes(5) + to_seconds(s.i), md5('add|' || l.email || '|' || k),
           'add', l.email, '${SMB}', case when s.i = 0 then 'intent' else 'succeeded' end
    from range(${from}, ${to + 1}) r(k)
    cross join range(${ADDS_PER_PULL}) a(j)
    cross join (select 0 as i union all select 1) s
    join bench_pool l on l.n = ${INVENTORY} + ((k * ${ADDS_PER_PULL} + j) % ${LEADS - INVENTORY})`);
}

async function build(file: string, h: number): Promise<void> {
  const wh = await openDuckDb(file);
  await ensureContract(wh.conn, settings);
  const seeded = await measure(() => seedWarehouse(wh.conn, settings, { leads: LEADS, seed: 1 }));
  await wh.conn.run(`
    create or replace temp table bench_pool as
    select row_number() over (order by email) - 1 as n, lower(trim(email)) as email
    from cold_email_raw.leads`);
  await wh.conn.run(
    `create or replace temp table bench_inventory as select * from bench_pool where n < ${INVENTORY}`,
  );
  const history = await measure(async () => {
    for (let from = 1; from <= h; from += 50) await writePulls(wh.conn, from, Math.min(h, from + 49), h);
  });
  const graph = await compileProject({ projectDir: settings.projectDir, vars: settings.rawVars });
  const built = await measure(() => transformLocal({ settings, conn: wh.conn, graph }));
  const failed = built.value.actions.filter((a) => a.status !== "ok");
  if (failed.length > 0)
    throw new Error(`build failed: ${failed.map((a) => `${a.name}: ${a.error}`).join("; ")}`);
  // The steady pull's rows, written now so the steady process measures the transform alone.
  await writePulls(wh.conn, h + 1, h + 1, h);
  wh.close();
  process.stderr.write(
    `history ${h} pulls: seed ${seeded.wallMs} ms, ${(h * INVENTORY).toLocaleString("en-US")} snapshot rows in ${history.wallMs} ms, first build ${built.wallMs} ms\n`,
  );
}

interface ProfileNode {
  operator_type?: string;
  operator_rows_scanned?: number;
  extra_info?: { Table?: string };
  children?: ProfileNode[];
}

/** Rows each table scan read, summed per table, over one profiled statement. */
function addScans(node: ProfileNode, into: Map<string, number>): void {
  if (node.operator_type === "TABLE_SCAN" && node.extra_info?.Table) {
    const table = node.extra_info.Table.split(".").slice(-2).join(".");
    into.set(table, (into.get(table) ?? 0) + (node.operator_rows_scanned ?? 0));
  }
  for (const c of node.children ?? []) addScans(c, into);
}

/**
 * The connection the runner gets: every statement is profiled (DuckDB writes one JSON profile per
 * statement, overwritten by the next), and the rows its scans read are added up per table.
 */
async function profiled(conn: DuckDBConnection, profileFile: string, scans: Map<string, number>) {
  await conn.run("PRAGMA enable_profiling = 'json'");
  await conn.run(`PRAGMA profiling_output = '${profileFile}'`);
  await conn.run(
    `SET custom_profiling_settings = '{"OPERATOR_TYPE": "true", "EXTRA_INFO": "true", "OPERATOR_ROWS_SCANNED": "true"}'`,
  );
  const collect = () => {
    try {
      addScans(JSON.parse(readFileSync(profileFile, "utf8")) as ProfileNode, scans);
    } catch {
      // a statement without a plan (SET, BEGIN) writes no profile
    }
    rmSync(profileFile, { force: true });
  };
  return new Proxy(conn, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if ((prop === "run" || prop === "runAndReadAll") && typeof value === "function") {
        return async (...args: unknown[]) => {
          const out = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          collect();
          return out;
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function steady(file: string, h: number): Promise<void> {
  const graph = await compileProject({ projectDir: settings.projectDir, vars: settings.rawVars });
  const wh = await openDuckDb(file);
  const scans = new Map<string, number>();
  const conn = await profiled(wh.conn, `${file}.profile.json`, scans);
  const run = await measure(() => transformLocal({ settings, conn, graph }));
  await wh.conn.run("PRAGMA disable_profiling");
  const failed = run.value.actions.filter((a) => a.status !== "ok");
  if (failed.length > 0) throw new Error(`steady transform failed: ${failed.map((a) => a.name).join(", ")}`);
  const rowsRead = [...scans.values()].reduce((a, b) => a + b, 0);
  report("history", `${h} pulls of history`, {
    wall_ms: run.wallMs,
    peak_rss_mb: run.peakRssMb,
    rows_read: rowsRead,
    snapshot_rows_read: scans.get("cold_email_ops.instantly_leads") ?? 0,
    snapshot_rows_held: await count(wh.conn, "cold_email_ops.instantly_leads"),
  });
  process.stderr.write(
    `  rows read per table: ${[...scans.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([t, n]) => `${t} ${n.toLocaleString("en-US")}`)
      .join(", ")}\n`,
  );
  if (h === Math.max(...(process.env.BENCH_PULLS ?? "2,100,500,1000").split(",").map(Number))) {
    await yearEstimate(wh.conn, scans);
  }
  wh.close();
}

async function count(conn: DuckDBConnection, table: string): Promise<number> {
  const reader = await conn.runAndReadAll(`select count(*) as n from ${table}`);
  return Number(reader.getRowObjectsJS()[0]?.n ?? 0);
}

/** Average stored bytes per row of a table, the way BigQuery bills them (8 per number, text length). */
async function bytesPerRow(conn: DuckDBConnection, table: string): Promise<number> {
  const [schema, name] = table.split(".");
  const cols = (
    await conn.runAndReadAll(
      `select column_name, data_type from information_schema.columns where table_schema = '${schema}' and table_name = '${name}'`,
    )
  ).getRowObjectsJS();
  const parts = cols.map((c) =>
    /CHAR|JSON/i.test(String(c.data_type))
      ? `coalesce(avg(strlen(CAST("${c.column_name}" AS VARCHAR))), 0) + 2`
      : /BOOL/i.test(String(c.data_type))
        ? "1"
        : "8",
  );
  const reader = await conn.runAndReadAll(`select ${parts.join(" + ") || "0"} as b from ${table}`);
  return Number(reader.getRowObjectsJS()[0]?.b ?? 0);
}

/**
 * Bytes one `dataform run` processes after a year at the production schedule (about 26 pulls a
 * weekday and one every two hours otherwise: 8,000 pulls). Reads of the snapshot table stay one
 * pull's window; every other scan is taken as proportional to its table, scaled to the table's size
 * after a year: the lead and sequence state grows by the adds (the inventory turns over about monthly:
 * 24,000 x 12 leads a year), the action state by about three changelog actions per add; the lead pool
 * and DNC list keep their size. Bytes per row count every column (BigQuery bills only the columns a
 * query reads, so this is an upper bound), and BigQuery's 10 MB minimum per table read is ignored.
 */
async function yearEstimate(conn: DuckDBConnection, scans: Map<string, number>): Promise<void> {
  const leadsPerYear = INVENTORY * 12;
  const yearRows: Record<string, number> = {
    "cold_email_staging.stg_instantly_lead_state": INVENTORY + leadsPerYear,
    "cold_email_staging.int_contact_history": INVENTORY + leadsPerYear,
    "cold_email_staging.stg_sync_action_state": leadsPerYear * 3,
    "cold_email_ops.sync_changelog": leadsPerYear * 3 * 2,
    "cold_email_staging.stg_instantly_pull_log": 8_000,
    "cold_email_staging.stg_instantly_pull_campaigns": 16_000,
    "cold_email_ops.instantly_campaigns": 16_000,
    "cold_email_ops.sync_runs": 8_000 * 3,
  };
  let total = 0;
  const lines: string[] = [];
  for (const [table, rowsRead] of scans) {
    const held = await count(conn, table).catch(() => 0);
    if (held === 0 || rowsRead === 0) continue;
    const year = yearRows[table];
    const rowsYear =
      table === "cold_email_ops.instantly_leads" || year === undefined
        ? rowsRead
        : Math.round((rowsRead / held) * year);
    const bytes = rowsYear * (await bytesPerRow(conn, table));
    total += bytes;
    lines.push(`${table}: ${rowsYear.toLocaleString("en-US")} rows, ${(bytes / 1e6).toFixed(1)} MB`);
  }
  process.stderr.write(`  after a year (estimate per dataform run):\n    ${lines.join("\n    ")}\n`);
  report("history", "after a year (estimate)", {
    bytes_per_run_mb: Math.round(total / 1e6),
    usd_per_run_at_6_25_per_tib: Number(((total / 2 ** 40) * 6.25).toFixed(4)),
  });
}
