import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { seedWarehouse } from "../../engine/src/local/seed.ts";
import { type Sandbox, startSandbox } from "../../engine/src/sandbox/server.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";

/**
 * The commands as a user runs them against a sandbox: `apply --dry-run` and
 * `run --dry-run` write nothing to Instantly; `status` counts the adds an apply just made; `runs` and
 * `show` tell what a run did; Ctrl-C during apply says what was done and exits 130.
 */
// The sandbox here has no mailboxes (it sends without limit): nothing to pace by, so fill to the cap.
const VARS = "inventory_cap=150,max_adds_per_run=30,max_drain_fraction=1,pacing=cap";
let dir: string;
let sandbox: Sandbox;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "engine-commands-"));
  const file = path.join(dir, "wh.duckdb");
  const settings = loadSettings({ overrides: { dialect: "duckdb" } });
  const warehouse = await DuckDbWarehouse.open(file, settings);
  await seedWarehouse(warehouse.conn, settings, { leads: 1500, seed: 5 });
  await warehouse.close();
  sandbox = await startSandbox({
    rateLimit: false,
    seed: "cli-commands",
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
}, 120_000);
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const BIN = path.join(repoRoot(), "engine/bin/engine.js");
const engine = (args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, ...args], {
    cwd: repoRoot(),
    env,
    maxBuffer: 10 * 1024 * 1024,
  });
const json = async (args: string[]) => JSON.parse((await engine([...args, "--json"])).stdout);

describe("dry runs write nothing to Instantly", () => {
  it("apply --dry-run and run --dry-run plan instead of applying", async () => {
    await engine(["pull", "--vars", VARS]);
    await engine(["transform", "--vars", VARS]);
    const before = sandbox.stats().writes;
    const leadsBefore = sandbox.state.leads.size;
    const dry = await json(["apply", "--dry-run", "--out", path.join(dir, "dry.json"), "--vars", VARS]);
    expect(dry.actions).toBeGreaterThan(0);
    expect(dry.file).toBe(path.join(dir, "dry.json"));
    const human = await engine(["run", "--dry-run", "--out", path.join(dir, "run-dry.json"), "--vars", VARS]);
    expect(human.stdout).toMatch(/── plan \(dry run: nothing is written to Instantly\)/);
    // A plan says what apply would do, never that it added or verified anything.
    const said = `${human.stdout}\n${human.stderr}`;
    expect(said).toMatch(/^push: would add \d+, would verify \d+ \(nothing written to Instantly\)$/m);
    expect(said).not.toMatch(/^push: \d+ added/m);
    // Campaigns by name, as status prints them.
    const planned = human.stdout.slice(human.stdout.indexOf("── plan"));
    for (const c of sandbox.state.campaigns.values()) expect(planned).not.toContain(c.id);
    expect(human.stdout).toMatch(
      new RegExp(`^  ${[...sandbox.state.campaigns.values()].map((c) => c.name).join("|")}: add \\d+`, "m"),
    );
    expect(human.stdout).toMatch(/nothing was sent to Instantly/);
    expect(human.stdout).not.toMatch(/@/);
    expect(sandbox.stats().writes).toBe(before);
    expect(sandbox.state.leads.size).toBe(leadsBefore);
    const runs = await json(["runs", "--vars", VARS]);
    expect(runs.filter((r: { mode: string }) => r.mode === "apply")).toEqual([]);
  }, 240_000);
});

describe("status, runs and show after an apply", () => {
  it("status counts the adds an apply just confirmed, by campaign, with status names", async () => {
    const applied = await json(["apply", "--vars", VARS]);
    expect(applied.report.adds.added).toBe(30);
    const status = await json(["status", "--vars", VARS]);
    expect(status.inventory).toMatchObject({
      atPull: 0,
      addedSincePull: 30,
      drainedSincePull: 0,
      now: 30,
      cap: 150,
    });
    expect(status.campaigns.map((c: { status: string }) => c.status)).toEqual(["active", "active"]);
    const perCampaign = status.campaigns.reduce((n: number, c: { leads_now: number }) => n + c.leads_now, 0);
    expect(perCampaign).toBe(sandbox.state.leads.size);
    const { stdout } = await engine(["status", "--vars", VARS]);
    expect(stdout).toMatch(
      /^inventory\s+30 of cap 150 \(20 %\): 0 at the pull \+ 30 added − 0 drained since$/m,
    );
    expect(stdout).toMatch(/^\s+segment\s+campaign\s+status\s+at pull\s+added\s+drained\s+now/m);
    expect(stdout).not.toMatch(/status=1/);
  }, 240_000);

  it("runs lists the history as a table; show breaks one run down without PII", async () => {
    const runs = await json(["runs", "--vars", VARS]);
    const [apply] = runs;
    const pull = runs.find((r: { mode: string }) => r.mode === "pull");
    expect([apply.mode, apply.status, apply.adds, apply.drains, apply.failures]).toEqual([
      "apply",
      "succeeded",
      30,
      0,
      0,
    ]);
    expect(pull.status).toBe("succeeded");
    expect(runs.filter((r: { mode: string }) => r.mode === "plan")).toHaveLength(2); // the dry runs
    const table = (await engine(["runs", "--vars", VARS])).stdout.split("\n");
    expect(table[0]).toMatch(
      /^run\s+mode\s+status\s+started \(UTC\)\s+duration\s+adds\s+drains\s+failures\s+errors\s+link$/,
    );
    expect(table[1]).toMatch(/^─+/);
    expect(table[2]).toMatch(
      new RegExp(`^${apply.runId}\\s+apply\\s+succeeded\\s.*\\s30\\s+0\\s+0\\s+-\\s+-$`),
    );
    const detail = await json(["show", apply.runId, "--vars", VARS]);
    expect(detail.byOpState.add).toMatchObject({ succeeded: 30 });
    expect(detail.unresolved).toBe(0);
    const shown = await engine(["show", apply.runId, "--vars", VARS]);
    expect(shown.stdout).toMatch(/^\s+add\s+30\s+0\s+0\s+0\s+0$/m);
    expect(shown.stdout).not.toMatch(/@/);
    for (const c of sandbox.state.campaigns.values()) expect(shown.stdout).not.toContain(c.id);
    const names = [...sandbox.state.campaigns.values()].map((c) => c.name);
    expect(names.some((n) => new RegExp(`^\\s+${n}\\s+.*add_succeeded \\d+`, "m").test(shown.stdout))).toBe(
      true,
    );
    const missing = await engine(["show", "apply-nope", "--vars", VARS]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(missing).toMatchObject({ code: 2 });
    expect((missing as { stderr: string }).stderr).toMatch(/no run "apply-nope" in sync_runs/);
  }, 240_000);
});

describe("Ctrl-C during apply", () => {
  it("prints what was done and that the next pull settles the rest, exit 130", async () => {
    sandbox.advance(20);
    await engine(["pull", "--vars", VARS]);
    await engine(["transform", "--vars", VARS]);
    sandbox.setFaults({ latencyMs: 300 });
    const child = spawn(process.execPath, [BIN, "apply", "--vars", VARS], { cwd: repoRoot(), env });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on("data", (b: Buffer) => {
        stdout += b.toString();
        // Interrupt once a phase that writes has started.
        if (/^(drain|push): /m.test(stdout) && !child.killed) child.kill("SIGINT");
      });
      child.on("close", (c) => resolve(c));
    });
    sandbox.setFaults({ latencyMs: 0 });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/apply interrupted \(Ctrl-C\)\./);
    expect(stderr).toMatch(/done so far: .*(drain|push): /);
    expect(stderr).toMatch(/the next `engine pull` settles the rest/);
    expect(stderr).toMatch(/recorded in sync_runs as interrupted: apply-/);
    const pull = await json(["pull", "--vars", VARS]);
    expect(pull.runId).toMatch(/^pull-/);
    // Recorded as interrupted, not as "killed or crashed".
    const runs = await json(["runs", "--vars", VARS, "--mode", "apply"]);
    expect(runs[0].finishedAt).not.toBeNull();
    expect(runs[0].status).toBe("failed");
    expect(runs[0].error).toMatch(/^apply interrupted \(Ctrl-C\)/);
    expect(runs[0].error).not.toMatch(/killed or crashed/);
  }, 240_000);
});
