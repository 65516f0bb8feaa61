/**
 * The verified fill: an EMPTY 24,000-lead inventory filled from the 300,000-lead pool in one run, every
 * candidate verified before it is pushed, against the Instantly simulator at 50 ms latency with the real
 * workspace limit (100 requests/s and 6,000/min) enforced.
 *
 * The bound is what the rate limit allows: one verification call per pushed email at 6,000 requests/min
 * (10 ms a call), ≈ 4 min for 24,000. The simulator answers 30 % of verifications `pending` first (two
 * GET polls to a final result, like Instantly), so the calls really needed are reported too, with the
 * bound they set. Calls per phase come from the simulator's request log (retries included).
 *
 * The simulator runs in this process (its verification credits raised above 24,000; `engine sandbox`
 * has no flag for them); every engine phase is its own `node engine/bin/engine.js` process.
 *
 *   npm run bench -- fill
 *   BENCH_LEADS=50000 BENCH_INVENTORY=4000 npm run bench -- fill      (smaller, faster)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, buildState } from "../bin/build.js";
import { startSandbox } from "../src/sandbox/server.ts";
import { report } from "./measure.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const engineBin = path.join(here, "..", "bin", "engine.js");
const POOL = Number(process.env.BENCH_LEADS ?? 300_000);
const INVENTORY = Number(process.env.BENCH_INVENTORY ?? 24_000);
const LATENCY_MS = 50;
/** 6,000 requests per minute = 100 per second: 10 ms per call, whichever window binds. */
const MS_PER_CALL = 10;
const BENCH = "fill";

// Measure the build, never the slower run-from-source fallback of an outdated one.
if (buildState() !== "fresh") build();
const dir = mkdtempSync(path.join(tmpdir(), "bench-fill-"));
const warehouse = path.join(dir, "warehouse.duckdb");

interface Child {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

function engine(args: string[], env: Record<string, string> = {}): Promise<Child> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [engineBin, ...args], {
      env: { ...process.env, ENGINE_WAREHOUSE: warehouse, SLACK_NOTIFICATIONS_ENABLED: "false", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
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

function must(name: string, c: Child, okCodes = [0]): Child {
  if (c.code === null || !okCodes.includes(c.code)) {
    throw new Error(`${name} exited ${c.code}\n${c.stdout.slice(-2000)}\n${c.stderr.slice(-2000)}`);
  }
  process.stderr.write(`  ${name}: ${c.wallMs} ms\n`);
  return c;
}

type Stats = { apiRequests: number; byRoute: Record<string, number>; served429: number };

/** API requests between two snapshots, by `METHOD /route`. */
function callsBetween(a: Stats, b: Stats) {
  const byRoute: Record<string, number> = {};
  for (const [key, n] of Object.entries(b.byRoute)) {
    const d = n - (a.byRoute[key] ?? 0);
    if (d <= 0) continue;
    const route = key.split(" ").slice(0, 2).join(" ");
    if (route.includes("/__sandbox")) continue;
    byRoute[route] = (byRoute[route] ?? 0) + d;
  }
  return { total: b.apiRequests - a.apiRequests, byRoute, throttled: b.served429 - a.served429 };
}
const sum = (byRoute: Record<string, number>, ...routes: string[]) =>
  routes.reduce((n, r) => n + (byRoute[r] ?? 0), 0);

const sandbox = await startSandbox({
  seed: "bench-fill",
  faults: { latencyMs: LATENCY_MS },
  verification: { credits: INVENTORY * 10 },
});
try {
  process.stderr.write(
    `fill bench: ${POOL.toLocaleString("en-US")} pool → ${INVENTORY.toLocaleString("en-US")} inventory, ${LATENCY_MS} ms latency (dir ${dir})\n`,
  );
  must("seed", await engine(["seed", "--leads", String(POOL), "--json"]));
  const vars = ["--vars", `inventory_cap=${INVENTORY},max_adds_per_run=${INVENTORY},verify_before_push=true`];
  const env = { INSTANTLY_BASE_URL: sandbox.url, INSTANTLY_API_KEY: sandbox.apiKey };

  let before = sandbox.stats() as Stats;
  const pull = must("pull", await engine(["pull", ...vars], env));
  const pullCalls = callsBetween(before, sandbox.stats() as Stats);
  report(BENCH, "pull (empty campaigns)", { wall_ms: pull.wallMs, api_calls: pullCalls.total });

  const transform = must("transform", await engine(["transform", "--json", ...vars]));
  const t = JSON.parse(transform.stdout) as { ms: number; compileMs: number; compileCache: string };
  report(BENCH, `transform (${POOL.toLocaleString("en-US")} pool)`, {
    wall_ms: transform.wallMs,
    sql_ms: Math.round(t.ms),
    compile_ms: t.compileMs,
    compile_cache: t.compileCache,
  });

  before = sandbox.stats() as Stats;
  const apply = must("apply", await engine(["apply", "--json", ...vars], env), [0, 1]);
  const calls = callsBetween(before, sandbox.stats() as Stats);
  const result = JSON.parse(apply.stdout) as {
    status: string;
    report: {
      phaseDurationsMs?: { drain?: number; push?: number };
      adds: { added: number; attempted: number };
      verification: { attempted: number };
    };
  };
  const r = result.report;
  const verifyPosts = sum(calls.byRoute, "POST /email-verification");
  const verifyPolls = sum(calls.byRoute, "GET /email-verification/:email");
  const adds = sum(calls.byRoute, "POST /leads/add");
  const oneCallBoundMs = r.adds.added * MS_PER_CALL;
  const callsBoundMs = calls.total * MS_PER_CALL;
  report(BENCH, `apply: fill ${INVENTORY.toLocaleString("en-US")} verified`, {
    status: result.status,
    wall_ms: apply.wallMs,
    push_ms: r.phaseDurationsMs?.push ?? "n/a",
    added: r.adds.added,
    verified: r.verification.attempted,
    api_calls: calls.total,
    verify_posts: verifyPosts,
    verify_polls: verifyPolls,
    add_calls: adds,
    other_calls: calls.total - verifyPosts - verifyPolls - adds,
    throttled_429: calls.throttled,
    bound_one_call_per_email_ms: oneCallBoundMs,
    x_of_one_call_bound: Math.round((apply.wallMs / Math.max(1, oneCallBoundMs)) * 100) / 100,
    bound_calls_made_ms: callsBoundMs,
    x_of_calls_made_bound: Math.round((apply.wallMs / Math.max(1, callsBoundMs)) * 100) / 100,
  });
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
