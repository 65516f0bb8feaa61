/**
 * Command start-up and the transform's compile cache, as a person at a terminal meets them. Medians of
 * BENCH_RUNS (default 5) runs each, every run its own process:
 *
 *   --help by invocation   `node engine/bin/engine.js`, `npm run engine --`, `npx engine` (the README's
 *                          is the fastest that works; node_modules/.bin/engine does not exist: npm links
 *                          the bins of dependencies, not the project's own)
 *   status                 `engine status` on the seeded warehouse (after one transform, so it has data)
 *   transform warm         `engine transform --json` with the compiled graph in the cache: process wall
 *                          time against the graph's own SQL time (the result's `ms`)
 *   transform cold         the same with the cache emptied before each run (compile + store)
 *
 * The project is a temp copy of this checkout's rules (so emptying its cache touches nobody else's)
 * and the warehouse a temp DuckDB file seeded with BENCH_LEADS (default 300,000) leads.
 *
 *   npm run bench -- cli
 *   BENCH_CLI_HELP_ONLY=1 npm run bench -- cli      (start-up only: --help against a bare node)
 *   BENCH_LEADS=50000 BENCH_RUNS=3 npm run bench -- cli      (quicker)
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, buildState } from "../bin/build.js";
import { report } from "./measure.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const engineBin = path.join(root, "engine", "bin", "engine.js");
const LEADS = Number(process.env.BENCH_LEADS ?? 300_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BENCH = "cli";

// Measure the build, never the slower run-from-source fallback of an outdated one.
if (buildState() !== "fresh") build();
const dir = mkdtempSync(path.join(tmpdir(), "bench-cli-"));
const project = path.join(dir, "project");
const warehouse = path.join(dir, "warehouse.duckdb");
for (const item of ["definitions", "includes", "workflow_settings.yaml", "package.json"]) {
  cpSync(path.join(root, item), path.join(project, item), { recursive: true });
}
// The Dataform CLI loads <project>/node_modules/@dataform/core and refuses a symlink out of the project.
mkdirSync(path.join(project, "node_modules", "@dataform"), { recursive: true });
cpSync(
  path.join(root, "node_modules", "@dataform", "core"),
  path.join(project, "node_modules", "@dataform", "core"),
  { recursive: true },
);
const env = { ...process.env, ENGINE_PROJECT_DIR: project, ENGINE_WAREHOUSE: warehouse, NO_COLOR: "1" };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

function run(cmd: string, args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout, stderr, wallMs: Math.round(performance.now() - started) }),
    );
  });
}

function must(name: string, r: Run): Run {
  if (r.code !== 0)
    throw new Error(`${name} exited ${r.code}\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`);
  return r;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : Math.round(((s[mid - 1] as number) + (s[mid] as number)) / 2);
};

/** RUNS runs of one command (after `before`), reported as median / min / max wall time. */
async function timed(
  name: string,
  cmd: string,
  args: string[],
  before?: () => void,
  times = RUNS,
): Promise<{ runs: Run[]; medianMs: number }> {
  const runs: Run[] = [];
  for (let i = 0; i < times; i++) {
    before?.();
    runs.push(must(name, await run(cmd, args)));
  }
  const walls = runs.map((r) => r.wallMs);
  process.stderr.write(`  ${name}: ${walls.join(", ")} ms\n`);
  return { runs, medianMs: median(walls) };
}

try {
  process.stderr.write(`cli bench: ${RUNS} runs each, ${LEADS.toLocaleString("en-US")} leads (dir ${dir})\n`);
  for (const [label, cmd, args] of [
    ["node engine/bin/engine.js --help", process.execPath, [engineBin, "--help"]],
    ["npm run engine -- --help", "npm", ["run", "--silent", "engine", "--", "--help"]],
    ["npx engine --help", "npx", ["--no-install", "engine", "--help"]],
  ] as const) {
    // npx packs the project (running `prepare`, a full build) before it runs the bin: once is enough.
    const { medianMs, runs } = await timed(label, cmd, [...args], undefined, cmd === "npx" ? 1 : RUNS);
    report(BENCH, label, {
      median_ms: medianMs,
      min_ms: Math.min(...runs.map((r) => r.wallMs)),
      max_ms: Math.max(...runs.map((r) => r.wallMs)),
    });
  }
  // The ratio is measured interleaved (help, bare, help, bare ...) so both see the same machine load.
  const helpWalls: number[] = [];
  const bareWalls: number[] = [];
  for (let i = 0; i < Math.max(RUNS, 7); i++) {
    helpWalls.push(must("help", await run(process.execPath, [engineBin, "--help"])).wallMs);
    bareWalls.push(must("node -e 0", await run(process.execPath, ["-e", "0"])).wallMs);
  }
  process.stderr.write(
    `  --help / node -e 0 interleaved: ${helpWalls.join(", ")} / ${bareWalls.join(", ")} ms\n`,
  );
  report(BENCH, "node -e 0 (the floor)", { median_ms: median(bareWalls) });
  report(BENCH, "--help ÷ node -e 0 (interleaved, target ≤ 3)", {
    help_median_ms: median(helpWalls),
    bare_median_ms: median(bareWalls),
    ratio: Math.round((100 * median(helpWalls)) / median(bareWalls)) / 100,
  });
  if (process.env.BENCH_CLI_HELP_ONLY) {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }

  const seed = must(
    "seed",
    await run(process.execPath, [engineBin, "seed", "--leads", String(LEADS), "--json"]),
  );
  process.stderr.write(`  seeded ${LEADS.toLocaleString("en-US")} leads in ${seed.wallMs} ms\n`);
  const cacheDir = path.join(project, ".engine", "compile-cache");
  const transformArgs = [engineBin, "transform", "--json"];

  const cold = await timed("transform (cold cache)", process.execPath, transformArgs, () =>
    rmSync(cacheDir, { recursive: true, force: true }),
  );
  const warm = await timed("transform (warm cache)", process.execPath, transformArgs);
  for (const [label, result, expected] of [
    ["transform, cold cache", cold, "miss"],
    ["transform, warm cache", warm, "hit"],
  ] as const) {
    const parsed = result.runs.map(
      (r) => JSON.parse(r.stdout) as { ms: number; compileMs: number; compileCache: string },
    );
    const wrong = parsed.find((p) => p.compileCache !== expected);
    if (wrong) throw new Error(`${label}: expected a cache ${expected}, got ${wrong.compileCache}`);
    const sql = median(parsed.map((p) => Math.round(p.ms)));
    const overhead = median(result.runs.map((r, i) => r.wallMs - Math.round(parsed[i]?.ms ?? 0)));
    report(BENCH, `${label} (${LEADS.toLocaleString("en-US")} leads)`, {
      median_ms: result.medianMs,
      sql_ms: sql,
      compile_ms: median(parsed.map((p) => p.compileMs)),
      overhead_ms: overhead,
    });
  }

  const status = await timed("status", process.execPath, [engineBin, "status"]);
  report(BENCH, "engine status (node engine/bin/engine.js)", { median_ms: status.medianMs });
  const statusNpm = await timed("npm run engine -- status", "npm", [
    "run",
    "--silent",
    "engine",
    "--",
    "status",
  ]);
  report(BENCH, "engine status (npm run engine --)", { median_ms: statusNpm.medianMs });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
