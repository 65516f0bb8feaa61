import type { ArgsDef, CommandDef } from "citty";
import { closest } from "../config/did-you-mean.ts";
import { UserError } from "../core/errors.ts";

/**
 * Refuse what a command does not understand before it runs: an unknown flag (`--dryrun`, `--tag`,
 * `--jsn`) or a stray positional argument would otherwise be ignored by citty and the command would
 * do its full job, e.g. `apply --dryrun` writing to Instantly. Runs on the resolved leaf command and
 * the argv after its name; throws a UserError (exit 2) with the closest known flag.
 */
export async function checkArgs(
  cmd: CommandDef,
  argv: readonly string[],
  commandPath: string,
): Promise<void> {
  const defs = ((typeof cmd.args === "function" ? await cmd.args() : await cmd.args) ?? {}) as ArgsDef;
  const flags = new Map<string, "boolean" | "string">();
  let positionals = 0;
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") {
      positionals++;
      continue;
    }
    const type = def.type === "boolean" ? "boolean" : "string";
    const alias = (def as { alias?: string | string[] }).alias;
    const aliases = alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
    for (const n of [name, camel(name), ...aliases]) flags.set(n, type);
    if (type === "boolean") flags.set(`no-${name}`, "boolean");
  }
  const shown = [...flags.keys()].filter((f) => !f.startsWith("no-") && !/[A-Z]/.test(f));
  let seenPositionals = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") {
      seenPositionals++;
      if (seenPositionals > positionals) {
        throw new UserError(`${commandPath}: unexpected argument ${JSON.stringify(arg)}`, {
          hint: `run \`${commandPath} --help\` for what it takes`,
        });
      }
      continue;
    }
    const name = arg.replace(/^--?/, "").split("=")[0] as string;
    const type = flags.get(name);
    if (type === undefined) {
      const near = closest(name, shown);
      throw new UserError(
        `${commandPath}: unknown flag ${arg.split("=")[0]}${near ? `; did you mean --${near}?` : ""}`,
        { hint: `nothing was done; run \`${commandPath} --help\` for its flags` },
      );
    }
    if (type === "string" && !arg.includes("=")) i++;
  }
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
