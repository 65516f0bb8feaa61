import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseDocument } from "yaml";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings, type Settings } from "../../engine/src/config/settings.ts";
import { compileCached } from "../../engine/src/dataform/compile-cache.ts";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";
import { type TransformLocalResult, transformLocal } from "../../engine/src/dataform/transform.ts";
import { AS_OF_SENTINEL, pinAsOf } from "../../engine/src/local/demo-clock.ts";
import { seedWarehouse } from "../../engine/src/local/seed.ts";
import { type NotifySink, startNotifySink } from "../../engine/src/sandbox/notify-sink.ts";
import type { FaultConfig, SandboxOptions } from "../../engine/src/sandbox/options.ts";
import { type Sandbox, startSandbox } from "../../engine/src/sandbox/server.ts";
import { openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { machineClockEnv } from "../setup/fake-clock.ts";

export { prng } from "../setup/prng.ts";

/**
 * One end-to-end world for a test: a private Dataform project (a copy of definitions/ and includes/
 * with a workflow_settings.yaml carrying the test's vars), a temp DuckDB file seeded with a small
 * synthetic pool, the Instantly sandbox and the Echo/Slack sink in THIS process, and the engine run
 * as CHILD processes (`node engine/bin/engine.js ...`) so a crash is a real process death.
 *
 * The graph is compiled once per world (the Dataform CLI costs ~6 s) and the transform runs here,
 * in-process, through the public transformLocal({graph}) - same SQL, same runner as `engine transform`
 * - with `as_of` pinned to the sandbox's simulated time (engine/src/local/demo-clock.ts). Every engine
 * child starts its clock at the simulated time too (ENGINE_CLOCK_START), so the stamps it writes and
 * the rules' "now" agree (apply refuses tables computed for another day: engine/src/core/computed-with.ts).
 * The simulated clock starts in the past (`startDaysAgo`) and never passes the wall clock.
 */

export const ENGINE_BIN = path.join(repoRoot(), "engine", "bin", "engine.js");
const DAY_MS = 86_400_000;

export interface WorldOptions {
  /** Seed for the synthetic pool and the sandbox (deterministic). */
  seed: number;
  /** Raw leads to seed. */
  leads: number;
  /** workflow_settings.yaml vars for this world (strings, like the file). */
  vars?: Record<string, string>;
  /** Extra sandbox options (faults, simulation rates...). */
  sandbox?: SandboxOptions;
  /** Leads placed in an UNMANAGED campaign at start (they must survive every run). */
  unmanagedLeads?: number;
  /** How many of the unmanaged leads reuse an email of the seeded pool (workspace dedupe). */
  unmanagedFromPool?: number;
  /** Simulated clock start, in days before the wall clock (default 60). */
  startDaysAgo?: number;
  /** Post notifications to the in-process Slack sink (default true); false = console notifier. */
  slackSink?: boolean;
}

export interface CliResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The harness killed it (killAfterMs). */
  killed: boolean;
  /** Simulated day when it ran. */
  day: number;
  /** When the first stdout output arrived (after start-up), if any. */
  firstOutputAt?: Date;
  startedAt: Date;
  finishedAt: Date;
}

export interface RunRow {
  run_id: string;
  mode: string;
  status: string;
  counts: string | null;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** SIGKILL the child after this many ms (a crash at a random time). */
  killAfterMs?: number;
  /** SIGKILL the child `delayMs` after its output first matches `pattern` (skips the start-up time). */
  killAfterOutput?: { pattern: RegExp; delayMs: number };
  /** Safety net: SIGKILL after this long and report it (never a timing assertion). */
  hardLimitMs?: number;
}

/** Small world settings: small cap and per-run adds so drains and refills happen within days. */
export const smallWorldVars: Record<string, string> = {
  inventory_cap: "40",
  max_adds_per_run: "15",
  overfetch_multiplier: "2",
  // The sandbox's sequences last a few days; leads still active after 6 days count as stale.
  stale_days: "6",
  // A cohort that completes together may be most of a small inventory: not what the guard is for.
  max_drain_fraction: "1",
};

/** Simulation rates high enough that a few hundred leads produce every outcome within two weeks. */
export const lively: SandboxOptions["simulation"] = {
  realTime: false,
  sequenceSteps: 3,
  sequenceLengthDays: 4,
  rates: {
    open: 0.3,
    reply: 0.03,
    autoReply: 0.02,
    interested: 0.01,
    meetingBooked: 0.005,
    notInterested: 0.01,
    wrongPerson: 0.005,
    unsubscribe: 0.03,
    bounce: 0.004,
  },
};

/** Random transient faults of every kind the client must absorb. */
export const noisyFaults: Partial<FaultConfig> = {
  rate5xx: 0.03,
  rate429Burst: 0.02,
  burst429Length: 2,
  timeoutRate: 0.01,
  hangMs: 200,
  resetRate: 0.015,
  partialBulkRate: 0.2,
  appliedBeforeFailureRate: 0.5,
};

export class World {
  readonly outputs: CliResult[] = [];
  /** Unmanaged campaign id and the lead ids placed in it. */
  unmanaged: { campaignId: string; leadIds: string[] } = { campaignId: "", leadIds: [] };
  private graphPromise: Promise<CompiledGraph> | undefined;

  /** Wall time the world was made: children's clocks add the real time elapsed since. */
  private readonly bornAt = Date.now();

  private constructor(
    readonly dir: string,
    readonly projectDir: string,
    readonly warehouseFile: string,
    readonly settings: Settings,
    readonly sandbox: Sandbox,
    readonly sink: NotifySink | undefined,
    readonly options: WorldOptions,
  ) {}

  static async create(options: WorldOptions): Promise<World> {
    const dir = mkdtempSync(path.join(tmpdir(), "e2e-"));
    // A sandbox without mailboxes sends without limit: nothing to pace by, so the world fills to the cap.
    const pacing: Record<string, string> = options.sandbox?.sending ? {} : { pacing: "cap" };
    const projectDir = makeProject(dir, { ...pacing, ...options.vars });
    const settings = loadSettings({ projectDir });
    const warehouseFile = path.join(dir, "warehouse.duckdb");
    const startDaysAgo = options.startDaysAgo ?? 60;
    const start = new Date(Math.floor((Date.now() - startDaysAgo * DAY_MS) / DAY_MS) * DAY_MS + 9 * 3600_000);
    const sandbox = await startSandbox({
      seed: `e2e-${options.seed}`,
      projectDir,
      ...options.sandbox,
      campaigns: [{ name: "Unmanaged (hands off)", status: 1 }, ...(options.sandbox?.campaigns ?? [])],
      simulation: {
        ...lively,
        ...options.sandbox?.simulation,
        startTime: start.toISOString(),
        realTime: false,
      },
    });
    const sink = options.slackSink === false ? undefined : await startNotifySink();
    const world = new World(dir, projectDir, warehouseFile, settings, sandbox, sink, options);
    const wh = await openDuckDb(warehouseFile);
    try {
      await seedWarehouse(wh.conn, settings, {
        leads: options.leads,
        seed: options.seed,
        asOf: new Date(start.getTime() - DAY_MS),
      });
    } finally {
      wh.close();
    }
    await world.placeUnmanaged(options.unmanagedLeads ?? 0, options.unmanagedFromPool ?? 0);
    return world;
  }

  /** Current simulated day index (0 at start). */
  get day(): number {
    return this.sandbox.state.daysAdvanced;
  }

  /** Environment of every engine child process. */
  env(extra: Record<string, string | undefined> = {}): Record<string, string> {
    const base: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      NODE_OPTIONS: undefined,
      // The machine's date and zone: under test/dates/at-dates.sh (libfaketime) every process of the
      // run, these children and their DuckDB included, must see the same pinned date.
      ...machineClockEnv(),
      INSTANTLY_BASE_URL: this.sandbox.url,
      INSTANTLY_API_KEY: this.sandbox.apiKey,
      ENGINE_WAREHOUSE: this.warehouseFile,
      ENGINE_PROJECT_DIR: this.projectDir,
      NOTIFY_TIME_ZONE: "UTC",
      // Each child's clock starts at the simulated time, like the transform's as_of: the stamps it
      // writes are on the same clock as the rules' "now" (engine/src/core/clock.ts). Plus the real
      // time the world has run, so a later child never stamps before an earlier one of the same
      // simulated day (two processes started at one instant would write rows out of order).
      ENGINE_CLOCK_START: new Date(
        Date.parse(this.sandbox.state.nowIso()) + (Date.now() - this.bornAt),
      ).toISOString(),
      ...(this.sink ? this.sink.env("slack") : {}),
      ...extra,
    };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(base)) if (v !== undefined) out[k] = v;
    return out;
  }

  /** Secrets that must never show up in output, messages or the warehouse's text columns. */
  secrets(): string[] {
    const out = [this.sandbox.apiKey];
    if (this.sink) {
      const url = new URL(this.sink.slackWebhookUrl);
      out.push(url.pathname.split("/").pop() ?? "");
    }
    return out.filter((s) => s.length >= 8);
  }

  /** Run `engine <args>` as a child process and capture everything it printed. */
  cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
    const startedAt = new Date();
    const day = this.day;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [ENGINE_BIN, ...args], {
        cwd: repoRoot(),
        env: this.env(options.env),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      let killed = false;
      const timers: NodeJS.Timeout[] = [];
      let armed = options.killAfterOutput;
      let firstOutputAt: Date | undefined;
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        firstOutputAt ??= new Date();
        stdout += d;
        if (armed?.pattern.test(stdout)) {
          const { delayMs } = armed;
          armed = undefined;
          timers.push(
            setTimeout(() => {
              killed = child.kill("SIGKILL");
            }, delayMs),
          );
        }
      });
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
      });
      if (options.killAfterMs !== undefined) {
        timers.push(
          setTimeout(() => {
            killed = child.kill("SIGKILL");
          }, options.killAfterMs),
        );
      }
      timers.push(
        setTimeout(() => {
          stderr += `\n[harness] still running after ${options.hardLimitMs ?? 120_000} ms: killed\n`;
          killed = child.kill("SIGKILL");
        }, options.hardLimitMs ?? 120_000),
      );
      child.on("error", reject);
      child.on("close", (code, signal) => {
        for (const t of timers) clearTimeout(t);
        const result: CliResult = {
          args,
          code,
          signal,
          stdout,
          stderr,
          killed,
          day,
          startedAt,
          finishedAt: new Date(),
          ...(firstOutputAt ? { firstOutputAt } : {}),
        };
        this.outputs.push(result);
        resolve(result);
      });
    });
  }

  /** The compiled graph (compiled once per world, for DuckDB, with the as_of sentinel). */
  graph(): Promise<CompiledGraph> {
    // One cache for every world: the graph holds no path, and worlds with the same rules and vars
    // (most of them) then share one Dataform compile instead of one each.
    this.graphPromise ??= compileCached({
      projectDir: this.projectDir,
      vars: { ...this.settings.rawVars, dialect: "duckdb", as_of: AS_OF_SENTINEL },
      cacheDir: path.join(repoRoot(), ".engine", "compile-cache"),
    }).then((compiled) => compiled.graph);
    return this.graphPromise;
  }

  /**
   * `engine transform`, in this process, with the cached graph and "now" pinned to the sandbox's
   * simulated time (what `--vars as_of=<sim now>` would compile). Throws when an action failed.
   */
  async transform(): Promise<TransformLocalResult> {
    const graph = pinAsOf(await this.graph(), this.sandbox.state.nowIso());
    const settings = loadSettings({ projectDir: this.projectDir, overrides: { dialect: "duckdb" } });
    const wh = await openDuckDb(this.warehouseFile);
    try {
      const result = await transformLocal({ settings, conn: wh.conn, graph });
      if (!result.ok) {
        const failed = result.actions.filter((a) => a.status === "failed");
        throw new Error(`transform failed: ${failed.map((a) => `${a.name}: ${a.error}`).join("; ")}`);
      }
      return result;
    } finally {
      wh.close();
    }
  }

  /** Move the simulated clock (leads progress through their sequences). */
  advance(days = 1): void {
    this.sandbox.advance(days);
  }

  /** Run SQL against the warehouse file (opened and closed around the query: children need the file). */
  async query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const wh = await openDuckDb(this.warehouseFile);
    try {
      return (await wh.conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
    } finally {
      wh.close();
    }
  }

  /** The latest sync_runs row of a mode (by started_at), if any. */
  async latestRun(mode: "pull" | "plan" | "apply"): Promise<RunRow | undefined> {
    const [row] = await this.query<RunRow>(
      `select run_id, mode, status, counts::varchar as counts, error, started_at, finished_at
       from ${this.ops("sync_runs")} where mode = '${mode}' order by started_at desc, finished_at desc nulls last limit 1`,
    );
    return row;
  }

  /** Qualified name of an ops table. */
  ops(table: string): string {
    return `"${this.settings.vars.ops_dataset}"."${table}"`;
  }

  raw(table: "leads" | "dnc_list"): string {
    const name = table === "leads" ? this.settings.vars.leads_table : this.settings.vars.dnc_table;
    return `"${this.settings.vars.raw_dataset}"."${name}"`;
  }

  output(table: string): string {
    return `"${this.settings.vars.output_dataset}"."${table}"`;
  }

  async close(): Promise<void> {
    await this.sandbox.close();
    await this.sink?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async placeUnmanaged(count: number, fromPool: number): Promise<void> {
    const campaign = [...this.sandbox.state.campaigns.values()].find(
      (c) => c.name === "Unmanaged (hands off)",
    );
    if (!campaign) throw new Error("the sandbox did not create the unmanaged campaign");
    this.unmanaged.campaignId = campaign.id;
    if (count === 0) return;
    const pool =
      fromPool > 0
        ? await this.query<{ email: string }>(
            `select lower(trim(email)) as email from ${this.raw("leads")} where ${validEmailSql} order by email limit ${fromPool}`,
          )
        : [];
    const leads = [
      ...pool.map((r) => ({ email: r.email })),
      ...Array.from({ length: count - pool.length }, (_, i) => ({ email: `keeper${i}@hands-off.example` })),
    ];
    const res = await fetch(`${this.sandbox.url}/leads/add`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.sandbox.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ campaign_id: campaign.id, leads }),
    });
    if (!res.ok) throw new Error(`placing unmanaged leads failed: HTTP ${res.status} ${await res.text()}`);
    this.unmanaged.leadIds = this.sandbox.state
      .leadsInCampaign(campaign.id)
      .map((l) => l.id)
      .sort();
  }
}

/**
 * A private copy of the Dataform project: definitions/ and includes/ copied, @dataform/core copied into
 * node_modules (the Dataform CLI's sandbox refuses a symlinked node_modules), and workflow_settings.yaml
 * with the given vars set. Returns the project folder.
 */
export function makeProject(dir: string, vars: Record<string, string>, settingsText?: string): string {
  const root = repoRoot();
  const projectDir = path.join(dir, "project");
  mkdirSync(projectDir, { recursive: true });
  cpSync(path.join(root, "definitions"), path.join(projectDir, "definitions"), { recursive: true });
  cpSync(path.join(root, "includes"), path.join(projectDir, "includes"), { recursive: true });
  cpSync(path.join(root, "package.json"), path.join(projectDir, "package.json"));
  mkdirSync(path.join(projectDir, "node_modules", "@dataform"), { recursive: true });
  cpSync(
    path.join(root, "node_modules", "@dataform", "core"),
    path.join(projectDir, "node_modules", "@dataform", "core"),
    { recursive: true },
  );
  if (settingsText !== undefined) {
    writeFileSync(path.join(projectDir, "workflow_settings.yaml"), settingsText);
    return projectDir;
  }
  const doc = parseDocument(readFileSync(path.join(root, "workflow_settings.yaml"), "utf8"));
  for (const [key, value] of Object.entries(vars)) doc.setIn(["vars", key], value);
  writeFileSync(path.join(projectDir, "workflow_settings.yaml"), doc.toString());
  return projectDir;
}

/** Lines of a CLI result, for failure messages. */
export function describe(result: CliResult): string {
  return `engine ${result.args.join(" ")} → code ${result.code} signal ${result.signal}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;
}

/** SQL condition: the raw `email` column holds a plain, valid address (the seeded pool is messy on purpose). */
export const validEmailSql = `regexp_full_match(lower(trim(email)), '[a-z0-9._+-]+@[a-z0-9-]+(\\.[a-z0-9-]+)*\\.[a-z]{2,}')`;
