import { describe, expect, it } from "vitest";
import { graphToDot } from "../../engine/src/cli/graph-dot.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";

/** `engine compile --dot`: the compiled graph as Graphviz dot. */
describe("compile --dot", () => {
  it("has a node per action and an edge per dependency", async () => {
    const graph = await compiledGraph({ dialect: "duckdb" });
    const dot = graphToDot(graph);
    expect(dot.startsWith("digraph dataform {\n")).toBe(true);
    expect(dot.trimEnd().endsWith("}")).toBe(true);
    for (const t of graph.tables) expect(dot).toContain(`"${t.target.schema}.${t.target.name}" [`);
    expect(dot).toContain('"cold_email_staging.int_push_candidates" -> "cold_email.push_queue";');
    expect(dot).toContain('"cold_email.push_queue" -> "cold_email.lead_status";');
    const edges = dot.split("\n").filter((l) => l.includes(" -> ")).length;
    const deps = [...graph.tables, ...graph.operations, ...graph.assertions].reduce(
      (n, a) => n + a.dependencyTargets.length,
      0,
    );
    expect(edges).toBe(deps);
    expect(graphToDot(graph, { assertions: false })).not.toContain("assertions.");
  });
});
