import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { projectDir as defaultProjectDir, repoRoot } from "../config/paths.ts";
import { UserError } from "../core/errors.ts";
import { type CompiledGraph, compiledGraphSchema } from "./graph.ts";

/**
 * Compile a Dataform project by running the PINNED CLI (`@dataform/cli` in this repo's node_modules)
 * as a child process: `compile <dir> --json --vars=...`. The CLI loads the project's own
 * `node_modules/@dataform/core/bundle.js`, so with `@dataform/core` pinned in package.json (and no
 * `dataformCoreVersion` in workflow_settings.yaml) compiling is offline and deterministic.
 * stdout is pure JSON (progress goes to stderr); the graph is validated with zod before anyone uses it.
 */
export interface CompileOptions {
  /** The Dataform project (folder with workflow_settings.yaml). Default: `projectDir()`. */
  projectDir?: string;
  /** Compile-time vars merged over workflow_settings.yaml per key, like `dataform compile --vars`. */
  vars?: Record<string, string>;
}

/** Where the pinned Dataform CLI lives (this repository's node_modules). */
export function dataformCliPath(): string {
  return path.join(repoRoot(), "node_modules", "@dataform", "cli", "bundle.js");
}

/** `k=v,k2=v2` for the CLI; rejects what its parser would split wrongly instead of compiling the wrong thing. */
export function formatVars(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([key, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new UserError(`var name ${JSON.stringify(key)} is not a plain identifier`);
      }
      if (/[,=]/.test(String(value))) {
        throw new UserError(
          `var ${key}=${JSON.stringify(value)} contains "," or "=", which Dataform's --vars cannot carry`,
          {
            hint: `set ${key} in workflow_settings.yaml instead of overriding it`,
          },
        );
      }
      return `${key}=${value}`;
    })
    .join(",");
}

export async function compileProject(options: CompileOptions = {}): Promise<CompiledGraph> {
  const dir = path.resolve(options.projectDir ?? defaultProjectDir());
  if (!existsSync(path.join(dir, "workflow_settings.yaml"))) {
    throw new UserError(`${dir} is not a Dataform project: workflow_settings.yaml is missing`, {
      hint: "run from the repository root or set ENGINE_PROJECT_DIR",
    });
  }
  if (!existsSync(path.join(dir, "node_modules", "@dataform", "core", "bundle.js"))) {
    throw new UserError(`@dataform/core is not installed in ${dir}/node_modules`, {
      hint: "run `npm ci` in the project folder (the Dataform CLI loads the project's own pinned core)",
    });
  }
  const cli = dataformCliPath();
  if (!existsSync(cli)) {
    throw new UserError(`the Dataform CLI is missing at ${cli}`, { hint: "run `npm ci`" });
  }
  const args = [cli, "compile", dir, "--json"];
  // Only vars that differ from the file go on the command line: the CLI reads the file itself, and its
  // --vars syntax cannot carry a comma (so `segments: smb,midsize` must never be passed through it).
  const fromFile = fileVars(dir);
  const vars = Object.fromEntries(
    Object.entries(options.vars ?? {}).filter(([k, v]) => fromFile[k] !== String(v)),
  );
  if (Object.keys(vars).length > 0) args.push(`--vars=${formatVars(vars)}`);

  const { code, stdout, stderr } = await run(process.execPath, args, dir);

  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    // No JSON at all: the CLI failed before compiling (bad workflow_settings.yaml, core mismatch ...).
    throw new UserError(
      `Dataform could not compile ${dir}: ${cliMessage(stderr || stdout) || `exit code ${code}`}`,
      {
        hint: "fix the file named above and compile again (`engine compile`)",
      },
    );
  }
  const checked = compiledGraphSchema.safeParse(parsed);
  if (!checked.success) {
    const issues = checked.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".")}: ${i.message}`)
      .join("; ");
    throw new Error(`the compiled Dataform graph has an unexpected shape (${issues})`);
  }
  const graph = checked.data;
  const errors = graph.graphErrors.compilationErrors;
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `  ${e.fileName ?? "(unknown file)"}: ${firstLine(e.message ?? "error")}`,
    );
    throw new UserError(
      `Dataform compilation failed with ${errors.length} error${errors.length === 1 ? "" : "s"}:\n${lines.join("\n")}`,
      { hint: "fix the SQLX/JS files listed above, then run `engine compile` to check" },
    );
  }
  if (code !== 0) {
    throw new UserError(`Dataform compile exited with code ${code}: ${cliMessage(stderr) || "no message"}`);
  }
  return graph;
}

/** The vars a compile sees: workflow_settings.yaml's, with the overrides on top (as strings). */
export function effectiveVars(dir: string, overrides: Record<string, string>): Record<string, string> {
  const merged = fileVars(dir);
  for (const [key, value] of Object.entries(overrides)) merged[key] = String(value);
  return merged;
}

/** The `vars` of the project's workflow_settings.yaml as strings (empty when unreadable: the CLI will say why). */
function fileVars(dir: string): Record<string, string> {
  try {
    const doc = parseYaml(readFileSync(path.join(dir, "workflow_settings.yaml"), "utf8")) as {
      vars?: unknown;
    };
    const vars = doc?.vars && typeof doc.vars === "object" ? (doc.vars as Record<string, unknown>) : {};
    return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]));
  } catch {
    return {};
  }
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes from the CLI.
const ANSI = /\u001b\[[0-9;]*m/g;

/** The CLI's own message without colours or a stack trace. */
function cliMessage(text: string): string {
  return text
    .replace(ANSI, "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("at ") && !/^Error: /.test(l))
    .slice(0, 3)
    .join(" ")
    .replace(/^Dataform encountered an error: /, "");
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
