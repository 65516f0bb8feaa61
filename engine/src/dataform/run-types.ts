import type { ActionType, AssertionAction, OperationAction, TableAction, Target } from "./graph.ts";

/** The shapes the graph runner (runner.ts) takes and returns; a leaf module with no code. */

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

/** One runnable action of the graph (declarations and unit tests are not nodes). */
export interface Node {
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

export interface NodeOutcome {
  failure?: string;
  details: Partial<ActionResult>;
}

export type Norm = (sql: string) => string;
