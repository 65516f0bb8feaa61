import type { DuckDBConnection } from "@duckdb/node-api";
import type { Settings } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
import { ensureContract } from "../warehouse/duckdb.ts";
import { compileProject } from "./compile.ts";
import type { CompiledGraph } from "./graph.ts";
import { type GraphRunResult, type RunGraphOptions, runGraph } from "./runner.ts";

/**
 * The local transform: compile the project for DuckDB (`dialect=duckdb` over the settings' vars), make
 * sure the warehouse contract exists (raw inputs + ops tables the rules read), then run the graph.
 */
export interface TransformLocalOptions extends RunGraphOptions {
  settings: Settings;
  conn: DuckDBConnection;
  /** Skip compiling and run this graph (it must have been compiled with dialect=duckdb). */
  graph?: CompiledGraph;
}

export interface TransformLocalResult extends GraphRunResult {
  /** Milliseconds spent compiling (0 when a graph was passed in). */
  compileMs: number;
  graph: CompiledGraph;
}

export async function transformLocal(options: TransformLocalOptions): Promise<TransformLocalResult> {
  const { settings, conn, graph: compiled, ...runOptions } = options;
  const t0 = performance.now();
  const graph =
    compiled ??
    (await compileProject({
      projectDir: settings.projectDir,
      vars: { ...settings.rawVars, dialect: "duckdb" },
    }));
  const compileMs = Math.round(performance.now() - t0);
  if (graph.projectConfig.vars.dialect !== "duckdb") {
    throw new UserError(
      `the graph was compiled for dialect ${JSON.stringify(graph.projectConfig.vars.dialect)}; the local warehouse needs duckdb`,
      { hint: "compile with --vars=dialect=duckdb" },
    );
  }
  await ensureContract(conn, settings);
  const result = await runGraph(conn, graph, runOptions);
  return { ...result, compileMs, graph };
}
