import { defineCommand } from "citty";
import { UserError } from "../core/errors.ts";
import type { CompiledGraph } from "../dataform/graph.ts";
import { countActions } from "../dataform/graph-info.ts";
// Heavy modules load in run(): `engine --help` reads every command's meta, so top-level imports stay light.

/**
 * `engine compile`: compile the Dataform project with the pinned CLI, offline. The JSON form is the
 * compiled graph itself (what `dataform compile --json` prints, validated); the human form is a summary.
 */
export default defineCommand({
  meta: {
    name: "compile",
    description:
      "Compile the Dataform project (definitions/, includes/) offline and summarise the graph; --json prints the compiled graph.",
  },
  args: {
    dialect: {
      type: "string",
      description: "SQL dialect the includes/sql.js helpers emit: bigquery (production) or duckdb (local)",
      default: "bigquery",
    },
    vars: {
      type: "string",
      description: "Override workflow_settings.yaml vars, e.g. --vars cooldown_days=30,inventory_cap=5000",
    },
    json: { type: "boolean", description: "Print the compiled graph as JSON (for scripts)", default: false },
  },
  async run({ args }) {
    const [{ loadSettings, parseVarsOverride }, { compileProject }] = await Promise.all([
      import("../config/settings.ts"),
      import("../dataform/compile.ts"),
    ]);
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
