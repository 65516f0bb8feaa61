import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { compileProject } from "../../engine/src/dataform/compile.ts";
import { runGraph } from "../../engine/src/dataform/runner.ts";
import { openScenario, type Scenario } from "./harness.ts";

/** The Dataform `type: "test"` unit tests in definitions/tests/, run on DuckDB like `dataform test`. */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario();
});
afterAll(() => s?.wh.close());

describe("definitions/tests", () => {
  it("every Dataform unit test passes (classification, cooldown, scoring, capacity), one expected row each", async () => {
    const result = await runGraph(s.conn, s.graph, { runTests: true, actions: ["stg_leads"] });
    const tests = result.actions.filter((a) => a.type === "test");
    expect(tests.map((t) => t.name).sort()).toEqual([
      "test_capacity",
      "test_cooldown",
      "test_cooldown_company_replied",
      "test_cooldown_replied",
      "test_drain_classification",
      "test_drain_company_replied",
      "test_drain_out_of_office",
      "test_drain_stale",
      "test_drain_stuck",
      "test_lead_scores",
      "test_lead_scores_edge",
      "test_lead_scores_missing",
    ]);
    expect(tests.filter((t) => t.status !== "ok").map((t) => `${t.name}: ${t.error}`)).toEqual([]);
  });

  it("a unit test fails when the rule changes (the comparison is real)", async () => {
    const test = s.graph.tests.find((t) => t.name === "test_lead_scores");
    expect(test).toBeDefined();
    if (!test) return;
    const broken = {
      ...s.graph,
      tests: [
        { ...test, expectedOutputQuery: test.expectedOutputQuery.replace("100 as score", "99 as score") },
      ],
    };
    const result = await runGraph(s.conn, broken, { runTests: true, actions: ["stg_leads"] });
    const [only] = result.actions.filter((a) => a.type === "test");
    expect(only?.status).toBe("failed");
    expect(only?.error).toMatch(/score/i);
  });
});

describe("includes/config.js", () => {
  it("a bad var fails the compile with the var's name", async () => {
    await expect(
      compileProject({ projectDir: repoRoot(), vars: { dialect: "duckdb", as_of: "yesterday-ish" } }),
    ).rejects.toThrow(/vars\.as_of/);
  });
});
