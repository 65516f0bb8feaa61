import type { DuckDBConnection } from "@duckdb/node-api";
import {
  createTableAs,
  describeDuckError,
  dropIfKindDiffers,
  elapsed,
  isBlank,
  maskEmails,
  qualified,
  quoteIdent,
  RelationKinds,
  runAll,
  stripComments,
  stripTrailing,
  tableColumns,
} from "./duck-sql.ts";
import {
  type AssertionAction,
  actionName,
  type CompiledGraph,
  type OperationAction,
  type TableAction,
} from "./graph.ts";
import { normaliseSql } from "./normalise.ts";
import { buildNodes, selectNodes, topologicalOrder } from "./run-plan.ts";
import type {
  ActionResult,
  ActionStatus,
  GraphRunResult,
  Node,
  NodeOutcome,
  Norm,
  RunGraphOptions,
} from "./run-types.ts";
import { registerShims } from "./shims.ts";
import { runUnitTest, type UnitTestResult } from "./unit-tests.ts";

/**
 * Executes a compiled Dataform graph on DuckDB, the way `dataform run` executes it on BigQuery:
 * actions in topological order of `dependencyTargets`, per-type SQL templates that mirror what the CLI
 * emits (CREATE OR REPLACE VIEW/TABLE, MERGE for incrementals, assertion = "no rows come back"), and the
 * same selection flags (`--tags`, `--actions`, `--include-deps`, `--full-refresh`, `--run-tests`).
 *
 * Every compiled statement goes through the lexical normaliser exactly once; the wrapper SQL written
 * here is DuckDB already (double-quoted identifiers) and is never normalised.
 */

export { maskEmails, qualified, quoteIdent } from "./duck-sql.ts";
export type {
  ActionResult,
  ActionStatus,
  GraphRunResult,
  ProgressEvent,
  RunGraphOptions,
} from "./run-types.ts";

export async function runGraph(
  conn: DuckDBConnection,
  graph: CompiledGraph,
  opts: RunGraphOptions = {},
): Promise<GraphRunResult> {
  const started = performance.now();
  await registerShims(conn);
  const projects = new Set<string>();
  for (const a of [...graph.tables, ...graph.operations, ...graph.assertions, ...graph.declarations]) {
    if (a.target.database) projects.add(a.target.database);
  }
  if (graph.projectConfig.defaultDatabase) projects.add(graph.projectConfig.defaultDatabase);
  const norm = (sql: string) => stripTrailing(normaliseSql(sql, { projects }));

  const nodes = buildNodes(graph);
  const declared = new Map(
    graph.declarations.map((d) => [d.target.name.toLowerCase(), actionName(d.target)]),
  );
  const order = topologicalOrder(nodes);
  const selected = selectNodes(nodes, opts);
  const plan = order.filter((n) => selected.has(n.key));
  const results: ActionResult[] = [];
  const total = plan.length + (opts.runTests ? graph.tests.length : 0);
  let index = 0;

  let testsFailed = false;
  if (opts.runTests) {
    for (const test of graph.tests) {
      opts.onProgress?.({ kind: "start", name: test.name, type: "test", index, total });
      const t0 = performance.now();
      const outcome: UnitTestResult = await runUnitTest(conn, test, norm);
      const result: ActionResult = {
        name: test.name,
        type: "test",
        status: outcome.ok ? "ok" : "failed",
        ms: elapsed(t0),
        fileName: test.fileName,
        ...(outcome.ok ? {} : { error: outcome.messages.join(" ") }),
      };
      if (!outcome.ok) testsFailed = true;
      results.push(result);
      opts.onProgress?.({ kind: "done", result, index: index++, total });
    }
  }

  const failedOrSkipped = new Map<string, string>();
  const schemasMade = new Set<string>();
  const kinds = new RelationKinds(conn);
  for (const node of plan) {
    opts.onProgress?.({ kind: "start", name: node.name, type: node.type, index, total });
    const blocker = testsFailed
      ? "a unit test failed"
      : node.deps.map((d) => failedOrSkipped.get(d)).find(Boolean);
    let result: ActionResult;
    if (blocker) {
      result = { name: node.name, type: node.type, status: "skipped", ms: 0, fileName: node.fileName };
      result.error = testsFailed
        ? "not run: a unit test failed"
        : `not run: depends on ${blocker}, which did not succeed`;
      failedOrSkipped.set(node.key, testsFailed ? "unit tests" : blocker);
    } else {
      const t0 = performance.now();
      try {
        if (!schemasMade.has(node.target.schema)) {
          await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(node.target.schema)}`);
          schemasMade.add(node.target.schema);
        }
        const outcome = await runNode({ conn, kinds, node, norm, opts });
        result = {
          name: node.name,
          type: node.type,
          status: outcome.failure ? "failed" : "ok",
          ms: elapsed(t0),
          fileName: node.fileName,
          ...outcome.details,
        };
        if (outcome.failure) result.error = outcome.failure;
      } catch (error) {
        // A rollback (or a half-run operation) may have undone what the catalogue snapshot records.
        kinds.forget();
        result = {
          name: node.name,
          type: node.type,
          status: "failed",
          ms: elapsed(t0),
          fileName: node.fileName,
          error: describeDuckError(error, node, declared),
        };
      }
      if (result.status === "failed") failedOrSkipped.set(node.key, node.name);
    }
    results.push(result);
    opts.onProgress?.({ kind: "done", result, index: index++, total });
  }

  const counts: Record<ActionStatus, number> = { ok: 0, failed: 0, skipped: 0 };
  for (const r of results) counts[r.status]++;
  return { ok: counts.failed === 0 && counts.skipped === 0, actions: results, ms: elapsed(started), counts };
}

// ---------------------------------------------------------------------------------------------- actions

interface NodeRun {
  conn: DuckDBConnection;
  kinds: RelationKinds;
  node: Node;
  norm: Norm;
  opts: RunGraphOptions;
}

async function runNode(run: NodeRun): Promise<NodeOutcome> {
  const { conn, kinds, node, norm } = run;
  switch (node.type) {
    case "view":
    case "table": {
      const a = node.action as TableAction;
      const kind = node.type === "view" ? "VIEW" : "BASE TABLE";
      const ops = hasStatements(a.preOps, norm) || hasStatements(a.postOps, norm);
      // One statement is atomic on its own: the explicit transaction is only for several.
      const several = ops || !sameOrAbsent(await kinds.of(node.target), kind);
      const outcome = await runInTransaction(conn, several, async () => {
        await dropIfKindDiffers(conn, kinds, node.target, kind);
        await runAll(conn, a.preOps, norm);
        let rows: number | undefined;
        if (node.type === "view")
          await conn.run(`CREATE OR REPLACE VIEW ${qualified(node.target)} AS\n${norm(a.query)}\n`);
        else rows = await createTableAs(conn, node.target, norm(a.query), true);
        await runAll(conn, a.postOps, norm);
        return { details: rows === undefined ? {} : { rows } };
      });
      kinds.set(node.target, kind);
      if (ddl(norm, a.preOps, a.postOps)) kinds.forget();
      return outcome;
    }
    case "incremental": {
      const a = node.action as TableAction;
      const outcome = await runInTransaction(conn, true, () => runIncremental(run));
      kinds.set(node.target, "BASE TABLE");
      const ops = [a.preOps, a.postOps, a.incrementalPreOps, a.incrementalPostOps];
      if (ddl(norm, ...ops)) kinds.forget();
      return outcome;
    }
    case "operations": {
      // DuckDB refuses CHECKPOINT inside a transaction that changed data: run it after the commit.
      const queries = (node.action as OperationAction).queries;
      const isCheckpoint = (q: string) => /^(force\s+)?checkpoint$/i.test(stripComments(norm(q)).trim());
      const outcome = await runInTransaction(conn, true, async () => {
        await runAll(
          conn,
          queries.filter((q) => !isCheckpoint(q)),
          norm,
        );
        return { details: {} };
      });
      for (const q of queries.filter(isCheckpoint)) await conn.run(norm(q));
      if (ddl(norm, queries)) kinds.forget();
      return outcome;
    }
    case "assertion": {
      const outcome = await runAssertion(conn, kinds, node, norm);
      kinds.set(node.target, "VIEW");
      return outcome;
    }
  }
}

const sameOrAbsent = (kind: string | undefined, wanted: string) => kind === undefined || kind === wanted;
const hasStatements = (statements: string[], norm: Norm) => statements.some((q) => !isBlank(norm(q)));

/** Whether statements the runner did not write may have created, dropped or renamed a relation. */
function ddl(norm: Norm, ...lists: string[][]): boolean {
  return lists.some((list) =>
    list.some((q) => /(^|;)\s*(create|drop|alter|attach|detach|import|use)\b/i.test(stripComments(norm(q)))),
  );
}

async function runIncremental(run: NodeRun): Promise<NodeOutcome> {
  const { conn, kinds, node, norm } = run;
  const fullRefresh = run.opts.fullRefresh === true;
  const a = node.action as TableAction;
  const kind = await kinds.of(node.target);
  const rebuild = kind !== "BASE TABLE" || (fullRefresh && !a.protected);
  if (rebuild) {
    if (kind === "VIEW") await conn.run(`DROP VIEW ${qualified(node.target)}`);
    await runAll(conn, a.preOps, norm);
    const rows = await createTableAs(conn, node.target, norm(a.query), true);
    await runAll(conn, a.postOps, norm);
    return { details: { rows, mode: "create" } };
  }
  await runAll(conn, a.incrementalPreOps, norm);
  const source = norm(a.incrementalQuery ?? a.query);
  let rows: number;
  let mode: "merge" | "insert";
  if (a.uniqueKey.length > 0) {
    const columns = await tableColumns(conn, node.target);
    const set = columns.map((c) => `${quoteIdent(c)} = S.${quoteIdent(c)}`).join(", ");
    const on = a.uniqueKey.map((k) => `T.${quoteIdent(k)} = S.${quoteIdent(k)}`).join(" AND ");
    // BigQuery's MERGE reads its source as of the statement's start; DuckDB may read it while it
    // writes, so a source that reads the target itself (self(): watermarks, rows it hands a flag
    // from) would see its own inserts. Stage the source first.
    const staged = quoteIdent(`merge_source_${node.target.name}`);
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${staged} AS\n${source}\n`);
    const stagedRows = await oneRowPerKey(conn, staged, a.uniqueKey);
    if (stagedRows !== undefined) {
      // The same rows as the MERGE below when no two source rows share a key: DuckDB's UPDATE of
      // every column of rows spread over a large table made the commit rewrite the table (20 s of a
      // 1M-lead stg_lead_rows with 1 % changed); a delete and an append cost a fraction of a second.
      await conn.run(`DELETE FROM ${qualified(node.target)} AS T\nUSING ${staged} AS S\nWHERE ${on}`);
      const list = columns.map(quoteIdent).join(", ");
      await conn.run(`INSERT INTO ${qualified(node.target)} (${list})\nSELECT ${list} FROM ${staged}`);
      rows = stagedRows;
    } else {
      const sql =
        `MERGE INTO ${qualified(node.target)} AS T\nUSING ${staged} AS S\nON ${on}\n` +
        `WHEN MATCHED THEN UPDATE SET ${set}\n` +
        `WHEN NOT MATCHED THEN INSERT (${columns.map(quoteIdent).join(", ")}) ` +
        `VALUES (${columns.map((c) => `S.${quoteIdent(c)}`).join(", ")})`;
      rows = (await conn.run(sql)).rowsChanged;
    }
    await conn.run(`DROP TABLE ${staged}`);
    mode = "merge";
  } else {
    // Only the target's columns, like Dataform's onSchemaChange IGNORE: a new query column is not an error.
    const columns = (await tableColumns(conn, node.target)).map(quoteIdent).join(", ");
    const sql = `INSERT INTO ${qualified(node.target)} BY NAME\nSELECT ${columns} FROM (\n${source}\n) AS S`;
    rows = (await conn.run(sql)).rowsChanged;
    mode = "insert";
  }
  await runAll(conn, a.incrementalPostOps, norm);
  return { details: { rows, mode } };
}

/** The staged merge source's row count when no two of its rows share a key, else undefined. */
async function oneRowPerKey(conn: DuckDBConnection, staged: string, keys: string[]) {
  const list = keys.map(quoteIdent).join(", ");
  const reader = await conn.runAndReadAll(
    `SELECT (SELECT count(*) FROM ${staged}) AS n,\n` +
      `(SELECT count(*) FROM (SELECT ${list} FROM ${staged} GROUP BY ${list} HAVING count(*) > 1)) AS dup`,
  );
  const row = reader.getRowObjectsJS()[0] as { n: bigint; dup: bigint };
  return Number(row.dup) === 0 ? Number(row.n) : undefined;
}

async function runAssertion(
  conn: DuckDBConnection,
  kinds: RelationKinds,
  node: Node,
  norm: Norm,
): Promise<NodeOutcome> {
  const a = node.action as AssertionAction;
  // Like the CLI: the assertion becomes a view in the assertion schema, so failing rows can be inspected.
  const view = qualified(node.target);
  await dropIfKindDiffers(conn, kinds, node.target, "VIEW");
  await conn.run(`CREATE OR REPLACE VIEW ${view} AS\n${norm(a.query)}\n`);
  const sample = await conn.runAndReadAll(`SELECT * FROM ${view} LIMIT 5`);
  if (sample.currentRowCount === 0) return { details: { rows: 0 } };
  const count = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${view}`);
  const rows = Number(count.getRowObjectsJS()[0]?.n ?? sample.currentRowCount);
  const sampleRows = sample.getRowObjectsJson() as Record<string, unknown>[];
  const shown = sampleRows.map((r) => maskEmails(JSON.stringify(r))).join("; ");
  return {
    failure: `assertion ${node.name} failed: ${rows} row${rows === 1 ? "" : "s"} violate it; sample: ${shown}`,
    details: { rows, sample: sampleRows },
  };
}

async function runInTransaction(
  conn: DuckDBConnection,
  needed: boolean,
  fn: () => Promise<NodeOutcome>,
): Promise<NodeOutcome> {
  if (!needed) return fn();
  await conn.run("BEGIN TRANSACTION");
  try {
    const outcome = await fn();
    await conn.run("COMMIT");
    return outcome;
  } catch (error) {
    await conn.run("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
