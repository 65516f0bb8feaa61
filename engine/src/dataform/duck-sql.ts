import type { DuckDBConnection } from "@duckdb/node-api";
import { UserError } from "../core/errors.ts";
import type { Target } from "./graph.ts";
import type { Node, Norm } from "./run-types.ts";

/** The DuckDB statements and catalogue lookups the graph runner (runner.ts) is built from, and its error text. */

export async function runAll(conn: DuckDBConnection, statements: string[], norm: Norm): Promise<void> {
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
export async function createTableAs(conn: DuckDBConnection, target: Target, query: string, replace: boolean) {
  const reader = await conn.runAndReadAll(
    `CREATE ${replace ? "OR REPLACE " : ""}TABLE ${qualified(target)} AS\n${query}\n`,
  );
  const count = reader.getRowObjectsJS()[0]?.Count;
  return count === undefined ? undefined : Number(count);
}

/**
 * The kind (`BASE TABLE` / `VIEW`) of every relation in the database, read in one catalogue query and
 * kept up to date by the runner as it creates relations: one lookup per action cost a round trip each
 * (~60 per transform). Anything the runner cannot follow (a failed action's rollback, operations and
 * pre/post operations, which may create or drop anything) calls `forget()`, and the next lookup reads
 * the catalogue again.
 */
export class RelationKinds {
  private kinds: Map<string, string> | undefined;

  constructor(private readonly conn: DuckDBConnection) {}

  async of(target: Target): Promise<string | undefined> {
    this.kinds ??= await readRelationKinds(this.conn);
    return this.kinds.get(kindKey(target));
  }

  /** Record what the runner just made (or dropped: undefined). */
  set(target: Target, kind: "VIEW" | "BASE TABLE" | undefined): void {
    if (!this.kinds) return;
    if (kind === undefined) this.kinds.delete(kindKey(target));
    else this.kinds.set(kindKey(target), kind);
  }

  forget(): void {
    this.kinds = undefined;
  }
}

// Exact names, like the per-target lookup it replaces (DuckDB stores the name as created).
const kindKey = (target: Pick<Target, "schema" | "name">) => `${target.schema}\0${target.name}`;

async function readRelationKinds(conn: DuckDBConnection): Promise<Map<string, string>> {
  const rows = (
    await conn.runAndReadAll(
      "SELECT table_schema, table_name, table_type FROM information_schema.tables " +
        "WHERE table_catalog = current_database()",
    )
  ).getRowObjectsJS();
  return new Map(
    rows.map((r) => [
      kindKey({ schema: String(r.table_schema), name: String(r.table_name) }),
      String(r.table_type),
    ]),
  );
}

/** A table that became a view (or the reverse) must be dropped first: CREATE OR REPLACE keeps the kind. */
export async function dropIfKindDiffers(
  conn: DuckDBConnection,
  kinds: RelationKinds,
  target: Target,
  wanted: "VIEW" | "BASE TABLE",
): Promise<void> {
  const kind = await kinds.of(target);
  if (kind === undefined || kind === wanted) return;
  await conn.run(`DROP ${kind === "VIEW" ? "VIEW" : "TABLE"} ${qualified(target)}`);
  kinds.set(target, undefined);
}

export async function tableColumns(conn: DuckDBConnection, target: Target): Promise<string[]> {
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

export function stripTrailing(sql: string): string {
  return sql.replace(/[\s;]+$/, "");
}

export function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
}

export function isBlank(sql: string): boolean {
  return stripComments(sql).trim() === "";
}

/** Replace the local part of anything that looks like an email, so lead data never reaches a log. */
export function maskEmails(text: string): string {
  return text.replace(/[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, "***@$1");
}

export function describeDuckError(error: unknown, node: Node, declared: Map<string, string>): string {
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

export function elapsed(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}
