import type { DuckDBConnection } from "@duckdb/node-api";
import type { Settings } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
import { ensureContract } from "../warehouse/duckdb.ts";
import { compileProject } from "./compile.ts";
import type { CompiledGraph } from "./graph.ts";
import { type GraphRunResult, type ProgressEvent, runGraph } from "./runner.ts";

/**
 * The local transform: compile the project for DuckDB (`dialect=duckdb` over the settings' vars), make
 * sure the warehouse contract exists (raw inputs + ops tables the rules read), then run the graph.
 */
export interface TransformLocalOptions {
  settings: Settings;
  conn: DuckDBConnection;
  tags?: string[];
  actions?: string[];
  includeDependencies?: boolean;
  fullRefresh?: boolean;
  runTests?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** Skip compiling and run this graph (it must have been compiled with dialect=duckdb). */
  graph?: CompiledGraph;
}

export interface TransformLocalResult extends GraphRunResult {
  /** Milliseconds spent compiling (0 when a graph was passed in). */
  compileMs: number;
  graph: CompiledGraph;
}

export async function transformLocal(options: TransformLocalOptions): Promise<TransformLocalResult> {
  const { settings, conn } = options;
  const t0 = performance.now();
  const graph =
    options.graph ??
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
  const result = await runGraph(conn, graph, {
    tags: options.tags,
    actions: options.actions,
    includeDependencies: options.includeDependencies,
    fullRefresh: options.fullRefresh,
    runTests: options.runTests,
    onProgress: options.onProgress,
  });
  return { ...result, compileMs, graph };
}
