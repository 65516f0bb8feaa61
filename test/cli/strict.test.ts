import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ArgsDef, CommandDef } from "citty";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main, runCli } from "../../engine/src/cli/main.ts";
import { repoRoot } from "../../engine/src/config/paths.ts";

/**
 * Every command refuses an unknown flag, a stray argument and an unknown var before it touches
 * anything: exit 2, the closest known name, and the warehouse folder still empty (no DuckDB file, no
 * lock file). Run in-process through the CLI entry point, the same code `engine` runs.
 */
let dir: string;
const saved = { ...process.env };
let errors: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "engine-strict-"));
  process.env.ENGINE_WAREHOUSE = path.join(dir, "wh.duckdb");
  process.env.INSTANTLY_API_KEY = "unused";
  process.env.INSTANTLY_BASE_URL = "http://127.0.0.1:9/api/v2";
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...parts: unknown[]) => {
    errors.push(parts.join(" "));
  });
  process.exitCode = undefined;
  await runCli(args);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, stderr: errors.join("\n") };
}

/** Every leaf command as [argv prefix, its args], e.g. [["load", "leads", "x.csv"], {...}]. */
async function leafCommands(): Promise<Array<{ argv: string[]; args: ArgsDef }>> {
  const out: Array<{ argv: string[]; args: ArgsDef }> = [];
  const walk = async (cmd: CommandDef, argv: string[]) => {
    const subs = (await (typeof cmd.subCommands === "function" ? cmd.subCommands() : cmd.subCommands)) ?? {};
    if (Object.keys(subs).length > 0) {
      for (const [name, entry] of Object.entries(subs)) {
        const sub = (await (typeof entry === "function" ? entry() : entry)) as CommandDef;
        await walk(sub, [...argv, name]);
      }
      return;
    }
    const args = ((await (typeof cmd.args === "function" ? cmd.args() : cmd.args)) ?? {}) as ArgsDef;
    const positionals = Object.values(args)
      .filter((a) => a.type === "positional")
      .map(() => "x");
    out.push({ argv: [...argv, ...positionals], args });
  };
  await walk(main, []);
  return out;
}

describe("strict CLI", () => {
  it("every command refuses an unknown flag and a stray argument before anything is touched", async () => {
    const leaves = await leafCommands();
    expect(leaves.map((l) => l.argv[0])).toEqual(
      expect.arrayContaining([
        "apply",
        "plan",
        "pull",
        "run",
        "status",
        "runs",
        "show",
        "explain",
        "compile",
        "transform",
        "load",
        "seed",
        "sandbox",
        "demo",
      ]),
    );
    for (const { argv } of leaves) {
      const flag = await cli([...argv, "--no-such-flag"]);
      expect(flag.code, argv.join(" ")).toBe(2);
      expect(flag.stderr).toMatch(
        new RegExp(`engine ${argv.filter((a) => a !== "x").join(" ")}: unknown flag --no-such-flag`),
      );
      const stray = await cli([...argv, "stray", "stray2"]);
      expect(stray.code, argv.join(" ")).toBe(2);
      expect(stray.stderr).toMatch(/unexpected argument "stray/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("suggests the closest flag for the misspellings users make", async () => {
    const cases: Array<[string[], string]> = [
      [["apply", "--dryrun"], "--dry-run"],
      [["apply", "--dry_run"], "--dry-run"],
      [["run", "--dryrun"], "--dry-run"],
      [["transform", "--tag", "staging"], "--tags"],
      [["transform", "--full_refresh"], "--full-refresh"],
      [["status", "--jsn"], "--json"],
      [["compile", "--dott"], "--dot"],
      [["plan", "--ouy", "x"], "--out"],
    ];
    for (const [argv, suggestion] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).toContain(`did you mean ${suggestion}?`);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("every command that takes --vars refuses an unknown var with the closest name, before anything is touched", async () => {
    const leaves = (await leafCommands()).filter((l) => "vars" in l.args);
    expect(leaves.length).toBeGreaterThanOrEqual(13);
    for (const { argv, args } of leaves) {
      const extra =
        "warehouse" in args && argv[0] === "demo" ? ["--warehouse", path.join(dir, "demo.duckdb")] : [];
      const r = await cli([...argv, ...extra, "--vars", "inventroy_cap=5000"]);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).toContain(
        "vars.inventroy_cap is not a known var (from --vars); did you mean inventory_cap?",
      );
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a bad value in workflow_settings.yaml stops apply with its name and value, before anything is touched", async () => {
    const project = mkdtempSync(path.join(tmpdir(), "engine-strict-project-"));
    const yaml = readFileSync(path.join(repoRoot(), "workflow_settings.yaml"), "utf8");
    writeFileSync(
      path.join(project, "workflow_settings.yaml"),
      yaml
        .replace('allow_catch_all: "false"', 'allow_catch_all: "maybe"')
        .replace('bounce_min_contacted: "20"', 'bounce_min_contacted: "twenty"')
        .replace('# alert_capacity_warn_pct: "80"', 'alert_capacity_warn_pct: "lots"'),
    );
    process.env.ENGINE_PROJECT_DIR = project;
    try {
      for (const argv of [["apply"], ["apply", "--dry-run"], ["run"], ["pull"]]) {
        const r = await cli(argv);
        expect(r.code, argv.join(" ")).toBe(2);
        expect(r.stderr).toContain(
          'vars.allow_catch_all must be "true" or "false", got "maybe" (from workflow_settings.yaml)',
        );
        expect(r.stderr).toContain('vars.bounce_min_contacted must be a whole number >= 0, got "twenty"');
        expect(r.stderr).toMatch(/vars\.alert_capacity_warn_pct .*"lots"/);
      }
    } finally {
      delete process.env.ENGINE_PROJECT_DIR;
      rmSync(project, { recursive: true, force: true });
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("accepts the known flags (--no-<flag> for booleans, --flag=value)", async () => {
    // These get past the flag check to the next check, so the flags themselves were accepted.
    const apply = await cli(["apply", "--dry-run", "--only=push", "--force", "--vars", "inventroy_cap=1"]);
    expect(apply.stderr).toMatch(/vars\.inventroy_cap is not a known var/);
    const sandbox = await cli([
      "sandbox",
      "--no-rate-limit",
      "--port",
      "0",
      "--seed",
      "s",
      "--json",
      "--faults",
      "{bad",
    ]);
    expect(sandbox.stderr).toMatch(/--faults must be a JSON object/);
  });
});
