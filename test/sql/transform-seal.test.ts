import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";

/**
 * transform_seal is written only after every assertion passed (definitions/outputs/
 * transform_seal.sqlx): every hand-written assertion is one of its dependencies, and so is every
 * built-in assertion of the action tables (dependOnDependencyAssertions).
 */
describe("transform_seal", () => {
  it("depends on every assertion of definitions/assertions and on the action tables' own assertions", async () => {
    const graph = await compiledGraph({ dialect: "duckdb" });
    const seal = graph.tables.find((t) => t.target.name === "transform_seal");
    expect(seal).toBeDefined();
    const deps = new Set((seal?.dependencyTargets ?? []).map((t) => t.name));
    const files = readdirSync(path.join(repoRoot(), "definitions", "assertions"))
      .filter((f) => f.endsWith(".sqlx"))
      .map((f) => f.replace(/\.sqlx$/, ""));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !deps.has(f))).toEqual([]);
    for (const table of ["push_budget", "push_queue", "drain_queue", "block_queue"]) {
      expect(deps.has(table), table).toBe(true);
      const builtIn = graph.assertions.filter((a) => a.target.name.includes(`${table}_assertions`));
      expect(builtIn.length, table).toBeGreaterThan(0);
      expect(builtIn.filter((a) => !deps.has(a.target.name)).map((a) => a.target.name)).toEqual([]);
    }
  }, 120_000);
});
