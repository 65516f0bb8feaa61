/**
 * End-to-end benchmark: the loop at production scale against the Instantly simulator.
 *
 *   pool        300,000 synthetic leads in a temp DuckDB warehouse (`engine seed`)
 *   Instantly   `engine sandbox` in its own process: 2 campaigns x 12,000 leads = 24,000 inventory (the cap),
 *               advanced 16 days so their 14-day sequences are over; 50 ms latency on every API call;
 *               the real 100 req/s + 6,000 req/min workspace limit enforced
 *   case 1      steady state: `engine pull` (24,000 leads) → `engine transform` (300k pool) →
 *               `engine apply --force` (drain every finished lead, block-list unsubscribes, verify, push
 *               the default max_adds_per_run)
 *   case 2      refill: pull → transform → apply with max_adds_per_run=24000 and verify_before_push=false,
 *               so the push lands ~24,000 adds in bulk
 *   naive       the seed scripts' loop — one POST /leads per lead, then a 0.5 s pause — MEASURED on a small
 *               sample against the same simulator and EXTRAPOLATED linearly to case 2's adds
 *
 * Every engine phase runs as its own `node engine/bin/engine.js <cmd>` process, so wall time includes
 * start-up and peak RSS is that process's own (process.resourceUsage().maxRSS, via a --import probe).
 * API calls per phase come from the simulator's request log (every request it served, retries included).
 *
 *   npm run bench -- e2e
 *   BENCH_LEADS=50000 BENCH_INVENTORY=4000 npm run bench -- e2e     (smaller, faster)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { report } from "./measure.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const engineBin = path.join(here, "..", "bin", "engine.js");
const POOL = Number(process.env.BENCH_LEADS ?? 300_000);
const INVENTORY = Number(process.env.BENCH_INVENTORY ?? 24_000);
const LATENCY_MS = 50;
const NAIVE_SAMPLE = Number(process.env.BENCH_NAIVE_SAMPLE ?? 20);
const NAIVE_PAUSE_MS = 500;
const BENCH = "e2e";

const dir = mkdtempSync(path.join(tmpdir(), "bench-e2e-"));
const probe = path.join(dir, "rss-probe.mjs");
writeFileSync(
  probe,
  `process.on("exit", () => process.stderr.write("BENCH_MAXRSS_KB " + process.resourceUsage().maxRSS + "\\n"));\n`,
);
const warehouse = path.join(dir, "warehouse.duckdb");

interface Child {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  peakRssMb: number;
}

function engine(args: string[], env: Record<string, string> = {}): Promise<Child> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [engineBin, ...args], {
      env: {
        ...process.env,
        ENGINE_WAREHOUSE: warehouse,
        NODE_OPTIONS: `--import=${probe}`,
        NOTIFY_TIME_ZONE: "UTC",
        SLACK_NOTIFICATIONS_ENABLED: "false",
        ...env,
      },
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
    child.on("close", (code) => {
      const kb = Number(/BENCH_MAXRSS_KB (\d+)/.exec(stderr)?.[1] ?? 0);
      resolve({
        code,
        stdout,
        stderr,
        wallMs: Math.round(performance.now() - started),
        peakRssMb: Math.round(kb / 1024),
      });
    });
  });
}

function must(name: string, c: Child, okCodes = [0]): Child {
  if (c.code === null || !okCodes.includes(c.code)) {
    throw new Error(`${name} exited ${c.code}\n${c.stdout.slice(-2000)}\n${c.stderr.slice(-2000)}`);
  }
  process.stderr.write(`  ${name}: ${c.wallMs} ms, peak RSS ${c.peakRssMb} MB\n`);
  return c;
}

/** The simulator in its own process; resolves with its URL, key and admin URL. */
async function startSimulator(): Promise<{ url: string; apiKey: string; admin: string; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [
      engineBin,
      "sandbox",
      "--port",
      "0",
      "--json",
      "--seed",
      "bench-e2e",
      "--latency-ms",
      String(LATENCY_MS),
      "--synthetic-leads",
      String(Math.floor(INVENTORY / 2)),
      "--advance-days",
      "16",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on("close", (code) => reject(new Error(`the simulator exited early (${code})`)));
  });
  const info = JSON.parse(line) as { url: string; apiKey: string; admin: string };
  return { ...info, stop: () => child.kill("SIGTERM") };
}

type Stats = { apiRequests: number; byRoute: Record<string, number>; served429: number };

async function stats(admin: string): Promise<Stats> {
  const res = await fetch(`${admin}/stats`);
  return (await res.json()) as Stats;
}

/** API requests between two stats snapshots, by `METHOD /route` (all statuses together). */
function callsBetween(
  a: Stats,
  b: Stats,
): { total: number; byRoute: Record<string, number>; throttled: number } {
  const byRoute: Record<string, number> = {};
  for (const [key, n] of Object.entries(b.byRoute)) {
    const d = n - (a.byRoute[key] ?? 0);
    if (d <= 0) continue;
    const route = key.split(" ").slice(0, 2).join(" ");
    if (route.startsWith("GET /__sandbox")) continue;
    byRoute[route] = (byRoute[route] ?? 0) + d;
  }
  return { total: b.apiRequests - a.apiRequests, byRoute, throttled: b.served429 - a.served429 };
}

const routeCalls = (byRoute: Record<string, number>, ...routes: string[]) =>
  routes.reduce((sum, r) => sum + (byRoute[r] ?? 0), 0);

interface ApplyJson {
  status: string;
  report: {
    phaseDurationsMs?: { drain?: number; push?: number };
    drain: { deleted: number; attempted: number };
    adds: { added: number; attempted: number };
    verification: { attempted: number };
    blocklist: { added: number };
    api: { calls: number; retries: number; throttled: number };
  };
}

async function loopCase(
  name: string,
  sim: Awaited<ReturnType<typeof startSimulator>>,
  vars: string,
  applyArgs: string[],
): Promise<ApplyJson> {
  const env = { INSTANTLY_BASE_URL: sim.url, INSTANTLY_API_KEY: sim.apiKey };
  const withVars = vars ? ["--vars", vars] : [];
  let before = await stats(sim.admin);
  const pull = must(`${name} pull`, await engine(["pull", ...withVars], env));
  let after = await stats(sim.admin);
  const pullCalls = callsBetween(before, after);
  report(BENCH, `${name}: pull`, {
    wall_ms: pull.wallMs,
    api_calls: pullCalls.total,
    throttled_429: pullCalls.throttled,
    peak_rss_mb: pull.peakRssMb,
  });

  const transform = must(`${name} transform`, await engine(["transform", "--json", ...withVars]));
  const t = JSON.parse(transform.stdout) as {
    ms: number;
    compileMs: number;
    actions: Array<{ name: string; ms: number }>;
  };
  const slowest = [...t.actions].sort((a, b) => b.ms - a.ms).slice(0, 3);
  report(BENCH, `${name}: transform (${POOL.toLocaleString("en-US")} pool)`, {
    wall_ms: transform.wallMs,
    graph_ms: Math.round(t.ms),
    compile_ms: t.compileMs,
    slowest: slowest.map((a) => `${a.name.split(".").pop()} ${Math.round(a.ms)} ms`).join(", "),
    api_calls: 0,
    peak_rss_mb: transform.peakRssMb,
  });

  before = await stats(sim.admin);
  const apply = must(
    `${name} apply`,
    await engine(["apply", "--json", ...applyArgs, ...withVars], env),
    [0, 1],
  );
  after = await stats(sim.admin);
  const calls = callsBetween(before, after);
  const result = JSON.parse(apply.stdout) as ApplyJson;
  const r = result.report;
  report(BENCH, `${name}: apply`, {
    status: result.status,
    wall_ms: apply.wallMs,
    drain_ms: r.phaseDurationsMs?.drain ?? "n/a",
    push_ms: r.phaseDurationsMs?.push ?? "n/a",
    deleted: r.drain.deleted,
    blocklisted: r.blocklist.added,
    verified: r.verification.attempted,
    added: r.adds.added,
    api_calls: calls.total,
    drain_calls: routeCalls(calls.byRoute, "DELETE /leads", "DELETE /leads/:id"),
    block_calls: routeCalls(
      calls.byRoute,
      "POST /block-lists-entries/bulk-create",
      "POST /block-lists-entries",
    ),
    verify_calls: routeCalls(calls.byRoute, "POST /email-verification", "GET /email-verification/:email"),
    add_calls: routeCalls(calls.byRoute, "POST /leads/add"),
    read_calls:
      calls.total -
      routeCalls(
        calls.byRoute,
        "DELETE /leads",
        "DELETE /leads/:id",
        "POST /block-lists-entries/bulk-create",
        "POST /block-lists-entries",
        "POST /email-verification",
        "GET /email-verification/:email",
        "POST /leads/add",
      ),
    throttled_429: calls.throttled,
    peak_rss_mb: apply.peakRssMb,
  });
  return result;
}

/** The seed scripts' loop: one create per lead, then a 0.5 s pause. Measured on a sample. */
async function naiveLoop(
  sim: Awaited<ReturnType<typeof startSimulator>>,
  campaignId: string,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < NAIVE_SAMPLE; i++) {
    const res = await fetch(`${sim.url}/leads`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ campaign: campaignId, email: `naive${i}@naive-loop.example` }),
    });
    await res.text();
    await sleep(NAIVE_PAUSE_MS);
  }
  return (performance.now() - started) / NAIVE_SAMPLE;
}

let sim: Awaited<ReturnType<typeof startSimulator>> | undefined;
try {
  process.stderr.write(
    `e2e bench: ${POOL.toLocaleString("en-US")} pool, ${INVENTORY.toLocaleString("en-US")} inventory, ${LATENCY_MS} ms latency (dir ${dir})\n`,
  );
  const seed = must("seed", await engine(["seed", "--leads", String(POOL), "--json"]));
  report(BENCH, `seed ${POOL.toLocaleString("en-US")} leads`, {
    wall_ms: seed.wallMs,
    peak_rss_mb: seed.peakRssMb,
  });

  const simStarted = performance.now();
  sim = await startSimulator();
  process.stderr.write(
    `  simulator ready in ${Math.round(performance.now() - simStarted)} ms at ${sim.url}\n`,
  );

  const cap = `inventory_cap=${INVENTORY}`;
  // Case 1: every lead of the inventory finished its sequence; --force because that drain is > 50%.
  await loopCase("steady state", sim, cap, ["--force"]);
  // Case 2: the campaigns are nearly empty; refill them in one run.
  const refill = await loopCase(
    "refill",
    sim,
    `${cap},max_adds_per_run=${INVENTORY},verify_before_push=false`,
    [],
  );

  const settings = (await import("../src/config/settings.ts")).loadSettings();
  const naivePerLeadMs = await naiveLoop(sim, settings.managedCampaignIds[0] as string);
  const adds = refill.report.adds.added;
  const enginePushMs = refill.report.phaseDurationsMs?.push;
  const naiveMs = naivePerLeadMs * adds;
  report(
    BENCH,
    `naive loop (1 create + 0.5 s pause per lead), ${NAIVE_SAMPLE} measured, extrapolated to ${adds.toLocaleString("en-US")}`,
    {
      measured_ms_per_lead: Math.round(naivePerLeadMs),
      extrapolated_wall_ms: Math.round(naiveMs),
      extrapolated_hours: Math.round((naiveMs / 3_600_000) * 100) / 100,
      api_calls: adds,
      engine_push_ms: enginePushMs ?? "n/a",
      engine_push_api_calls: "see refill: apply add_calls",
      speedup_x: enginePushMs ? Math.round(naiveMs / enginePushMs) : "n/a",
    },
  );
} finally {
  sim?.stop();
  rmSync(dir, { recursive: true, force: true });
}
