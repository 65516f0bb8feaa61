import type { CompiledGraph } from "../dataform/graph.ts";

/**
 * Simulated days without recompiling the rules every day. Every rule reads "now" through
 * includes/config.js `now()`, which renders a pinned `as_of` var as one SQL timestamp literal
 * (`YYYY-MM-DD HH:MM:SS.sssZ` → `'YYYY-MM-DD HH:MM:SS.sss+00'`). The demo and the e2e tests compile
 * once with a sentinel `as_of` and swap the literal for each simulated day's time, which is what
 * compiling with `--vars as_of=<day>` would produce, minus ~6 s of Dataform CLI per day.
 */
export const AS_OF_SENTINEL = "2000-01-01T00:00:00.000Z";

/** How includes/config.js renders an as_of value inside the SQL. */
export function asOfLiteral(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`not a timestamp: ${JSON.stringify(iso)}`);
  return `${date.toISOString().replace("T", " ").replace("Z", "")}+00`;
}

/** A copy of `graph` (compiled with as_of = AS_OF_SENTINEL) whose "now" is `asOf`. */
export function pinAsOf(graph: CompiledGraph, asOf: string): CompiledGraph {
  const text = JSON.stringify(graph);
  const sentinel = asOfLiteral(AS_OF_SENTINEL);
  if (!text.includes(sentinel)) {
    throw new Error("the graph was not compiled with the as_of sentinel (vars.as_of = AS_OF_SENTINEL)");
  }
  return JSON.parse(
    text.split(sentinel).join(asOfLiteral(asOf)).split(AS_OF_SENTINEL).join(new Date(asOf).toISOString()),
  ) as CompiledGraph;
}
