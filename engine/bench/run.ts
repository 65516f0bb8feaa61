/**
 * `npm run bench`: runs each benchmark script in its own Node process (so peak memory is per
 * benchmark), collects the result lines they print, and shows them as a table and as JSON.
 *
 * A benchmark is a file `engine/bench/<name>.bench.ts` that prints one line per measurement:
 *   BENCH {"bench":"transform","case":"300k leads","metrics":{"wall_ms":1234,"peak_rss_mb":210}}
 * Anything else it prints is progress and goes to stderr untouched.
 *
 *   npm run bench                      all benchmarks
 *   npm run bench -- transform         only the ones whose name contains "transform"
 *   npm run bench -- history           steady-state transform over 2 … 1,000 pulls of history
 *   npm run bench -- --json            JSON only (for scripts)
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface BenchLine {
  bench: string;
  case: string;
  metrics: Record<string, number | string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const jsonOnly = args.includes("--json");
const filters = args.filter((a) => !a.startsWith("--"));
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmark matches ${filters.join(", ")}; available: ${readdirSync(here).join(", ")}`);
  process.exit(2);
}

const results: BenchLine[] = [];
let failed = false;
for (const file of files) {
  if (!jsonOnly) console.error(`\n▶ ${file}`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, file)], {
      stdio: ["ignore", "pipe", "inherit"],
      env: process.env,
    });
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith("BENCH ")) results.push(JSON.parse(line.slice(6)) as BenchLine);
        else if (line.trim() !== "") process.stderr.write(`${line}\n`);
        nl = buffer.indexOf("\n");
      }
    });
    child.on("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    failed = true;
    console.error(`✗ ${file} exited with ${code}`);
  }
}

if (!jsonOnly) {
  const metricNames = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))];
  const header = ["bench", "case", ...metricNames];
  const rows = results.map((r) => [r.bench, r.case, ...metricNames.map((m) => fmt(r.metrics[m]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const row of rows) console.log(line(row));
  console.log("");
}
console.log(JSON.stringify({ node: process.version, results }, null, jsonOnly ? 0 : 2));
process.exit(failed ? 1 : 0);

function fmt(v: number | string | undefined): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(2);
}
