import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadSettings, type Settings } from "../../engine/src/config/settings.ts";
import { UserError } from "../../engine/src/core/errors.ts";
import { compileProject } from "../../engine/src/dataform/compile.ts";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";
import { type GraphRunResult, type ProgressEvent, runGraph } from "../../engine/src/dataform/runner.ts";
import { transformLocal } from "../../engine/src/dataform/transform.ts";
import { ensureContract, type LocalWarehouse, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { copyFixture, type FixtureProject } from "./fixture.ts";

let fixture: FixtureProject;
let settings: Settings;
let graph: CompiledGraph;
const open: LocalWarehouse[] = [];

beforeAll(async () => {
  fixture = copyFixture();
  // A second unit test with a wrong expectation, so a failing Dataform test exists in the compiled graph.
  fixture.write(
    "definitions/tests/test_people_scores_wrong.sqlx",
    `config { type: "test", dataset: { schema: "fx", name: "people_scores" } }
input "stg_people" { SELECT 'b@shop.io' AS email, 2000000 AS revenue, 'web' AS source }
SELECT 'b@shop.io' AS email, 99 AS score, 'ok' AS status
`,
  );
  settings = loadSettings({ projectDir: fixture.dir, overrides: { dialect: "duckdb" } });
  graph = await compileProject({ projectDir: fixture.dir, vars: { dialect: "duckdb" } });
});
afterAll(() => fixture.remove());
afterEach(() => {
  for (const w of open.splice(0)) w.close();
});

/** An in-memory warehouse with the contract tables, three leads (one duplicated) and two events. */
async function warehouse(): Promise<LocalWarehouse> {
  const w = await openDuckDb(":memory:");
  open.push(w);
  await ensureContract(w.conn, settings);
  await w.conn.run(`INSERT INTO fx_raw.leads (email, first_name, estimated_sales_yearly, source, updated_at) VALUES
    ('a@gmail.com', 'Old', 5, 'web', TIMESTAMPTZ '2023-12-01 00:00:00+00'),
    (' A@Gmail.com ', 'Ann', 5, 'web', TIMESTAMPTZ '2024-01-01 00:00:00+00'),
    ('b@shop.io', 'Bob', 2000000, NULL, TIMESTAMPTZ '2024-01-02 00:00:00+00'),
    ('c@store.com', 'Cy', 1500000, 'web', TIMESTAMPTZ '2024-01-03 00:00:00+00')`);
  await w.conn.run(`CREATE TABLE fx_raw.events AS SELECT * FROM (VALUES
    (1, 'b@shop.io', 'open', TIMESTAMPTZ '2024-01-01 00:00:00+00'),
    (2, 'c@store.com', 'reply', TIMESTAMPTZ '2024-01-02 00:00:00+00')) AS t(event_id, email, kind, happened_at)`);
  return w;
}

async function rows(w: LocalWarehouse, sql: string) {
  return (await w.conn.runAndReadAll(sql)).getRowObjectsJson();
}

const byName = (r: GraphRunResult, name: string) => r.actions.find((a) => a.name === name);
const only = (g: CompiledGraph, testName: string): CompiledGraph => ({
  ...g,
  tests: g.tests.filter((t) => t.name === testName),
});

describe("runGraph: a full build", () => {
  it("runs every action type in dependency order and builds the right relations", async () => {
    const w = await warehouse();
    const events: ProgressEvent[] = [];
    const result = await runGraph(w.conn, graph, { onProgress: (e) => events.push(e) });

    expect(result.actions.filter((a) => a.status !== "ok")).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.counts).toEqual({ ok: 11, failed: 0, skipped: 0 });
    const names = result.actions.map((a) => a.name);
    expect(names).not.toContain("fx.disabled_table");
    const at = (n: string) => names.indexOf(n);
    expect(at("fx_staging.stg_people")).toBeLessThan(at("fx.people_scores"));
    expect(at("fx.people_scores")).toBeLessThan(at("fx.people_log"));
    expect(at("fx.people_scores")).toBeLessThan(at("fx_assertions.fx_people_scores_assertions_uniqueKey_0"));
    expect(at("fx.run_marker")).toBeLessThan(at("fx.marker_count"));
    expect(at("fx.event_log")).toBeLessThan(at("fx_assertions.no_future_events"));

    expect(byName(result, "fx.people_scores")).toMatchObject({ type: "table", rows: 3 });
    expect(byName(result, "fx.people_log")).toMatchObject({ type: "incremental", mode: "create", rows: 2 });
    expect(byName(result, "fx.event_log")).toMatchObject({ type: "incremental", mode: "create", rows: 2 });
    expect(byName(result, "fx.run_marker")).toMatchObject({ type: "operations", status: "ok" });
    expect(byName(result, "fx_assertions.no_future_events")).toMatchObject({ type: "assertion", rows: 0 });

    const kinds = await rows(
      w,
      "SELECT table_schema || '.' || table_name AS t, table_type AS k FROM information_schema.tables WHERE table_schema LIKE 'fx%' AND table_schema <> 'fx_raw' AND table_schema <> 'fx_ops' ORDER BY 1",
    );
    expect(kinds).toEqual([
      { t: "fx.event_log", k: "BASE TABLE" },
      { t: "fx.marker_count", k: "BASE TABLE" },
      { t: "fx.people_log", k: "BASE TABLE" },
      { t: "fx.people_scores", k: "BASE TABLE" },
      { t: "fx.run_marker", k: "BASE TABLE" },
      { t: "fx.sql_helpers", k: "VIEW" },
      { t: "fx_assertions.fx_people_scores_assertions_rowConditions", k: "VIEW" },
      { t: "fx_assertions.fx_people_scores_assertions_uniqueKey_0", k: "VIEW" },
      { t: "fx_assertions.fx_staging_stg_people_assertions_rowConditions", k: "VIEW" },
      { t: "fx_assertions.no_future_events", k: "VIEW" },
      { t: "fx_staging.stg_people", k: "VIEW" },
    ]);
    // The view dedupes and normalises; the table scores with the BigQuery regex through the shims.
    expect(await rows(w, "SELECT email, score, status FROM fx.people_scores ORDER BY email")).toEqual([
      { email: "a@gmail.com", score: 5, status: "ok" },
      { email: "b@shop.io", score: 30, status: "ok" },
      { email: "c@store.com", score: 30, status: "ok" },
    ]);
    expect(await rows(w, "SELECT markers FROM fx.marker_count")).toEqual([{ markers: "1" }]);

    // Progress: a start and a done event per action, indexes counting up to the total.
    expect(events.filter((e) => e.kind === "done")).toHaveLength(11);
    expect(events.at(-1)).toMatchObject({ kind: "done", index: 10, total: 11 });
  });

  it("runs every includes/sql.js helper with BigQuery meaning on DuckDB", async () => {
    const w = await warehouse();
    await runGraph(w.conn, graph, { actions: ["sql_helpers"] });
    const [probe] = await rows(w, "SELECT * FROM fx.sql_helpers");
    expect(probe).toEqual({
      safe_cast_ok: "12",
      safe_cast_bad: null,
      date_diff_days: "29",
      ts_diff_days: "0", // 2 hours across midnight: 0 whole days, like TIMESTAMP_DIFF(..., DAY)
      ts_sub: "2024-01-07 00:00:00",
      ts_add: "2024-01-12 00:00:00",
      trunc_month: "2024-03-01",
      trunc_week: "2024-03-04", // Monday, like BigQuery ISOWEEK
      re_yes: true,
      re_no: false,
      md5_hex: "900150983cd24fb0d6963f7d28e17f72",
      json_value: "x",
      json_string: '{"n":1,"s":"it\'s"}',
      div_ok: 3.5,
      div_zero: null,
      str_literal: "it's a \\ test",
      now_ok: true,
    });
  });
});

describe("runGraph: incrementals on later runs", () => {
  it("MERGEs on uniqueKey (update + insert, no duplicates) and INSERTs BY NAME without a key", async () => {
    const w = await warehouse();
    expect((await runGraph(w.conn, graph)).ok).toBe(true);
    await w.conn.run(`INSERT INTO fx_raw.leads (email, first_name, estimated_sales_yearly, source, updated_at) VALUES
      ('b@shop.io', 'Robert', 2000000, NULL, TIMESTAMPTZ '2024-02-01 00:00:00+00'),
      ('d@new.io', 'Dee', 3000000, 'web', TIMESTAMPTZ '2024-02-02 00:00:00+00')`);
    await w.conn.run(
      "INSERT INTO fx_raw.events VALUES (3, 'd@new.io', 'open', TIMESTAMPTZ '2024-02-03 00:00:00+00')",
    );

    const second = await runGraph(w.conn, graph);
    expect(second.ok).toBe(true);
    expect(byName(second, "fx.people_log")).toMatchObject({ mode: "merge", rows: 2 });
    expect(byName(second, "fx.event_log")).toMatchObject({ mode: "insert", rows: 1 });
    expect(await rows(w, "SELECT email, first_name FROM fx.people_log ORDER BY email")).toEqual([
      { email: "b@shop.io", first_name: "Robert" },
      { email: "c@store.com", first_name: "Cy" },
      { email: "d@new.io", first_name: "Dee" },
    ]);
    expect(await rows(w, "SELECT event_id FROM fx.event_log ORDER BY event_id")).toEqual([
      { event_id: 1 },
      { event_id: 2 },
      { event_id: 3 },
    ]);
    // Operations run again (append), and the table depending on them sees it.
    expect(await rows(w, "SELECT markers FROM fx.marker_count")).toEqual([{ markers: "2" }]);

    const third = await runGraph(w.conn, graph);
    expect(byName(third, "fx.event_log")).toMatchObject({ mode: "insert", rows: 0 });
  });

  it("ignores a column the query gained since the first build (Dataform onSchemaChange IGNORE)", async () => {
    const w = await warehouse();
    await runGraph(w.conn, graph, { tags: ["log"], includeDependencies: true });
    await w.conn.run(
      "INSERT INTO fx_raw.events VALUES (3, 'd@new.io', 'open', TIMESTAMPTZ '2024-02-03 00:00:00+00')",
    );
    const widened: CompiledGraph = {
      ...graph,
      tables: graph.tables.map((t) =>
        t.target.name === "event_log"
          ? {
              ...t,
              incrementalQuery: (t.incrementalQuery ?? "").replace(
                "happened_at\n",
                "happened_at, 'x' AS extra\n",
              ),
            }
          : t,
      ),
    };
    expect(widened.tables.find((t) => t.target.name === "event_log")?.incrementalQuery).toContain("AS extra");
    const result = await runGraph(w.conn, widened, { actions: ["event_log"] });
    expect(byName(result, "fx.event_log")).toMatchObject({ status: "ok", mode: "insert", rows: 1 });
  });

  it("rebuilds incrementals from scratch with fullRefresh", async () => {
    const w = await warehouse();
    await runGraph(w.conn, graph);
    await w.conn.run(
      "INSERT INTO fx.event_log VALUES (99, 'x@y.io', 'junk', TIMESTAMPTZ '2000-01-01 00:00:00+00')",
    );
    const refreshed = await runGraph(w.conn, graph, { fullRefresh: true, tags: ["log"] });
    expect(byName(refreshed, "fx.event_log")).toMatchObject({ mode: "create", rows: 2 });
    expect(await rows(w, "SELECT count(*) AS n FROM fx.event_log WHERE event_id = 99")).toEqual([{ n: "0" }]);
  });
});

describe("runGraph: failures", () => {
  it("fails an assertion with its name, the offending row count and a masked sample", async () => {
    const w = await warehouse();
    await w.conn.run(`INSERT INTO fx_raw.leads (email, estimated_sales_yearly, source, updated_at)
      VALUES ('mallory@banned.io', 10, 'it''s banned', TIMESTAMPTZ '2024-01-05 00:00:00+00')`);
    const result = await runGraph(w.conn, graph);
    const failed = result.actions.filter((a) => a.status === "failed");
    expect(failed.map((a) => a.name)).toEqual(["fx_assertions.fx_people_scores_assertions_rowConditions"]);
    const assertion = failed[0];
    expect(assertion?.rows).toBe(1);
    expect(assertion?.error).toContain(
      "assertion fx_assertions.fx_people_scores_assertions_rowConditions failed",
    );
    expect(assertion?.error).toContain("1 row violate");
    expect(assertion?.error).toContain("***@banned.io");
    expect(assertion?.error).not.toContain("mallory");
    expect(assertion?.sample).toEqual([
      {
        failing_row_condition: "status != 'banned'",
        email: "mallory@banned.io",
        score: 15,
        status: "banned",
      },
    ]);
    expect(result.ok).toBe(false);
    expect(result.counts).toEqual({ ok: 10, failed: 1, skipped: 0 });
  });

  it("skips the dependents of a failed action and keeps running independent ones", async () => {
    const w = await warehouse();
    // run_marker's INSERT cannot bind against a table with other columns.
    await w.conn.run("CREATE SCHEMA IF NOT EXISTS fx; CREATE TABLE fx.run_marker (other INTEGER)");
    const result = await runGraph(w.conn, graph);
    expect(byName(result, "fx.run_marker")).toMatchObject({ status: "failed" });
    expect(byName(result, "fx.run_marker")?.error).toMatch(
      /^definitions\/ops\/run_marker\.sqlx: Binder Error/,
    );
    expect(byName(result, "fx.marker_count")).toMatchObject({
      status: "skipped",
      error: "not run: depends on fx.run_marker, which did not succeed",
    });
    expect(byName(result, "fx.people_log")?.status).toBe("ok");
    expect(result.counts).toEqual({ ok: 9, failed: 1, skipped: 1 });
  });

  it("names a missing declared source and how to create it", async () => {
    const w = await warehouse();
    await w.conn.run("DROP TABLE fx_raw.events");
    const result = await runGraph(w.conn, graph, { tags: ["log"] });
    expect(byName(result, "fx.event_log")?.error).toMatch(
      /^definitions\/marts\/event_log\.sqlx: Catalog Error: Table with name events does not exist!.*; fx_raw\.events is a declared source: create it first/,
    );
  });

  it("explains a BigQuery DECLARE that reached DuckDB", async () => {
    const w = await warehouse();
    const withDeclare: CompiledGraph = {
      ...graph,
      tables: graph.tables.map((t) =>
        t.target.name === "people_scores"
          ? { ...t, preOps: ["DECLARE run_ts TIMESTAMP DEFAULT CURRENT_TIMESTAMP()"] }
          : t,
      ),
    };
    const result = await runGraph(w.conn, withDeclare, { actions: ["people_scores"] });
    expect(byName(result, "fx.people_scores")?.error).toContain("DECLARE is BigQuery scripting");
    expect(byName(result, "fx.people_scores")?.error).toContain("sql.isDuck()");
  });

  it("replaces a table by a view when an action changes type", async () => {
    const w = await warehouse();
    const asTable: CompiledGraph = {
      ...graph,
      tables: graph.tables.map((t) =>
        t.target.name === "stg_people" ? { ...t, type: "table" as const } : t,
      ),
    };
    expect((await runGraph(w.conn, asTable, { actions: ["stg_people"] })).ok).toBe(true);
    expect((await runGraph(w.conn, graph, { actions: ["stg_people"] })).ok).toBe(true);
    expect(
      await rows(w, "SELECT table_type FROM information_schema.tables WHERE table_name = 'stg_people'"),
    ).toEqual([{ table_type: "VIEW" }]);
  });

  it("sees a relation an operation created earlier in the same run (the catalogue is read once)", async () => {
    const w = await warehouse();
    // people_scores (a table) runs first and reads the catalogue; then an operation creates a TABLE named
    // like a view that runs after it. The view must replace that table, so the runner must re-read.
    const scores = graph.tables.find((t) => t.target.name === "people_scores");
    const view = graph.tables.find((t) => t.target.name === "stg_people");
    if (!scores || !view) throw new Error("fixture changed");
    const op = {
      ...graph.operations[0],
      target: { ...view.target, name: "make_probe" },
      canonicalTarget: undefined,
      hasOutput: false,
      queries: ["CREATE TABLE `fx_staging.probe` AS SELECT 1 AS x"],
      dependencyTargets: [scores.target],
      disabled: false,
    } as CompiledGraph["operations"][number];
    const probe = {
      ...view,
      target: { ...view.target, name: "probe" },
      canonicalTarget: undefined,
      query: "SELECT 2 AS x",
      preOps: [],
      postOps: [],
      dependencyTargets: [op.target],
    };
    const g: CompiledGraph = {
      ...graph,
      tables: [...graph.tables, probe],
      operations: [op],
      assertions: [],
      tests: [],
    };
    const result = await runGraph(w.conn, g, { actions: ["probe"], includeDependencies: true });
    expect(result.actions.map((a) => [a.name, a.status])).toEqual([
      ["fx_staging.stg_people", "ok"],
      ["fx.people_scores", "ok"],
      ["fx_staging.make_probe", "ok"],
      ["fx_staging.probe", "ok"],
    ]);
    expect(
      await rows(w, `SELECT table_type FROM information_schema.tables WHERE table_name = 'probe'`),
    ).toEqual([{ table_type: "VIEW" }]);
    expect(await rows(w, `SELECT x FROM fx_staging.probe`)).toEqual([{ x: 2 }]);
  });
});

describe("runGraph: Dataform unit tests", () => {
  it("passes a test whose expected rows match (values compared as strings, like the CLI)", async () => {
    const w = await warehouse();
    const result = await runGraph(w.conn, only(graph, "test_people_scores"), { runTests: true });
    expect(result.actions[0]).toMatchObject({ name: "test_people_scores", type: "test", status: "ok" });
    expect(result.ok).toBe(true);
  });

  it("fails a test with the CLI's message and runs no action after it", async () => {
    const w = await warehouse();
    const result = await runGraph(w.conn, graph, { runTests: true });
    const test = byName(result, "test_people_scores_wrong");
    expect(test?.status).toBe("failed");
    expect(test?.error).toBe('For row 0 and column "SCORE": expected "99", but saw "30".');
    expect(byName(result, "test_people_scores")?.status).toBe("ok");
    const actions = result.actions.filter((a) => a.type !== "test");
    expect(actions.every((a) => a.status === "skipped" && a.error === "not run: a unit test failed")).toBe(
      true,
    );
  });
});

describe("runGraph: selection like dataform run", () => {
  it("selects by tag", async () => {
    const w = await warehouse();
    const result = await runGraph(w.conn, graph, { tags: ["staging"] });
    expect(result.actions.map((a) => a.name)).toEqual([
      "fx_staging.stg_people",
      "fx_assertions.fx_staging_stg_people_assertions_rowConditions",
    ]);
  });

  it("selects by action name with its built-in assertions, and adds dependencies on request", async () => {
    const w = await warehouse();
    const alone = await runGraph(w.conn, graph, { actions: ["fx.people_scores"] });
    expect(alone.actions.map((a) => a.name)).toEqual([
      "fx.people_scores",
      "fx_assertions.fx_people_scores_assertions_rowConditions",
      "fx_assertions.fx_people_scores_assertions_uniqueKey_0",
    ]);
    // stg_people does not exist yet: without dependencies the table fails on the missing view.
    expect(byName(alone, "fx.people_scores")?.error).toMatch(/Catalog Error/);

    const withDeps = await runGraph(w.conn, graph, { actions: ["people_log"], includeDependencies: true });
    expect(withDeps.actions.map((a) => a.name)).toEqual([
      "fx_staging.stg_people",
      "fx.people_scores",
      "fx.people_log",
    ]);
    expect(withDeps.ok).toBe(true);
  });

  it("rejects an unknown tag or action with the known names", async () => {
    const w = await warehouse();
    await expect(runGraph(w.conn, graph, { tags: ["nope"] })).rejects.toThrow(UserError);
    await expect(runGraph(w.conn, graph, { tags: ["nope"] })).rejects.toMatchObject({
      hint: expect.stringContaining("staging"),
    });
    await expect(runGraph(w.conn, graph, { actions: ["people_scorez"] })).rejects.toThrow(
      /no action named "people_scorez"/,
    );
  });
});

describe("transformLocal", () => {
  it("ensures the contract and runs a DuckDB graph; refuses a BigQuery-compiled one", async () => {
    const w = await openDuckDb(":memory:");
    open.push(w);
    await w.conn.run(
      "CREATE SCHEMA fx_raw; CREATE TABLE fx_raw.events (event_id INTEGER, email VARCHAR, kind VARCHAR, happened_at TIMESTAMPTZ)",
    );
    const result = await transformLocal({ settings, conn: w.conn, graph, tags: ["staging", "marts"] });
    expect(result.ok).toBe(true);
    expect(result.compileMs).toBe(0);
    expect(await rows(w, "SELECT count(*) AS n FROM fx_ops.sync_runs")).toEqual([{ n: "0" }]);

    const bigquery = { ...graph, projectConfig: { ...graph.projectConfig, vars: { dialect: "bigquery" } } };
    await expect(transformLocal({ settings, conn: w.conn, graph: bigquery })).rejects.toThrow(/needs duckdb/);
  });
});
