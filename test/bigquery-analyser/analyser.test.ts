import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { compileProject, effectiveVars } from "../../engine/src/dataform/compile.ts";
import type { UnitTest } from "../../engine/src/dataform/graph.ts";
import { opsTables, rawTables } from "../../engine/src/warehouse/tables.ts";
import {
  type Capture,
  captureExecutionGraph,
  type ExecutionGraph,
  existingTables,
} from "../execution-graph/capture.ts";
import { Analyser, analyseGraph, Catalog, type Column } from "./analyse.ts";
import { plants } from "./plants.ts";
import { startZetaSql, type ZetaSql } from "./zetasql.ts";

/**
 * BigQuery's analyser (ZetaSQL) over every statement `dataform run` and `dataform test` would send,
 * produced from the CURRENT definitions/ by the pinned CLI (test/execution-graph/capture.ts): a fresh
 * run, an incremental run (MERGE, DECLARE, the prune operation), every assertion and both queries of
 * every unit test. DuckDB runs the local graph; this is the only check that the BigQuery SQL parses,
 * resolves and type-checks the way BigQuery will.
 */

const started = await startZetaSql();
const skipReason = "skip" in started ? started.skip : undefined;
if (skipReason) console.warn(`skipping the BigQuery analyser tests: ${skipReason}`);
const zeta = "skip" in started ? undefined : (started as ZetaSql);

let fresh: Capture;
let incremental: Capture;
let unitTests: UnitTest[];
let clean: Catalog;
const timings: Record<string, number> = {};

/** The engine's tables (engine/src/warehouse/tables.ts) where the vars put them. */
function contractCatalog(graph: ExecutionGraph): Catalog {
  const vars = effectiveVars(repoRoot(), {});
  const project = graph.actions.find((a) => a.target.database)?.target.database ?? "";
  const catalog = new Catalog();
  for (const t of rawTables) {
    const name = t.name === "leads" ? vars.leads_table : t.name === "dnc_list" ? vars.dnc_table : t.name;
    catalog.addContract(project, vars.raw_dataset ?? "", t, name);
  }
  for (const t of opsTables) catalog.addContract(project, vars.ops_dataset ?? "", t);
  return catalog;
}

const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    timings[label] = Math.round(performance.now() - t0);
  }
};

const cloneGraph = (g: ExecutionGraph): ExecutionGraph => structuredClone(g);

afterAll(() => {
  zeta?.stop();
  if (zeta)
    console.log(`BigQuery analyser timings (ms): ${JSON.stringify({ start: zeta.startMs, ...timings })}`);
});

describe.skipIf(skipReason !== undefined)("BigQuery's analyser (ZetaSQL) on what Dataform sends", () => {
  let freshRun: Analyser;
  let incrementalRun: Analyser;
  let testRun: Analyser;
  const testColumns = new Map<string, { actual?: Column[]; expected?: Column[] }>();

  beforeAll(async () => {
    const z = zeta as ZetaSql;
    [fresh, unitTests] = await Promise.all([
      timed("capture fresh", () => captureExecutionGraph()),
      timed("compile tests", async () => (await compileProject({ projectDir: repoRoot() })).tests),
    ]);
    incremental = await timed("capture incremental", () =>
      captureExecutionGraph(existingTables(fresh.graph)),
    );

    freshRun = new Analyser(z, contractCatalog(fresh.graph));
    await timed("analyse fresh", () => analyseGraph(freshRun, fresh.graph.actions));
    clean = freshRun.catalog.clone();
    // The incremental run meets the tables the fresh run made (MERGE reads their columns).
    incrementalRun = new Analyser(z, clean.clone());
    await timed("analyse incremental", () => analyseGraph(incrementalRun, incremental.graph.actions));
    testRun = new Analyser(z, clean.clone());
    await timed("analyse unit tests", async () => {
      for (const t of unitTests) {
        testColumns.set(t.name, {
          actual: await testRun.query(t.name, t.testQuery),
          expected: await testRun.query(`${t.name} (expected output)`, t.expectedOutputQuery),
        });
      }
    });
  }, 240_000);

  it("every statement of a fresh run resolves and type-checks", () => {
    const tasks = fresh.graph.actions.reduce((n, a) => n + (a.tasks?.length ?? 0), 0);
    expect(tasks).toBeGreaterThan(0);
    expect(freshRun.statements).toBeGreaterThanOrEqual(tasks);
    expect(freshRun.errors).toEqual([]);
  });

  it("every statement of an incremental run (MERGE, DECLARE, operations) resolves and type-checks", () => {
    const text = incremental.graph.actions.flatMap((a) => (a.tasks ?? []).map((t) => t.statement)).join("\n");
    expect(text).toMatch(/\bmerge\b/i);
    expect(text).toMatch(/\bdeclare\b/i);
    expect(incrementalRun.errors).toEqual([]);
  });

  it("every dataset action's output joins the catalog with typed columns, in dependency order", () => {
    for (const a of fresh.graph.actions.filter((x) => x.type === "table" || x.type === "assertion")) {
      const columns = clean.get([a.target.database ?? "", a.target.schema ?? "", a.target.name ?? ""]);
      expect(columns?.length, `${a.target.schema}.${a.target.name}`).toBeGreaterThan(0);
      for (const c of columns ?? [])
        expect(c.type?.type_kind, `${a.target.name}.${c.name}`).toMatch(/^TYPE_/);
    }
  });

  it("both queries of every unit test resolve, with the same column names and types", () => {
    expect(unitTests.length).toBeGreaterThan(0);
    expect(testRun.errors).toEqual([]);
    for (const t of unitTests) {
      const { actual, expected } = testColumns.get(t.name) ?? {};
      const shape = (cols?: Column[]) =>
        (cols ?? []).map((c) => `${c.name.toLowerCase()} ${JSON.stringify(c.type)}`).sort();
      expect(shape(actual), t.name).toEqual(shape(expected));
    }
  });

  describe("planted mistakes are caught", () => {
    const found = new Map<string, { action: string; expected: RegExp; errors: string[] }>();

    beforeAll(async () => {
      const z = zeta as ZetaSql;
      for (const run of ["fresh", "incremental"] as const) {
        const graph = cloneGraph(run === "fresh" ? fresh.graph : incremental.graph);
        const taken = new Set<string>();
        const spots = plants
          .filter((p) => p.run === run)
          .map((p) => ({ plant: p, spot: p.apply(graph, taken) }));
        // Against the clean catalog: an action whose plant fails keeps its clean columns, so one
        // plant never hides another downstream.
        const analyser = new Analyser(z, clean.clone());
        await timed(`analyse planted ${run}`, () => analyseGraph(analyser, graph.actions));
        for (const { plant, spot } of spots) {
          if (!spot) continue;
          found.set(plant.name, {
            ...spot,
            errors: analyser.errors.filter((e) => e.action === spot.action).map((e) => e.message),
          });
        }
      }
    }, 120_000);

    it.each(plants.map((p) => [p.name]))("%s", (name) => {
      const spot = found.get(name);
      expect(
        spot,
        `plant "${name}" found no statement to rewrite (test/bigquery-analyser/plants.ts)`,
      ).toBeDefined();
      expect(spot?.errors.join("\n"), `${name} in ${spot?.action}`).toMatch(spot?.expected ?? /$^/);
    });
  });
});
