/**
 * Transform benchmark: seed the local warehouse with N synthetic leads (a temp DuckDB file), then run
 * the repo's real Dataform graph on it with transformLocal, as `engine transform` does. Compiles once
 * (the compile time is reported separately; it does not depend on N). Wall time and peak RSS per case:
 * the first transform (everything built), a rerun with nothing changed, and a rerun after 1 % of the
 * raw leads changed (the steady state: stg_lead_rows cleans only those).
 *
 *   npm run bench -- transform                 100k, 300k, 1M leads
 *   BENCH_LEADS=50000 npm run bench -- transform
 *   ENGINE_DUCKDB_MEMORY_LIMIT=2GB npm run bench -- transform   (DuckDB's buffer pool; default 512MB)
 *   BENCH_TIMINGS=/tmp/t.json npm run bench -- transform   (every action's time, per run, as JSON lines)
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadSettings } from "../src/config/settings.ts";
import { compileProject } from "../src/dataform/compile.ts";
import { transformLocal } from "../src/dataform/transform.ts";
import { seedWarehouse } from "../src/local/seed.ts";
import { ensureContract, openDuckDb } from "../src/warehouse/duckdb.ts";
import { editOnePercentOfLeads } from "./lead-edits.ts";
import { cpuMsSince, measure, report } from "./measure.ts";

const settings = loadSettings({ overrides: { dialect: "duckdb" } });

/**
 * Each case seeds in one child process and transforms in another, so the peak RSS reported is the
 * transform's own (a process's RSS does not shrink after a large seed, which would hide the figure).
 */
const phase = process.env.BENCH_PHASE;
if (phase === "seed") {
  const file = process.env.BENCH_FILE!;
  const seeded = await openDuckDb(file);
  await ensureContract(seeded.conn, settings);
  const seedTime = await measure(() =>
    seedWarehouse(seeded.conn, settings, { leads: Number(process.env.BENCH_N), seed: 1 }),
  );
  seeded.close();
  process.stderr.write(
    `seeded ${Number(process.env.BENCH_N).toLocaleString("en-US")} leads in ${seedTime.wallMs} ms\n`,
  );
} else if (phase === "transform") {
  await transformCase(process.env.BENCH_FILE!, Number(process.env.BENCH_N));
} else {
  const cases = (process.env.BENCH_LEADS ?? "100000,300000,1000000").split(",").map(Number);
  const compiled = await measure(() =>
    compileProject({ projectDir: settings.projectDir, vars: settings.rawVars }),
  );
  report("transform", "compile", { wall_ms: compiled.wallMs, peak_rss_mb: compiled.peakRssMb });
  const dir = mkdtempSync(path.join(tmpdir(), "bench-transform-"));
  try {
    for (const leads of cases) {
      const file = path.join(dir, `w-${leads}.duckdb`);
      for (const step of ["seed", "transform"]) {
        const child = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
          env: { ...process.env, BENCH_PHASE: step, BENCH_FILE: file, BENCH_N: String(leads) },
          stdio: ["ignore", "inherit", "inherit"],
        });
        if (child.status !== 0) throw new Error(`${step} of ${leads} leads exited with ${child.status}`);
      }
      rmSync(file, { force: true });
      rmSync(`${file}.wal`, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function transformCase(file: string, leads: number): Promise<void> {
  const graph = await compileProject({ projectDir: settings.projectDir, vars: settings.rawVars });
  const warehouse = await openDuckDb(file);
  const run = await measure(() => transformLocal({ settings, conn: warehouse.conn, graph }));
  const first = run.value;
  const second = await measure(() => transformLocal({ settings, conn: warehouse.conn, graph }));
  await editOnePercentOfLeads(warehouse.conn, settings);
  const cpuBefore = process.cpuUsage();
  const changed = await measure(() => transformLocal({ settings, conn: warehouse.conn, graph }));
  const changedCpuMs = cpuMsSince(cpuBefore);
  warehouse.close();
  if (process.env.BENCH_TIMINGS) {
    const runs = { full: first, warm: second.value, changed: changed.value };
    for (const [run, result] of Object.entries(runs)) {
      const actions = result.actions.map((a) => ({ name: a.name, type: a.type, ms: Math.round(a.ms) }));
      appendFileSync(process.env.BENCH_TIMINGS, `${JSON.stringify({ leads, run, actions })}\n`);
    }
  }
  const failed = first.actions.filter((a) => a.status !== "ok");
  if (failed.length > 0) {
    process.stderr.write(
      `  ${failed.length} actions did not succeed: ${failed.map((a) => `${a.name}: ${a.error}`).join("; ")}\n`,
    );
  }
  const ranked = [...first.actions].sort((a, b) => b.ms - a.ms);
  const rankedChanged = [...changed.value.actions].sort((a, b) => b.ms - a.ms);
  const rankedWarm = [...second.value.actions].sort((a, b) => b.ms - a.ms);
  process.stderr.write(
    `  slowest actions of the rerun with nothing changed: ${rankedWarm
      .slice(0, 5)
      .map((a) => `${a.name} (${a.type}) ${Math.round(a.ms)} ms`)
      .join(", ")}\n`,
  );
  process.stderr.write(
    `  slowest actions after 1 % changed: ${rankedChanged
      .slice(0, 5)
      .map((a) => `${a.name} (${a.type}) ${Math.round(a.ms)} ms`)
      .join(", ")}\n`,
  );
  const slowest = ranked[0];
  process.stderr.write(
    `  slowest actions: ${ranked
      .slice(0, 5)
      .map((a) => `${a.name} (${a.type}) ${Math.round(a.ms)} ms`)
      .join(", ")}\n`,
  );
  report("transform", `${label(leads)} leads`, {
    wall_ms: run.wallMs,
    rerun_wall_ms: second.wallMs,
    changed_1pct_wall_ms: changed.wallMs,
    changed_1pct_cpu_ms: changedCpuMs,
    peak_rss_mb: Math.max(run.peakRssMb, second.peakRssMb, changed.peakRssMb),
    actions: first.actions.length,
    failed: failed.length,
    slowest: slowest ? `${slowest.name} ${Math.round(slowest.ms)} ms` : "",
  });
}

function label(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000
      ? `${Math.round(n / 1000)}k`
      : String(n);
}
