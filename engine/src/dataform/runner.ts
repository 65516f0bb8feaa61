import type { DuckDBConnection } from "@duckdb/node-api";
import { UserError } from "../core/errors.ts";
import {
  type ActionType,
  type AssertionAction,
  actionName,
  type CompiledGraph,
  type OperationAction,
  type TableAction,
  type Target,
  targetKey,
} from "./graph.ts";
import { normaliseSql } from "./normalise.ts";
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

export type ActionStatus = "ok" | "failed" | "skipped";

export interface ActionResult {
  /** `schema.name` (unit tests: the test's name). */
  name: string;
  type: ActionType;
  status: ActionStatus;
  /** Wall time of the action in milliseconds (0 when skipped). */
  ms: number;
  /** Rows written (table, incremental) or offending rows (failed assertion), when DuckDB reports it cheaply. */
  rows?: number;
  /** What went wrong (failed) or why it did not run (skipped). No lead data: emails are masked. */
  error?: string;
  /** The SQLX/JS file that defines the action. */
  fileName?: string;
  /** incremental only: how it was built. */
  mode?: "create" | "merge" | "insert";
  /** Failed assertion: up to 5 offending rows, as JSON-safe values (unmasked; do not log them verbatim). */
  sample?: Record<string, unknown>[];
}

export interface GraphRunResult {
  /** True when no action and no unit test failed. */
  ok: boolean;
  /** Unit test results first (when runTests), then actions in execution order. */
  actions: ActionResult[];
  ms: number;
  counts: Record<ActionStatus, number>;
}

export type ProgressEvent =
  | { kind: "start"; name: string; type: ActionType; index: number; total: number }
  | { kind: "done"; result: ActionResult; index: number; total: number };

export interface RunGraphOptions {
  /** Run only actions carrying one of these tags (like `dataform run --tags`). */
  tags?: string[];
  /** Run only these actions: `name`, `schema.name` or `database.schema.name` (like `--actions`). */
  actions?: string[];
  /** With tags/actions: also run everything the selected actions depend on (`--include-deps`). */
  includeDependencies?: boolean;
  /** Rebuild incremental tables from scratch (`--full-refresh`); `protected` ones are kept. */
  fullRefresh?: boolean;
  /** Run the graph's `type: "test"` unit tests first; if one fails, no action runs (like `--run-tests`). */
  runTests?: boolean;
  onProgress?: (event: ProgressEvent) => void;
}

interface Node {
  key: string;
  name: string;
  type: Exclude<ActionType, "declaration" | "test">;
  target: Target;
  deps: string[];
  tags: string[];
  fileName: string | undefined;
  parentKey: string | undefined;
  action: TableAction | OperationAction | AssertionAction;
}

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
        const outcome = await runNode(conn, node, norm, opts);
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

// ---------------------------------------------------------------------------------------------- graph

function buildNodes(graph: CompiledGraph): Map<string, Node> {
  const nodes = new Map<string, Node>();
  const add = (node: Node) => {
    if (nodes.has(node.key)) throw new UserError(`two Dataform actions write ${node.name}`);
    nodes.set(node.key, node);
  };
  const base = (a: TableAction | OperationAction | AssertionAction) => ({
    key: targetKey(a.target),
    name: actionName(a.target),
    target: a.target,
    deps: a.dependencyTargets.map(targetKey),
    tags: a.tags,
    fileName: a.fileName,
    action: a,
  });
  for (const t of graph.tables) if (!t.disabled) add({ ...base(t), type: t.type, parentKey: undefined });
  for (const o of graph.operations)
    if (!o.disabled) add({ ...base(o), type: "operations", parentKey: undefined });
  for (const a of graph.assertions) {
    if (a.disabled) continue;
    add({ ...base(a), type: "assertion", parentKey: a.parentAction ? targetKey(a.parentAction) : undefined });
  }
  // Dependencies on declarations (pre-existing tables) or disabled actions are not ours to run.
  for (const node of nodes.values()) node.deps = node.deps.filter((d) => nodes.has(d));
  return nodes;
}

/** Kahn's algorithm; ties broken by name so runs are deterministic. */
function topologicalOrder(nodes: Map<string, Node>): Node[] {
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const node of nodes.values()) {
    indegree.set(node.key, node.deps.length);
    for (const d of node.deps) dependents.set(d, [...(dependents.get(d) ?? []), node.key]);
  }
  const ready = [...nodes.values()].filter((n) => n.deps.length === 0).map((n) => n.key);
  const order: Node[] = [];
  while (ready.length > 0) {
    ready.sort();
    const key = ready.shift() as string;
    order.push(nodes.get(key) as Node);
    for (const dep of dependents.get(key) ?? []) {
      const left = (indegree.get(dep) ?? 0) - 1;
      indegree.set(dep, left);
      if (left === 0) ready.push(dep);
    }
  }
  if (order.length !== nodes.size) {
    const stuck = [...nodes.values()].filter((n) => !order.includes(n)).map((n) => n.name);
    throw new UserError(`the Dataform graph has a dependency cycle among: ${stuck.join(", ")}`);
  }
  return order;
}

function selectNodes(nodes: Map<string, Node>, opts: RunGraphOptions): Set<string> {
  const tags = (opts.tags ?? []).map((t) => t.trim()).filter(Boolean);
  const actions = (opts.actions ?? []).map((a) => a.trim()).filter(Boolean);
  if (tags.length === 0 && actions.length === 0) return new Set(nodes.keys());

  const selected = new Set<string>();
  if (tags.length > 0) {
    const known = new Set([...nodes.values()].flatMap((n) => n.tags));
    const unknown = tags.filter((t) => !known.has(t));
    if (unknown.length > 0) {
      throw new UserError(`no action has the tag ${unknown.map((t) => JSON.stringify(t)).join(", ")}`, {
        hint: `known tags: ${[...known].sort().join(", ") || "(none)"}`,
      });
    }
    for (const n of nodes.values()) if (n.tags.some((t) => tags.includes(t))) selected.add(n.key);
  }
  for (const wanted of actions) {
    const w = wanted.toLowerCase();
    const matches = [...nodes.values()].filter((n) => {
      const full = `${n.target.database ?? ""}.${n.target.schema}.${n.target.name}`.toLowerCase();
      return n.key === w || n.target.name.toLowerCase() === w || full === w;
    });
    if (matches.length === 0) {
      const near = [...nodes.values()]
        .map((n) => n.name)
        .filter((name) => name.toLowerCase().includes(w.split(".").pop() ?? w))
        .slice(0, 5);
      throw new UserError(`no action named ${JSON.stringify(wanted)}`, {
        hint:
          near.length > 0 ? `did you mean ${near.join(", ")}?` : "run `engine compile` to list the actions",
      });
    }
    for (const m of matches) selected.add(m.key);
  }
  // A selected table brings its built-in assertions (uniqueKey, nonNull, rowConditions) along.
  for (const n of nodes.values()) if (n.parentKey && selected.has(n.parentKey)) selected.add(n.key);
  if (opts.includeDependencies) {
    const stack = [...selected];
    while (stack.length > 0) {
      const node = nodes.get(stack.pop() as string);
      for (const d of node?.deps ?? []) {
        if (!selected.has(d)) {
          selected.add(d);
          stack.push(d);
        }
      }
    }
  }
  return selected;
}

// ---------------------------------------------------------------------------------------------- actions

interface NodeOutcome {
  failure?: string;
  details: Partial<ActionResult>;
}

type Norm = (sql: string) => string;

async function runNode(
  conn: DuckDBConnection,
  node: Node,
  norm: Norm,
  opts: RunGraphOptions,
): Promise<NodeOutcome> {
  switch (node.type) {
    case "view":
      return runInTransaction(conn, async () => {
        const a = node.action as TableAction;
        await dropIfKindDiffers(conn, node.target, "VIEW");
        await runAll(conn, a.preOps, norm);
        await conn.run(`CREATE OR REPLACE VIEW ${qualified(node.target)} AS\n${norm(a.query)}\n`);
        await runAll(conn, a.postOps, norm);
        return { details: {} };
      });
    case "table":
      return runInTransaction(conn, async () => {
        const a = node.action as TableAction;
        await dropIfKindDiffers(conn, node.target, "BASE TABLE");
        await runAll(conn, a.preOps, norm);
        const rows = await createTableAs(conn, node.target, norm(a.query), true);
        await runAll(conn, a.postOps, norm);
        return { details: { rows } };
      });
    case "incremental":
      return runInTransaction(conn, () => runIncremental(conn, node, norm, opts.fullRefresh === true));
    case "operations": {
      // DuckDB refuses CHECKPOINT inside a transaction that changed data: run it after the commit.
      const queries = (node.action as OperationAction).queries;
      const isCheckpoint = (q: string) => /^(force\s+)?checkpoint$/i.test(stripComments(norm(q)).trim());
      const outcome = await runInTransaction(conn, async () => {
        await runAll(
          conn,
          queries.filter((q) => !isCheckpoint(q)),
          norm,
        );
        return { details: {} };
      });
      for (const q of queries.filter(isCheckpoint)) await conn.run(norm(q));
      return outcome;
    }
    case "assertion":
      return runAssertion(conn, node, norm);
  }
}

async function runIncremental(
  conn: DuckDBConnection,
  node: Node,
  norm: Norm,
  fullRefresh: boolean,
): Promise<NodeOutcome> {
  const a = node.action as TableAction;
  const kind = await relationKind(conn, node.target);
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
    const sql =
      `MERGE INTO ${qualified(node.target)} AS T\nUSING ${staged} AS S\nON ${on}\n` +
      `WHEN MATCHED THEN UPDATE SET ${set}\n` +
      `WHEN NOT MATCHED THEN INSERT (${columns.map(quoteIdent).join(", ")}) ` +
      `VALUES (${columns.map((c) => `S.${quoteIdent(c)}`).join(", ")})`;
    rows = (await conn.run(sql)).rowsChanged;
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

async function runAssertion(conn: DuckDBConnection, node: Node, norm: Norm): Promise<NodeOutcome> {
  const a = node.action as AssertionAction;
  // Like the CLI: the assertion becomes a view in the assertion schema, so failing rows can be inspected.
  const view = qualified(node.target);
  await dropIfKindDiffers(conn, node.target, "VIEW");
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

// ---------------------------------------------------------------------------------------------- helpers

async function runInTransaction(
  conn: DuckDBConnection,
  fn: () => Promise<NodeOutcome>,
): Promise<NodeOutcome> {
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

async function runAll(conn: DuckDBConnection, statements: string[], norm: Norm): Promise<void> {
  for (const statement of statements) {
    const sql = norm(statement);
    if (isBlank(sql)) continue;
    if (/^\s*DECLARE\b/i.test(stripComments(sql))) {
      throw new UserError(
        "DECLARE is BigQuery scripting and cannot run on DuckDB; gate it on the dialect var, e.g. " +
          // biome-ignore lint/suspicious/noTemplateCurlyInString: SQLX syntax shown to the user.
          '${when(!sql.isDuck(), "DECLARE ...")} in pre_operations',
      );
    }
    await conn.run(sql);
  }
}

/** CREATE OR REPLACE TABLE ... AS; BigQuery partitionBy/clusterBy have no DuckDB meaning and are dropped. */
async function createTableAs(conn: DuckDBConnection, target: Target, query: string, replace: boolean) {
  const reader = await conn.runAndReadAll(
    `CREATE ${replace ? "OR REPLACE " : ""}TABLE ${qualified(target)} AS\n${query}\n`,
  );
  const count = reader.getRowObjectsJS()[0]?.Count;
  return count === undefined ? undefined : Number(count);
}

async function relationKind(conn: DuckDBConnection, target: Target): Promise<string | undefined> {
  const prepared = await conn.prepare(
    "SELECT table_type FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2 " +
      "AND table_catalog = current_database()",
  );
  prepared.bindVarchar(1, target.schema);
  prepared.bindVarchar(2, target.name);
  const rows = (await prepared.runAndReadAll()).getRowObjectsJS();
  const kind = rows[0]?.table_type;
  return typeof kind === "string" ? kind : undefined;
}

/** A table that became a view (or the reverse) must be dropped first: CREATE OR REPLACE keeps the kind. */
async function dropIfKindDiffers(conn: DuckDBConnection, target: Target, wanted: "VIEW" | "BASE TABLE") {
  const kind = await relationKind(conn, target);
  if (kind === undefined || kind === wanted) return;
  await conn.run(`DROP ${kind === "VIEW" ? "VIEW" : "TABLE"} ${qualified(target)}`);
}

async function tableColumns(conn: DuckDBConnection, target: Target): Promise<string[]> {
  const prepared = await conn.prepare(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 " +
      "AND table_catalog = current_database() ORDER BY ordinal_position",
  );
  prepared.bindVarchar(1, target.schema);
  prepared.bindVarchar(2, target.name);
  return (await prepared.runAndReadAll()).getRowObjectsJS().map((r) => String(r.column_name));
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."name"` (the BigQuery project part has no DuckDB meaning). */
export function qualified(target: Pick<Target, "schema" | "name">): string {
  return `${quoteIdent(target.schema)}.${quoteIdent(target.name)}`;
}

function stripTrailing(sql: string): string {
  return sql.replace(/[\s;]+$/, "");
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
}

function isBlank(sql: string): boolean {
  return stripComments(sql).trim() === "";
}

/** Replace the local part of anything that looks like an email, so lead data never reaches a log. */
export function maskEmails(text: string): string {
  return text.replace(/[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, "***@$1");
}

function describeDuckError(error: unknown, node: Node, declared: Map<string, string>): string {
  if (error instanceof UserError) return `${node.fileName ?? node.name}: ${error.message}`;
  const message = error instanceof Error ? error.message : String(error);
  // DuckDB: "<Kind> Error: message\n...\nLINE n: <sql>\n   ^". Keep the message and the LINE pointer.
  const lines = message.split("\n").filter((l) => l.trim() !== "");
  const head = lines[0] ?? message;
  const where = lines.find((l) => l.startsWith("LINE "));
  let text = where ? `${head} (${where.trim().slice(0, 160)})` : head;
  // A missing declared source is a data problem, not a SQL one: say how to get the table.
  const missing = /Table with name (\S+) does not exist/.exec(head)?.[1]?.toLowerCase();
  const source = missing ? declared.get(missing) : undefined;
  if (source) text += `; ${source} is a declared source: create it first (engine seed / engine load)`;
  return maskEmails(`${node.fileName ?? node.name}: ${text}`);
}

function elapsed(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}
