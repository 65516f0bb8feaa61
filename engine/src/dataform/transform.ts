import type { DuckDBConnection } from "@duckdb/node-api";
import type { Settings } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
import { ensureContract } from "../warehouse/duckdb.ts";
import { type CachedCompile, type CompileCacheStatus, compileCached } from "./compile-cache.ts";
import type { CompiledGraph } from "./graph.ts";
import { createHeartbeat, type HeartbeatOptions } from "./heartbeat.ts";
import { type GraphRunResult, type RunGraphOptions, runGraph } from "./runner.ts";

/**
 * The local transform: compile the project for DuckDB (`dialect=duckdb` over the settings' vars) unless
 * the compile cache holds that exact graph, make sure the warehouse contract exists (raw inputs + ops
 * tables the rules read), then run the graph.
 */
export interface TransformLocalOptions extends RunGraphOptions {
  settings: Settings;
  conn: DuckDBConnection;
  /** Skip compiling and run this graph (it must have been compiled with dialect=duckdb). */
  graph?: CompiledGraph;
  /** false: compile even when the cache holds the graph, and leave the cache alone (`--no-cache`). */
  cache?: boolean;
  /** Called once the graph is there, before any action runs: how it was obtained. */
  onCompiled?: (compile: Omit<CachedCompile, "graph">) => void;
  /** A terminal heartbeat for long actions (only when output is a TTY and not --json). */
  heartbeat?: HeartbeatOptions;
}

export interface TransformLocalResult extends GraphRunResult {
  /** Milliseconds spent compiling or reading the cache (0 when a graph was passed in). */
  compileMs: number;
  /** Where the graph came from: the cache, a compile (miss, or the cache off), or the caller. */
  compileCache: CompileCacheStatus | "given";
  graph: CompiledGraph;
}

export async function transformLocal(options: TransformLocalOptions): Promise<TransformLocalResult> {
  const {
    settings,
    conn,
    graph: given,
    cache,
    onCompiled,
    heartbeat: heartbeatOptions,
    ...runOptions
  } = options;
  const compiled: Omit<CachedCompile, "graph"> & { graph: CompiledGraph } = given
    ? { graph: given, cache: "off", key: "", ms: 0 }
    : await compileCached({
        projectDir: settings.projectDir,
        vars: { ...settings.rawVars, dialect: "duckdb" },
        cache: cache !== false,
      });
  const { graph, ...compileInfo } = compiled;
  if (graph.projectConfig.vars.dialect !== "duckdb") {
    throw new UserError(
      `the graph was compiled for dialect ${JSON.stringify(graph.projectConfig.vars.dialect)}; the local warehouse needs duckdb`,
      { hint: "compile with --vars=dialect=duckdb" },
    );
  }
  if (!given) onCompiled?.(compileInfo);
  await ensureContract(conn, settings);
  const heartbeat = heartbeatOptions ? createHeartbeat(heartbeatOptions) : undefined;
  const onProgress = runOptions.onProgress;
  try {
    const result = await runGraph(conn, graph, {
      ...runOptions,
      ...(heartbeat || onProgress
        ? {
            onProgress: (event) => {
              heartbeat?.onProgress(event);
              onProgress?.(event);
            },
          }
        : {}),
    });
    return { ...result, compileMs: compileInfo.ms, compileCache: given ? "given" : compileInfo.cache, graph };
  } finally {
    heartbeat?.stop();
  }
}
