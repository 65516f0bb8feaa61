/**
 * Seed benchmark: `seedWarehouse` into a fresh temp DuckDB file for 100k, 300k and 1M leads. Each
 * size runs in its own child process so its peak RSS is its own (memory must stay roughly flat as
 * the row count grows: rows are streamed through the appender, never held in memory).
 *
 *   npm run bench -- seed
 *   BENCH_LEADS=50000,2000000 npm run bench -- seed
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadSettings } from "../src/config/settings.ts";
import { seedWarehouse } from "../src/local/seed.ts";
import { openDuckDb } from "../src/warehouse/duckdb.ts";
import { measure, report } from "./measure.ts";

const leadsArg = process.argv[2];
if (leadsArg === undefined) {
  const cases = (process.env.BENCH_LEADS ?? "100000,300000,1000000").split(",");
  for (const leads of cases) {
    const child = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), leads], {
      stdio: "inherit",
    });
    if (child.status !== 0) process.exit(child.status ?? 1);
  }
} else {
  const leads = Number(leadsArg);
  const settings = loadSettings();
  const dir = mkdtempSync(path.join(tmpdir(), "bench-seed-"));
  try {
    const file = path.join(dir, "w.duckdb");
    const warehouse = await openDuckDb(file);
    const rssBefore = Math.round(process.memoryUsage.rss() / 1048576);
    const run = await measure(() =>
      seedWarehouse(warehouse.conn, settings, { leads, seed: 1, asOf: new Date("2026-01-15T00:00:00Z") }),
    );
    await warehouse.conn.run("CHECKPOINT");
    warehouse.close();
    const total = run.value.leads + run.value.dnc;
    report("seed", `${leads.toLocaleString("en-US")} leads`, {
      wall_ms: run.wallMs,
      rows_per_s: Math.round(total / (run.wallMs / 1000)),
      rss_before_mb: rssBefore,
      peak_rss_mb: run.peakRssMb,
      file_mb: Math.round(statSync(file).size / 1048576),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
