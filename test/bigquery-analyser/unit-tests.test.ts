import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UnitTest } from "../../engine/src/dataform/graph.ts";
import { runGraph } from "../../engine/src/dataform/runner.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";
import { openScenario, type Scenario } from "../sql/harness.ts";
import { languageOptions, startZetaSql, type ZetaResponse, type ZetaSql } from "./zetasql.ts";

/**
 * The Dataform unit tests in definitions/tests/ pass the way `dataform test` runs them on BigQuery:
 * var `as_of` EMPTY (so "now" is each query's own CURRENT_TIMESTAMP()), the model's query and the
 * expected rows as two separate queries, rows compared IN ORDER (the CLI's `runTest`). ZetaSQL's
 * reference engine (EvaluateQuery) runs the BigQuery SQL; DuckDB runs the local dialect.
 */

const started = await startZetaSql();
const skipReason = "skip" in started ? started.skip : undefined;
if (skipReason) console.warn(`skipping the ZetaSQL reference-engine unit tests: ${skipReason}`);
const zeta = "skip" in started ? undefined : (started as ZetaSql);
afterAll(() => zeta?.stop());

type Row = Record<string, string | null>;

/** A ZetaSQL ValueProto as the text the CLI would compare (null stays null). */
function valueText(cell: Record<string, unknown>): string | null {
  const kind = cell.value as string | undefined;
  if (!kind) return null;
  const v = cell[kind];
  if (kind === "timestamp_value") {
    const t = v as { seconds?: string; nanos?: number };
    return new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

async function evaluate(z: ZetaSql, sql: string): Promise<Row[]> {
  const response: ZetaResponse = await z.call("evaluateQuery", {
    sql,
    options: { language_options: languageOptions, default_timezone: "UTC" },
    simple_catalog: { name: "", builtin_function_options: { language_options: languageOptions } },
  });
  const columns = (response.prepared?.columns ?? []).map((c) => c.name.toLowerCase());
  return (response.content?.table_data?.row ?? []).map((row) =>
    Object.fromEntries(columns.map((c, i) => [c, valueText(row.cell?.[i] ?? {})])),
  );
}

/** The CLI's comparison (@dataform/cli `runTest`): row count, column names, then each row in order. */
function compareInOrder(actual: Row[], expected: Row[]): string[] {
  if (actual.length !== expected.length)
    return [`Expected ${expected.length} rows, but saw ${actual.length} rows.`];
  if (actual.length === 0) return [];
  const columns = Object.keys(actual[0] as Row).sort();
  const expectedColumns = Object.keys(expected[0] as Row).sort();
  if (columns.join() !== expectedColumns.join())
    return [`Expected columns ${expectedColumns}, saw ${columns}.`];
  const messages: string[] = [];
  actual.forEach((row, i) => {
    for (const c of columns) {
      if (row[c] !== (expected[i] as Row)[c]) {
        messages.push(`row ${i} column ${c}: expected ${(expected[i] as Row)[c]}, saw ${row[c]}`);
      }
    }
  });
  return messages;
}

describe.skipIf(skipReason !== undefined)(
  "definitions/tests on ZetaSQL's reference engine (BigQuery SQL)",
  () => {
    let tests: UnitTest[];
    beforeAll(async () => {
      tests = (await compiledGraph({ dialect: "bigquery", as_of: "" })).tests;
    }, 120_000);

    it("every unit test passes with as_of empty, rows compared in order", async () => {
      expect(tests.length).toBeGreaterThanOrEqual(4);
      const failures: string[] = [];
      for (const t of tests) {
        try {
          const z = zeta as ZetaSql;
          const [actual, expected] = [
            await evaluate(z, t.testQuery),
            await evaluate(z, t.expectedOutputQuery),
          ];
          for (const m of compareInOrder(actual, expected)) failures.push(`${t.name}: ${m}`);
        } catch (error) {
          failures.push(`${t.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it("every unit test expects at most one row, so its row order is pinned without an ORDER BY", async () => {
      for (const t of tests) {
        expect((await evaluate(zeta as ZetaSql, t.expectedOutputQuery)).length, t.name).toBeLessThanOrEqual(
          1,
        );
      }
    });

    it("no expected output reads the clock (it runs as its own query)", () => {
      for (const t of tests)
        expect(t.expectedOutputQuery, t.name).not.toMatch(/current_(timestamp|date|datetime)/i);
    });

    it("the comparison is real: a changed expected value fails", async () => {
      const t = tests.find((x) => x.name === "test_cooldown");
      expect(t).toBeDefined();
      const z = zeta as ZetaSql;
      const broken = t?.expectedOutputQuery.replace("'completed' as reason", "'replied' as reason") ?? "";
      expect(broken).not.toBe(t?.expectedOutputQuery);
      const messages = compareInOrder(await evaluate(z, t?.testQuery ?? ""), await evaluate(z, broken));
      expect(messages.join("\n")).toMatch(/column reason: expected replied, saw completed/);
    });
  },
);

describe("definitions/tests on DuckDB with as_of empty", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await openScenario({ as_of: "" });
  }, 120_000);
  afterAll(() => s?.wh.close());

  it("every unit test passes when now is the current time", async () => {
    const result = await runGraph(s.conn, s.graph, { runTests: true, actions: ["stg_leads"] });
    const tests = result.actions.filter((a) => a.type === "test");
    expect(tests.length).toBe(s.graph.tests.length);
    expect(tests.filter((t) => t.status !== "ok").map((t) => `${t.name}: ${t.error}`)).toEqual([]);
  });
});
