import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { captureExecutionGraph, existingTables } from "../execution-graph/capture.ts";

/**
 * On BigQuery, `dataform run --full-refresh` (what `engine transform --full-refresh` runs there) keeps
 * the protected suppression history: its statement stays a MERGE into the existing table, while an
 * unprotected incremental is rebuilt with create-or-replace. The DuckDB runner does the same
 * (test/sql/suppression-survives.test.ts).
 */

describe("protected suppression history on BigQuery", () => {
  it("a full refresh merges into int_suppression_history and rebuilds the other incrementals", async () => {
    const fresh = await captureExecutionGraph();
    const refresh = await captureExecutionGraph(existingTables(fresh.graph), repoRoot(), ["--full-refresh"]);
    const statements = (name: string) =>
      (refresh.graph.actions.find((a) => a.target.name === name)?.tasks ?? [])
        .map((t) => t.statement)
        .join("\n");
    expect(statements("int_suppression_history")).toMatch(/^merge `[^`]+\.int_suppression_history`/im);
    expect(statements("int_suppression_history")).not.toMatch(/create or replace table/i);
    expect(statements("stg_sync_action_state")).toMatch(/create or replace table/i);
    expect(refresh.queries).toEqual([]);
  }, 240_000);
});
