import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { COMMAND_DESCRIPTIONS } from "../../engine/src/cli/command-list.ts";
import { repoRoot } from "../../engine/src/config/paths.ts";

/**
 * `engine --help` is the first thing a person runs: it must print every command without loading any
 * command's module (DuckDB's native binding, Dataform, zod). A module-resolution hook records every
 * module the process resolves; the bench (`BENCH_CLI_HELP_ONLY=1 npm run bench -- cli`) has the time.
 */
const BIN = path.join(repoRoot(), "engine/bin/engine.js");
const HOOK = `data:text/javascript,${encodeURIComponent(`
  import { register } from "node:module";
  register("data:text/javascript,${encodeURIComponent(
    "export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('resolved ' + r.url + '\\n'); return r; }",
  )}");
`)}`;

async function resolvedBy(args: string[]): Promise<{ stdout: string; modules: string[] }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", HOOK, BIN, ...args], {
    cwd: repoRoot(),
    env: { ...process.env, NO_COLOR: "1" },
  });
  const modules = stderr
    .split("\n")
    .filter((l) => l.startsWith("resolved "))
    .map((l) => l.slice("resolved ".length));
  return { stdout, modules };
}

describe("engine --help", () => {
  it("lists every command with its description and loads no command module", async () => {
    const { stdout, modules } = await resolvedBy(["--help"]);
    for (const [name, description] of Object.entries(COMMAND_DESCRIPTIONS)) {
      expect(stdout).toMatch(
        new RegExp(`^\\s+${name}\\s+${description.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"),
      );
    }
    expect(modules.some((m) => m.includes("/cli/main."))).toBe(true);
    const heavy = modules.filter((m) =>
      /duckdb|@dataform|\/zod\/|\/cli\/(?!main\.|command-list\.|strict-args\.|output-guard\.|cloud-errors\.)/.test(
        m,
      ),
    );
    expect(heavy).toEqual([]);
  }, 60_000);

  it("the hook is a real check: a command's own help loads that command's module", async () => {
    const { stdout, modules } = await resolvedBy(["compile", "--help"]);
    expect(stdout).toMatch(/USAGE engine compile/);
    expect(modules.some((m) => /\/cli\/compile\./.test(m))).toBe(true);
  }, 60_000);
});
