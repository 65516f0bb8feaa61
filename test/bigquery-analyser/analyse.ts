import type { ColumnType, TableDef } from "../../engine/src/warehouse/tables.ts";
import type { GraphAction } from "../execution-graph/capture.ts";
import { languageOptions, type TypeProto, type ZetaSql } from "./zetasql.ts";

/**
 * Every statement the Dataform CLI would send, parsed, resolved and type-checked by ZetaSQL against a
 * catalog that grows as the run would: the engine's tables (engine/src/warehouse/tables.ts) first,
 * then each action's output, in dependency order, with the column types ZetaSQL resolved for it.
 *
 * Two things the local service does not do the way BigQuery does, bridged here:
 * - `DECLARE` is a script statement the analyser refuses: the script is parsed (so its syntax is
 *   checked), the DECLARE's default is analysed as an expression and its type compared with the
 *   declared one, and later statements read the variable as a query parameter of that type.
 * - `` `p.d.t` `` is one quoted identifier to ZetaSQL (BigQuery splits it): it becomes `p`.`d`.`t`.
 * - `CREATE FUNCTION … LANGUAGE js` (definitions/operations/canonical_functions.sqlx): the analyser
 *   cannot run JavaScript, so the function's signature joins the catalog as a custom function and
 *   the statement is checked only for its shape (name, typed arguments, return type).
 */

export interface Column {
  name: string;
  type: TypeProto;
}

export interface AnalysisError {
  /** `dataset.name` of the action (or the unit test's name). */
  action: string;
  message: string;
  /** The first line of the statement, to find it in test/execution-graph/*.sql. */
  statement: string;
}

const typeKinds: Record<ColumnType, string> = {
  STRING: "TYPE_STRING",
  INT64: "TYPE_INT64",
  FLOAT64: "TYPE_DOUBLE",
  BOOL: "TYPE_BOOL",
  TIMESTAMP: "TYPE_TIMESTAMP",
  DATE: "TYPE_DATE",
  JSON: "TYPE_JSON",
};

/** BigQuery type names (as DECLARE writes them) to ZetaSQL's. */
const declaredKinds: Record<string, string> = {
  ...typeKinds,
  INT: "TYPE_INT64",
  INTEGER: "TYPE_INT64",
  BIGINT: "TYPE_INT64",
  FLOAT: "TYPE_DOUBLE",
  BOOLEAN: "TYPE_BOOL",
  NUMERIC: "TYPE_NUMERIC",
  BIGNUMERIC: "TYPE_BIGNUMERIC",
  DATETIME: "TYPE_DATETIME",
  TIME: "TYPE_TIME",
  BYTES: "TYPE_BYTES",
  INTERVAL: "TYPE_INTERVAL",
};

/** project → dataset → table → columns, the warehouse as the run has built it so far. */
export class Catalog {
  private readonly tables = new Map<string, Column[]>();
  private readonly functions = new Map<string, { args: string[]; returns: string }>();

  /** A scalar UDF at `path` (project, dataset, name) with its argument and return type kinds. */
  setFunction(path: string[], args: string[], returns: string): void {
    this.functions.set(Catalog.key(path), { args, returns });
  }

  static key(path: string[]): string {
    return path.join("\u0000");
  }

  set(path: string[], columns: Column[]): void {
    this.tables.set(Catalog.key(path), columns);
  }

  get(path: string[]): Column[] | undefined {
    return this.tables.get(Catalog.key(path));
  }

  clone(): Catalog {
    const copy = new Catalog();
    for (const [k, v] of this.tables) copy.tables.set(k, v);
    for (const [k, v] of this.functions) copy.functions.set(k, v);
    return copy;
  }

  /** The engine's tables, typed as the BigQuery adapter creates them. */
  addContract(project: string, dataset: string, def: TableDef, name = def.name): void {
    this.set(
      [project, dataset, name],
      def.columns.map((c) => ({ name: c.name, type: { type_kind: typeKinds[c.type] } })),
    );
  }

  /** As a SimpleCatalogProto: nested catalogs per path part, builtin functions of BigQuery's language. */
  proto(): unknown {
    type Node = { name: string; table: unknown[]; fn: unknown[]; catalog: Map<string, Node> };
    const root: Node = { name: "", table: [], fn: [], catalog: new Map() };
    const nodeOf = (parts: string[]): Node => {
      let node = root;
      for (const part of parts) {
        let next = node.catalog.get(part);
        if (!next) {
          next = { name: part, table: [], fn: [], catalog: new Map() };
          node.catalog.set(part, next);
        }
        node = next;
      }
      return node;
    };
    for (const [key, columns] of this.tables) {
      const parts = key.split("\u0000");
      nodeOf(parts.slice(0, -1)).table.push({
        name: parts.at(-1),
        column: columns.map((c) => ({ name: c.name, type: c.type })),
      });
    }
    const fixed = (kind: string) => ({
      kind: "ARG_TYPE_FIXED",
      type: { type_kind: kind },
      options: { cardinality: "REQUIRED" },
      num_occurrences: 1,
    });
    for (const [key, f] of this.functions) {
      const parts = key.split("\u0000");
      nodeOf(parts.slice(0, -1)).fn.push({
        name_path: [parts.at(-1)],
        group: "UDF",
        mode: "SCALAR",
        signature: [{ argument: f.args.map(fixed), return_type: fixed(f.returns), context_id: 0 }],
      });
    }
    const render = (n: Node): unknown => ({
      name: n.name,
      table: n.table,
      custom_function: n.fn,
      catalog: [...n.catalog.values()].map(render),
    });
    return { ...(render(root) as object), builtin_function_options: { language_options: languageOptions } };
  }
}

/** A JavaScript UDF: path, `name TYPE` arguments, return type, and its raw-string body. */
const JS_FUNCTION =
  /^create\s+(?:or\s+replace\s+)?function\s+((?:`[^`]+`|[\w-]+)(?:\.(?:`[^`]+`|[\w-]+))*)\s*\(([^)]*)\)\s*returns\s+(\w+)\s+language\s+js\s+as\s+r"""[\s\S]*?"""\s*;?/i;

/** `` `p.d.t` `` → `` `p`.`d`.`t` `` (BigQuery reads a dotted quoted path as its parts; ZetaSQL does not). */
export function splitQuotedPaths(sql: string): string {
  return sql.replace(/`([^`\n]+)`/g, (whole, inner: string) =>
    inner.includes(".")
      ? inner
          .split(".")
          .map((p) => `\`${p}\``)
          .join(".")
      : whole,
  );
}

/** Actions in an order the CLI may run them: every dependency before its dependants. */
export function dependencyOrder(actions: GraphAction[]): GraphAction[] {
  const id = (t: { schema?: string; name?: string }) => `${t.schema}.${t.name}`;
  const byId = new Map(actions.map((a) => [id(a.target), a]));
  const done = new Set<string>();
  const out: GraphAction[] = [];
  const visit = (a: GraphAction, stack: Set<string>) => {
    const key = id(a.target);
    if (done.has(key) || stack.has(key)) return;
    stack.add(key);
    for (const dep of a.dependencyTargets ?? []) {
      const d = byId.get(id(dep));
      if (d) visit(d, stack);
    }
    stack.delete(key);
    done.add(key);
    out.push(a);
  };
  const sorted = [...actions].sort((a, b) => id(a.target).localeCompare(id(b.target)));
  for (const a of sorted) visit(a, new Set());
  return out;
}

/** The first value under `key` in a resolved AST, breadth first (the statement's own before nested ones). */
function findKey(node: unknown, key: string): unknown {
  const queue: unknown[] = [node];
  while (queue.length > 0) {
    const n = queue.shift();
    if (!n || typeof n !== "object") continue;
    if (!Array.isArray(n) && key in n) return (n as Record<string, unknown>)[key];
    queue.push(...Object.values(n as object));
  }
  return undefined;
}

const skipSpaceAndComments = (sql: string, from: number): number => {
  const re = /\s+|--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\//y;
  let pos = from;
  for (;;) {
    re.lastIndex = pos;
    const m = re.exec(sql);
    if (!m || m[0].length === 0) return pos;
    pos += m[0].length;
  }
};

interface Variable {
  name: string;
  type: TypeProto;
}

export class Analyser {
  readonly errors: AnalysisError[] = [];
  statements = 0;

  constructor(
    private readonly zeta: ZetaSql,
    readonly catalog: Catalog,
  ) {}

  private options(variables: Variable[]) {
    return {
      language_options: languageOptions,
      error_message_mode: "ERROR_MESSAGE_ONE_LINE",
      query_parameters: variables.map((v) => ({ name: v.name, type: v.type })),
      default_timezone: "UTC",
    };
  }

  /** Analyse every statement of one script (one CLI task); tables it creates join the catalog. */
  async script(action: string, rawSql: string): Promise<void> {
    const variables: Variable[] = [];
    let sql = splitQuotedPaths(rawSql);
    // Byte offsets: the service counts UTF-8 bytes.
    let bytes = Buffer.from(sql);
    let pos = 0;
    for (;;) {
      const text = bytes.toString();
      const charPos = skipSpaceAndComments(text, bytes.subarray(0, pos).toString().length);
      if (charPos >= text.length) return;
      pos = Buffer.byteLength(text.slice(0, charPos));
      const rest = text.slice(charPos);
      const firstLine = rest.split("\n")[0]?.slice(0, 160) ?? "";
      this.statements++;
      try {
        const udf = JS_FUNCTION.exec(rest);
        if (udf) {
          this.createFunction(udf);
          pos += Buffer.byteLength(udf[0]);
          continue;
        }
        if (/^declare\b/i.test(rest)) {
          const parsed = await this.zeta.call("parse", {
            parse_resume_location: { input: text, byte_position: pos, allow_resume: true },
            options: languageOptions,
            allow_script: true,
          });
          const end = Number(parsed.resume_byte_position);
          const statement = bytes.subarray(pos, end).toString();
          const variable = await this.declare(statement, variables);
          variables.push(variable);
          // Later statements read it as a parameter: `name` → `@name`.
          const after = bytes
            .subarray(end)
            .toString()
            .replace(new RegExp(`(?<![@.\\w\`])${variable.name}\\b`, "g"), `@${variable.name}`);
          sql = bytes.subarray(0, end).toString() + after;
          bytes = Buffer.from(sql);
          pos = end;
          continue;
        }
        const response = await this.zeta.call("analyze", {
          options: this.options(variables),
          simple_catalog: this.catalog.proto(),
          parse_resume_location: { input: text, byte_position: pos, allow_resume: true },
        });
        this.record(response.resolved_statement);
        const next = Number(response.resume_byte_position);
        if (!(next > pos)) return;
        pos = next;
      } catch (error) {
        this.errors.push({
          action,
          message: error instanceof Error ? error.message : String(error),
          statement: firstLine,
        });
        return; // the rest of the script depends on this statement
      }
    }
  }

  /** A query the CLI runs on its own (a unit test's two queries): its output columns. */
  async query(action: string, sql: string): Promise<Column[] | undefined> {
    this.statements++;
    try {
      const response = await this.zeta.call("analyze", {
        options: this.options([]),
        simple_catalog: this.catalog.proto(),
        sql_statement: splitQuotedPaths(sql),
      });
      return columnsOf(response.resolved_statement);
    } catch (error) {
      this.errors.push({
        action,
        message: error instanceof Error ? error.message : String(error),
        statement: sql.trim().split("\n")[0]?.slice(0, 160) ?? "",
      });
      return undefined;
    }
  }

  /** `declare name TYPE default expr`: the default's type must be the declared one. */
  private async declare(statement: string, variables: Variable[]): Promise<Variable> {
    const m = /^declare\s+(\w+)\s+(\w+)\s+default\s+([\s\S]*?);?\s*$/i.exec(statement.trim());
    if (!m)
      throw new Error(`DECLARE without exactly one name, a type and a default: ${statement.slice(0, 120)}`);
    const [, name, declared, expression] = m as unknown as [string, string, string, string];
    const kind = declaredKinds[declared.toUpperCase()];
    if (!kind) throw new Error(`DECLARE ${name}: unknown type ${declared}`);
    const response = await this.zeta.call("analyze", {
      options: this.options(variables),
      simple_catalog: this.catalog.proto(),
      sql_expression: expression,
    });
    const got = (findKey(response.resolved_expression, "type") as TypeProto | undefined)?.type_kind;
    // BigQuery coerces an INT64 default into a FLOAT64/NUMERIC variable; nothing else.
    const coercible =
      got === "TYPE_INT64" && ["TYPE_DOUBLE", "TYPE_NUMERIC", "TYPE_BIGNUMERIC"].includes(kind);
    if (got !== kind && !coercible) {
      throw new Error(
        `DECLARE ${name} ${declared}: the default is ${got?.replace("TYPE_", "")}, not ${declared}`,
      );
    }
    return { name, type: { type_kind: kind } };
  }

  /** `create function p.d.f(a TYPE, …) returns TYPE language js as r"""…"""`: its signature joins the catalog. */
  private createFunction(m: RegExpExecArray): void {
    const [, rawPath, rawArgs, returns] = m as unknown as [string, string, string, string];
    const path = [...rawPath.matchAll(/`([^`]+)`|([^.`\s]+)/g)].map((p) => (p[1] ?? p[2]) as string);
    const kind = (t: string) => {
      const k = declaredKinds[t.toUpperCase()];
      if (!k) throw new Error(`CREATE FUNCTION ${path.join(".")}: unknown type ${t}`);
      return k;
    };
    const args = rawArgs
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean)
      .map((a) => kind(a.split(/\s+/)[1] ?? ""));
    this.catalog.setFunction(path, args, kind(returns));
  }

  /** CREATE TABLE … AS / CREATE VIEW: the new table joins the catalog with its resolved columns. */
  private record(statement: unknown): void {
    if (!statement || !Object.keys(statement).some((k) => k.startsWith("resolved_create_"))) return;
    const path = findKey(statement, "name_path") as string[] | undefined;
    const columns = columnsOf(statement);
    if (path && columns && path.length > 0) this.catalog.set(path, columns);
  }
}

function columnsOf(statement: unknown): Column[] | undefined {
  const list = findKey(statement, "output_column_list") as
    | { name: string; column: { type: TypeProto } }[]
    | undefined;
  return list?.map((c) => ({ name: c.name, type: c.column?.type }));
}

/** Every task of every action, in dependency order. */
export async function analyseGraph(analyser: Analyser, actions: GraphAction[]): Promise<void> {
  for (const action of dependencyOrder(actions)) {
    const name = `${action.target.schema}.${action.target.name}`;
    for (const task of action.tasks ?? []) await analyser.script(name, task.statement);
  }
}
