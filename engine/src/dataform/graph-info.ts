/**
 * Naming and counting of compiled-graph actions. Kept apart from graph.ts (the zod schemas) so
 * commands can name and count actions without loading zod at start; it imports nothing, so graph.ts
 * can re-export it without a cycle.
 */

interface Named {
  schema: string;
  name: string;
}

/** The parts of a CompiledGraph (graph.ts) that counting reads. */
interface GraphActions {
  tables: { type: string }[];
  operations: unknown[];
  assertions: unknown[];
  declarations: unknown[];
  tests: unknown[];
}

/** Every runnable action kind of the graph, as the runner and its reports name them. */
export type ActionType =
  | "view"
  | "table"
  | "incremental"
  | "operations"
  | "assertion"
  | "declaration"
  | "test";

/** `schema.name`: how the runner, its progress lines and `--actions` name an action. */
export function actionName(target: Named): string {
  return `${target.schema}.${target.name}`;
}

/** Stable key of a target for dependency lookups (the database part is ignored: DuckDB has no projects). */
export function targetKey(target: Named): string {
  return `${target.schema}.${target.name}`.toLowerCase();
}

/** Count of actions per kind, for summaries. */
export function countActions(graph: GraphActions): Record<ActionType, number> {
  const tables = (type: string) => graph.tables.filter((t) => t.type === type).length;
  return {
    view: tables("view"),
    table: tables("table"),
    incremental: tables("incremental"),
    operations: graph.operations.length,
    assertion: graph.assertions.length,
    declaration: graph.declarations.length,
    test: graph.tests.length,
  };
}
