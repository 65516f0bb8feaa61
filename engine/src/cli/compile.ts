import { defineCommand } from "citty";
import { loadSettings, parseVarsOverride } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
import { compileProject } from "../dataform/compile.ts";
import { type CompiledGraph, countActions } from "../dataform/graph.ts";
import { jsonArg, varsArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";
import { graphToDot } from "./graph-dot.ts";

/**
 * `engine compile`: compile the Dataform project with the pinned CLI, offline. The JSON form is the
 * compiled graph itself (what `dataform compile --json` prints, validated); the human form is a summary.
 */
export default defineCommand({
  meta: commandMeta("compile"),
  args: {
    dialect: {
      type: "string",
      description: "SQL dialect the includes/sql.js helpers emit: bigquery (production) or duckdb (local)",
      default: "bigquery",
    },
    ...varsArg,
    ...jsonArg("Print the compiled graph as JSON (for scripts)"),
    dot: {
      type: "boolean",
      description: "Print the dependency graph as Graphviz dot: engine compile --dot | dot -Tsvg > graph.svg",
      default: false,
    },
  },
  async run({ args }) {
    const dialect = String(args.dialect);
    if (dialect !== "bigquery" && dialect !== "duckdb") {
      throw new UserError(`--dialect must be bigquery or duckdb, got ${JSON.stringify(dialect)}`);
    }
    const overrides = { ...parseVarsOverride(args.vars), dialect };
    // Validate the vars the engine relies on before Dataform sees them (clear errors, named vars).
    const settings = loadSettings({ overrides });
    const graph = await compileProject({ projectDir: settings.projectDir, vars: settings.rawVars });
    if (args.json) {
      process.stdout.write(`${JSON.stringify(graph, null, 2)}\n`);
      return;
    }
    if (args.dot) {
      process.stdout.write(graphToDot(graph));
      return;
    }
    console.log(summariseGraph(graph, dialect));
  },
});

/** "Compiled N actions" plus counts by type and by folder under definitions/. */
export function summariseGraph(graph: CompiledGraph, dialect: string): string {
  const counts = countActions(graph);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const lines = [
    `Compiled ${total} actions (dialect ${dialect}, Dataform core ${graph.dataformCoreVersion ?? "?"})`,
  ];
  lines.push("  by type:");
  for (const [type, n] of Object.entries(counts)) if (n > 0) lines.push(`    ${type.padEnd(12)} ${n}`);
  const folders = new Map<string, number>();
  const files = [
    ...graph.tables.map((a) => a.fileName),
    ...graph.operations.map((a) => a.fileName),
    ...graph.assertions.map((a) => a.fileName),
    ...graph.declarations.map((a) => a.fileName),
    ...graph.tests.map((a) => a.fileName),
  ];
  for (const file of files) {
    const folder = (file ?? "(generated)").split("/").slice(0, -1).join("/") || "(root)";
    folders.set(folder, (folders.get(folder) ?? 0) + 1);
  }
  lines.push("  by folder:");
  for (const [folder, n] of [...folders].sort()) lines.push(`    ${folder.padEnd(28)} ${n}`);
  const disabled = graph.tables.filter((t) => t.disabled).length;
  if (disabled > 0) lines.push(`  (${disabled} disabled)`);
  return lines.join("\n");
}
