import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { type Capture, captureExecutionGraph, existingTables, renderGraph } from "./capture.ts";

/**
 * Golden snapshots of the statements `dataform run` sends to BigQuery for this project, for a fresh
 * project (no table exists) and for an incremental run (every table exists). A change in definitions/
 * or includes/ that changes production SQL shows up here as a readable diff.
 *
 * Refresh after an intended change:  UPDATE_GOLDEN=1 npx vitest run test/execution-graph
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const update = process.env.UPDATE_GOLDEN === "1";
const refreshHint =
  "If the change is intended, refresh with: UPDATE_GOLDEN=1 npx vitest run test/execution-graph";

function compareGolden(file: string, actual: string): void {
  const goldenPath = path.join(here, file);
  if (update) {
    writeFileSync(goldenPath, actual);
    return;
  }
  if (!existsSync(goldenPath)) throw new Error(`test/execution-graph/${file} is missing. ${refreshHint}`);
  const expected = readFileSync(goldenPath, "utf8");
  expect(actual, `the execution graph differs from test/execution-graph/${file}. ${refreshHint}`).toBe(
    expected,
  );
}

let fresh: Capture;
let incremental: Capture;

beforeAll(async () => {
  fresh = await captureExecutionGraph();
  // The same project with every dataset action already in the warehouse: views and tables keep
  // their `create or replace`, incremental tables switch to MERGE / INSERT with the live columns.
  incremental = await captureExecutionGraph(existingTables(fresh.graph));
}, 120_000);

describe("dataform run execution graph (BigQuery)", () => {
  it("sends no query job in --dry-run --json mode and asks the warehouse for table state", () => {
    expect(fresh.queries).toEqual([]);
    expect(incremental.queries).toEqual([]);
    expect(fresh.tableGets).toBeGreaterThan(0);
  });

  it("builds every dataset action with create-or-replace statements on a fresh project", () => {
    const datasets = fresh.graph.actions.filter((a) => a.type === "table");
    expect(datasets.length).toBeGreaterThan(0);
    for (const a of datasets) {
      const statements = (a.tasks ?? []).map((t) => t.statement).join("\n");
      expect(statements, `${a.target.name}`).toMatch(/create or replace (table|view)/i);
    }
  });

  it("matches the fresh-project golden snapshot", () => {
    compareGolden(
      "fresh.sql",
      renderGraph(fresh.graph, "dataform run on a fresh project (no table exists yet)"),
    );
  });

  it("matches the incremental-run golden snapshot", () => {
    const incrementals = incremental.graph.actions.filter((a) => a.tableType === "incremental");
    const title =
      incrementals.length > 0
        ? `dataform run on an existing project (${incrementals.length} incremental tables: MERGE/INSERT)`
        : "dataform run on an existing project (definitions/ has no incremental table yet: same as fresh)";
    for (const a of incrementals) {
      const statements = (a.tasks ?? []).map((t) => t.statement).join("\n");
      expect(statements, `${a.target.name}`).toMatch(/\b(merge|insert into)\b/i);
    }
    compareGolden("incremental.sql", renderGraph(incremental.graph, title));
  });
});
