import { describe, expect, it } from "vitest";
import { compiledGraphSchema } from "../../engine/src/dataform/graph.ts";
import { layoutLineage, lineageFromGraph, renderLineageSvg } from "../../engine/src/report/lineage.ts";

/** A small compiled graph in the shape `dataform compile --json` prints (proto3 JSON). */
const graph = compiledGraphSchema.parse({
  declarations: [
    { target: { schema: "raw", name: "leads" }, fileName: "definitions/sources/declarations.js" },
    { target: { schema: "ops", name: "sync_runs" }, fileName: "definitions/sources/declarations.js" },
  ],
  tables: [
    {
      type: "table",
      target: { schema: "stg", name: "stg_leads" },
      fileName: "definitions/staging/stg_leads.sqlx",
      dependencyTargets: [{ schema: "raw", name: "leads" }],
    },
    {
      type: "view",
      target: { schema: "stg", name: "stg_sync_runs" },
      fileName: "definitions/staging/stg_sync_runs.sqlx",
      dependencyTargets: [{ schema: "ops", name: "sync_runs" }],
    },
    {
      type: "table",
      target: { schema: "stg", name: "int_scores" },
      fileName: "definitions/intermediate/int_scores.sqlx",
      dependencyTargets: [{ schema: "stg", name: "stg_leads" }],
    },
    {
      type: "table",
      target: { schema: "stg", name: "int_eligibility" },
      fileName: "definitions/intermediate/int_eligibility.sqlx",
      dependencyTargets: [
        { schema: "stg", name: "int_scores" },
        { schema: "stg", name: "stg_leads" },
      ],
    },
    {
      type: "table",
      target: { schema: "out", name: "push_queue" },
      fileName: "definitions/outputs/push_queue.sqlx",
      dependencyTargets: [{ schema: "stg", name: "int_eligibility" }],
    },
    {
      type: "view",
      target: { schema: "rpt", name: "rpt_sync_runs" },
      fileName: "definitions/reporting/rpt_sync_runs.sqlx",
      dependencyTargets: [{ schema: "stg", name: "stg_sync_runs" }],
    },
  ],
  assertions: [
    {
      target: { schema: "asrt", name: "assert_x" },
      fileName: "definitions/assertions/assert_x.sqlx",
      query: "select 1",
      dependencyTargets: [{ schema: "out", name: "push_queue" }],
    },
  ],
});

describe("lineage picture from the compiled graph", () => {
  const lineage = lineageFromGraph(graph);

  it("takes every source, model and report by the folder of its file, and leaves assertions out", () => {
    const layer = Object.fromEntries(lineage.nodes.map((n) => [n.name, n.layer]));
    expect(layer).toEqual({
      leads: "sources",
      sync_runs: "sources",
      stg_leads: "staging",
      stg_sync_runs: "staging",
      int_scores: "intermediate",
      int_eligibility: "intermediate",
      push_queue: "outputs",
      rpt_sync_runs: "reporting",
    });
    expect(lineage.edges).toHaveLength(7);
  });

  it("lays layers out left to right, a model below the model it reads, outputs above reporting, no overlap", () => {
    const { placed } = layoutLineage(lineage);
    const at = (name: string) => {
      const p = [...placed.values()].find((n) => n.name === name);
      if (!p) throw new Error(`${name} not placed`);
      return p;
    };
    expect(at("leads").x).toBeLessThan(at("stg_leads").x);
    expect(at("stg_leads").x).toBeLessThan(at("int_scores").x);
    expect(at("int_scores").x).toBeLessThan(at("push_queue").x);
    expect(at("push_queue").x).toBe(at("rpt_sync_runs").x);
    expect(at("push_queue").y).toBeLessThan(at("rpt_sync_runs").y);
    expect(at("int_scores").x).toBe(at("int_eligibility").x);
    expect(at("int_scores").y).toBeLessThan(at("int_eligibility").y);
    const spots = [...placed.values()].map((p) => `${p.x},${p.y}`);
    expect(new Set(spots).size).toBe(spots.length);
  });

  it("renders an SVG with a box per node and a path per edge", () => {
    const svg = renderLineageSvg(lineage);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<g class="node"/g)).toHaveLength(8);
    expect(svg.match(/<path class="edge"/g)).toHaveLength(7);
    expect(svg).toContain(">int_eligibility</text>");
    expect(svg).not.toContain("assert_x");
  });
});
