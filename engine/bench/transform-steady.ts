/**
 * Steady-state probe for the transform: a warehouse seeded with N leads and fully transformed once is
 * kept (BENCH_BASE); each call copies it, runs one warm transform (so models whose kind or SQL changed
 * settle), edits 1 % of the raw leads like transform.bench.ts, and times the next transform per action.
 *
 *   BENCH_BASE=/tmp/base.duckdb BENCH_N=1000000 npx tsx engine/bench/transform-steady.ts
 */
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { loadSettings } from "../src/config/settings.ts";
import { compileProject } from "../src/dataform/compile.ts";
import { transformLocal } from "../src/dataform/transform.ts";
import { seedWarehouse } from "../src/local/seed.ts";
import { ensureContract, openDuckDb } from "../src/warehouse/duckdb.ts";
import { editOnePercentOfLeads } from "./lead-edits.ts";
import { cpuMsSince } from "./measure.ts";

const settings = loadSettings({ overrides: { dialect: "duckdb" } });
const base = process.env.BENCH_BASE ?? "/tmp/transform-steady-base.duckdb";
const leads = Number(process.env.BENCH_N ?? 300000);
const graph = await compileProject({ projectDir: settings.projectDir, vars: settings.rawVars });

if (!existsSync(base)) {
  const seeded = await openDuckDb(base);
  await ensureContract(seeded.conn, settings);
  await seedWarehouse(seeded.conn, settings, { leads, seed: 1 });
  await transformLocal({ settings, conn: seeded.conn, graph });
  seeded.close();
}
const work = `${base}.work.duckdb`;
rmSync(work, { force: true });
rmSync(`${work}.wal`, { force: true });
copyFileSync(base, work);
const warehouse = await openDuckDb(work);
// Settings to try, e.g. BENCH_SQL="set preserve_insertion_order = false"
for (const statement of (process.env.BENCH_SQL ?? "").split(";").filter((q) => q.trim())) {
  await warehouse.conn.run(statement);
}
// BENCH_FULL=1: a full refresh first, as in transform.bench.ts (the tables all freshly written).
if (process.env.BENCH_FULL)
  await transformLocal({ settings, conn: warehouse.conn, graph, fullRefresh: true });
const t0 = performance.now();
const warm = await transformLocal({ settings, conn: warehouse.conn, graph });
const warmMs = performance.now() - t0;
await editOnePercentOfLeads(warehouse.conn, settings);
const t1 = performance.now();
const cpu1 = process.cpuUsage();
// CPU time per action (measure.ts cpuMsSince).
const cpuOf = new Map<string, number>();
let cpuAt = process.cpuUsage();
const changed = await transformLocal({
  settings,
  conn: warehouse.conn,
  graph,
  onProgress: (event) => {
    if (event.kind === "done") cpuOf.set(event.result.name, cpuMsSince(cpuAt));
    cpuAt = process.cpuUsage();
  },
});
const changedMs = performance.now() - t1;
const cpuMs = cpuMsSince(cpu1);
const t2 = performance.now();
warehouse.close();
const closeMs = performance.now() - t2;
const bad = [...warm.actions, ...changed.actions].filter((a) => a.status !== "ok");
for (const a of bad) process.stdout.write(`NOT OK ${a.name}: ${a.error}\n`);
const top = [...changed.actions]
  .sort((a, b) => (cpuOf.get(b.name) ?? 0) - (cpuOf.get(a.name) ?? 0))
  .slice(0, Number(process.env.BENCH_TOP ?? 15));
process.stdout.write(
  `warm(settle) ${Math.round(warmMs)} ms; changed 1% ${Math.round(changedMs)} ms (cpu ${cpuMs} ms); close ${Math.round(closeMs)} ms\n`,
);
for (const a of top)
  process.stdout.write(
    `  ${String(Math.round(a.ms)).padStart(6)} ms, cpu ${String(Math.round(cpuOf.get(a.name) ?? 0)).padStart(6)} ms ${a.type.padEnd(11)} ${a.name}\n`,
  );
rmSync(work, { force: true });
