import { stripVTControlCharacters } from "node:util";
import { type CommandDef, defineCommand, renderUsage, runCommand, type SubCommandsDef } from "citty";
import { ExitCode, UserError } from "../core/errors.ts";
import { safeMessage } from "../core/redact.ts";
import { explainCloudError } from "./cloud-errors.ts";
import { COMMAND_DESCRIPTIONS, type CommandName, commandMeta } from "./command-list.ts";
import { guardProcessOutput } from "./output-guard.ts";
import { checkArgs } from "./strict-args.ts";

/** Each command's module, loaded only when that command runs or prints its own help. */
const LOADERS = {
  compile: () => import("./compile.ts").then((m) => m.default),
  transform: () => import("./transform.ts").then((m) => m.default),
  seed: () => import("./seed.ts").then((m) => m.default),
  load: () => import("./load.ts").then((m) => m.default),
  sandbox: () => import("./sandbox.ts").then((m) => m.default),
  demo: () => import("./demo.ts").then((m) => m.default),
  pull: () => import("./pull.ts").then((m) => m.default),
  plan: () => import("./plan.ts").then((m) => m.default),
  apply: () => import("./apply.ts").then((m) => m.default),
  run: () => import("./run.ts").then((m) => m.default),
  status: () => import("./status.ts").then((m) => m.default),
  runs: () => import("./runs.ts").then((m) => m.default),
  show: () => import("./show.ts").then((m) => m.default),
  handoffs: () => import("./handoffs.ts").then((m) => m.default),
  explain: () => import("./explain.ts").then((m) => m.default),
  report: () => import("./report.ts").then((m) => m.default),
  "looker-url": () => import("./looker-url.ts").then((m) => m.default),
} satisfies Record<CommandName, SubCommandsDef[string]>;

const META = {
  name: "engine",
  version: "0.1.0",
  description:
    "Cold-email pipeline engine: keeps Instantly campaigns fed from the warehouse, by the rules in definitions/.",
};

/** The `engine` command. Each sub-command is one file in this folder (the list: command-list.ts). */
export const main = defineCommand({ meta: META, subCommands: LOADERS });

/**
 * `engine --help` from the command list alone: citty's usage resolves every sub-command to read its
 * description, which would load all of them (DuckDB's native module, Dataform, zod) to print a page.
 */
const mainHelp = defineCommand({
  meta: META,
  subCommands: Object.fromEntries(
    (Object.keys(COMMAND_DESCRIPTIONS) as CommandName[]).map((name) => [name, { meta: commandMeta(name) }]),
  ),
});

/** The (sub)command a raw argv addresses, the argv after its name and its path (`engine load leads`). */
interface Resolved {
  leaf: CommandDef;
  parent?: CommandDef;
  rest: string[];
  path: string;
}

async function resolveCommand(cmd: CommandDef, rawArgs: string[], path = "engine"): Promise<Resolved> {
  const subs = typeof cmd.subCommands === "function" ? await cmd.subCommands() : await cmd.subCommands;
  const name = rawArgs.find((a) => !a.startsWith("-"));
  if (!subs || !name || !(name in subs)) return { leaf: cmd, rest: rawArgs, path };
  const entry = subs[name];
  const sub = (typeof entry === "function" ? await entry() : await entry) as CommandDef;
  const inner = await resolveCommand(sub, rawArgs.slice(rawArgs.indexOf(name) + 1), `${path} ${name}`);
  return { ...inner, parent: inner.parent ?? cmd };
}

export async function runCli(rawArgs: string[]): Promise<void> {
  guardProcessOutput();
  try {
    if (rawArgs.length === 0 || rawArgs.includes("--help") || rawArgs.includes("-h")) {
      const { leaf, parent } = await resolveCommand(main, rawArgs);
      const usage = await renderUsage(leaf === main ? mainHelp : leaf, parent);
      console.log(`${colourWanted() ? usage : stripVTControlCharacters(usage)}\n`);
      return;
    }
    if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v")) {
      console.log("0.1.0");
      return;
    }
    const resolved = await resolveCommand(main, rawArgs);
    // A command with sub-commands (engine, engine load) gets no flags of its own: citty says "unknown command".
    if (!resolved.leaf.subCommands) await checkArgs(resolved.leaf, resolved.rest, resolved.path);
    await runCommand(main, { rawArgs });
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

/** Colours only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function colourWanted(
  env: NodeJS.ProcessEnv = process.env,
  isTTY: boolean = process.stdout.isTTY === true,
): boolean {
  return isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === "");
}

/** Print an error for a person and return the exit code. Stack traces only with ENGINE_DEBUG=1. */
export function reportError(raw: unknown): number {
  const error = explainCloudError(raw) ?? raw;
  if (error instanceof UserError) {
    console.error(`error: ${error.message}`);
    if (error.hint) console.error(`  hint: ${error.hint}`);
    if (process.env.ENGINE_DEBUG && error.cause) console.error(error.cause);
    return error.exitCode;
  }
  const e = error as { name?: string; code?: string; message?: string };
  if (e?.name === "CLIError") {
    // citty: unknown command or a missing required argument.
    console.error(`error: ${e.message}`);
    console.error("  hint: run `engine --help` (or `engine <command> --help`)");
    return ExitCode.usage;
  }
  // An unexpected error may quote a request or a row: no email or secret reaches the terminal or CI log.
  console.error(`error: ${safeMessage(e?.message ?? String(error), 4000)}`);
  if (process.env.ENGINE_DEBUG) console.error(error);
  else console.error("  (set ENGINE_DEBUG=1 for the stack trace)");
  return ExitCode.failed;
}
