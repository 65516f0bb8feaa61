import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { seedWarehouse } from "../../engine/src/local/seed.ts";
import { type Sandbox, startSandbox } from "../../engine/src/sandbox/server.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";

/**
 * The commands as a user runs them: `engine run`, `engine status --json`, `engine plan` then
 * `engine apply --plan`, against a sandbox served from this process (async child processes, so the
 * sandbox keeps answering).
 */
const run = promisify(execFile);
let dir: string;
let sandbox: Sandbox;
let env: Record<string, string>;
// The sandbox here has no mailboxes (it sends without limit): nothing to pace by, so pacing cap.
const VARS = "inventory_cap=150,max_adds_per_run=30,max_drain_fraction=1,pacing=cap";

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "engine-cli-"));
  const file = path.join(dir, "wh.duckdb");
  const settings = loadSettings({ overrides: { dialect: "duckdb" } });
  const warehouse = await DuckDbWarehouse.open(file, settings);
  await seedWarehouse(warehouse.conn, settings, { leads: 1500, seed: 3 });
  await warehouse.close();
  sandbox = await startSandbox({
    rateLimit: false,
    seed: "cli-tests",
    simulation: { realTime: false },
    verification: { pendingRate: 0 },
  });
  env = {
    ...(process.env as Record<string, string>),
    ENGINE_WAREHOUSE: file,
    INSTANTLY_BASE_URL: sandbox.url,
    INSTANTLY_API_KEY: sandbox.apiKey,
    SLACK_NOTIFICATIONS_ENABLED: "false",
    ENGINE_DEBUG: "",
  };
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const engine = (args: string[]) =>
  run(process.execPath, [path.join(repoRoot(), "engine/bin/engine.js"), ...args], {
    cwd: repoRoot(),
    env,
    maxBuffer: 10 * 1024 * 1024,
  });

test("engine run: pull, transform, apply with a summary table; status --json reads it back", async () => {
  const { stdout } = await engine(["run", "--vars", VARS]);
  expect(stdout).toMatch(/── pull/);
  expect(stdout).toMatch(/── transform/);
  expect(stdout).toMatch(/apply apply-\S+: SUCCEEDED \(exit 0\)/);
  expect(stdout).toMatch(/^phase\s+time\s+API calls\s+result$/m);
  expect(stdout).toMatch(/^apply\s+\d+ ms\s+\d+\s+succeeded: \+30 −0$/m);
  expect(stdout).not.toMatch(/@/); // no email in the output
  const status = JSON.parse((await engine(["status", "--json", "--vars", VARS])).stdout);
  expect(status.latestPull.complete).toBe(true);
  expect(status.runs.map((r: { mode: string; status: string }) => `${r.mode}:${r.status}`)).toEqual([
    "apply:succeeded",
    "pull:succeeded",
  ]);
  const leads = sandbox.state.leads.size;
  expect(leads).toBe(30);
});

test("engine plan then apply --plan: the plan file holds the actions, apply executes them", async () => {
  sandbox.advance(30);
  await engine(["pull", "--vars", VARS]);
  await engine(["transform", "--vars", VARS]);
  const writes = sandbox.stats().writes;
  const out = path.join(dir, "plans", "p.json");
  const plan = await engine(["plan", "--out", out, "--vars", VARS]);
  expect(plan.stdout).toMatch(/nothing was sent to Instantly/);
  expect(plan.stdout).not.toMatch(/@/);
  expect(sandbox.stats().writes).toBe(writes);
  const file = JSON.parse(readFileSync(out, "utf8"));
  const drains = file.actions.filter((a: { op: string }) => a.op === "drain").length;
  expect(drains).toBeGreaterThan(0);
  const applied = await engine(["apply", "--plan", out, "--json", "--vars", VARS]);
  const result = JSON.parse(applied.stdout);
  expect(result.report.drain.deleted).toBe(drains);
  expect(result.counts.plan_run_id).toBe(file.plan_run_id);
  expect(readdirSync(path.join(dir, "plans"))).toEqual(["p.json"]);
});
