import type { ExecutionGraph, GraphAction } from "../execution-graph/capture.ts";

/**
 * Planted mistakes: each rewrites the captured SQL of one action the way an analyst's slip would
 * change it, and names the error BigQuery's analyser must report. They find their spot by shape
 * (the first statement that has one), so new models in definitions/ do not break them; a plant that
 * finds no spot fails the test with its name instead of passing quietly.
 */
export interface Plant {
  name: string;
  /** Which capture it applies to. */
  run: "fresh" | "incremental";
  /**
   * Rewrites one statement of one action not in `taken` (the analyser stops at an action's first
   * error, so two plants never share one); returns the action that must fail, or undefined.
   */
  apply(graph: ExecutionGraph, taken: Set<string>): { action: string; expected: RegExp } | undefined;
}

const id = (a: GraphAction) => `${a.target.schema}.${a.target.name}`;

/** The first task (in target order) whose statement `match` changes, rewritten in place. */
function rewriteFirst(
  graph: ExecutionGraph,
  taken: Set<string>,
  rewrite: (statement: string, action: GraphAction) => string | undefined,
  filter: (a: GraphAction) => boolean = () => true,
): string | undefined {
  const actions = [...graph.actions]
    .filter((a) => filter(a) && !taken.has(id(a)))
    .sort((a, b) => id(a).localeCompare(id(b)));
  for (const action of actions) {
    for (const task of action.tasks ?? []) {
      const next = rewrite(task.statement, action);
      if (next !== undefined && next !== task.statement) {
        task.statement = next;
        taken.add(id(action));
        return id(action);
      }
    }
  }
  return undefined;
}

const views = (a: GraphAction) => a.type === "table" && a.tableType === "view";
const tables = (a: GraphAction) => a.type === "table" && a.tableType === "table";
const assertions = (a: GraphAction) => a.type === "assertion";

/** Replace the first match of `re` in a statement (by a function of the match). */
const once = (re: RegExp, by: (m: RegExpExecArray) => string) => (statement: string) => {
  const m = re.exec(statement);
  return m ? statement.slice(0, m.index) + by(m) + statement.slice(m.index + m[0].length) : undefined;
};

export const plants: Plant[] = [
  {
    name: "a misspelt column",
    run: "fresh",
    apply(graph, taken) {
      let column = "";
      const action = rewriteFirst(
        graph,
        taken,
        once(/\n(\s+)([a-z]+_[a-z_]+),\n/, (m) => {
          column = `${m[2]}x`;
          return `\n${m[1]}${column},\n`;
        }),
        views,
      );
      return action ? { action, expected: new RegExp(`Unrecognized name: ${column}`) } : undefined;
    },
  },
  {
    name: "STRING = INT64",
    run: "fresh",
    apply(graph, taken) {
      const action = rewriteFirst(
        graph,
        taken,
        once(/\b([a-z_]+) = '[a-z_]+'/, (m) => `${m[1]} = 1`),
        assertions,
      );
      const expected = /No matching signature for operator = for argument types: STRING, INT64/;
      return action ? { action, expected } : undefined;
    },
  },
  {
    name: "an unknown function",
    run: "fresh",
    apply(graph, taken) {
      const action = rewriteFirst(
        graph,
        taken,
        once(/\bcoalesce\(/, () => "ifnull_or_default("),
        views,
      );
      return action ? { action, expected: /Function not found: ifnull_or_default/ } : undefined;
    },
  },
  {
    name: "a DuckDB :: cast",
    run: "fresh",
    apply(graph, taken) {
      const action = rewriteFirst(
        graph,
        taken,
        once(/\bcast\(([a-z_.]+) as STRING\)/i, (m) => `${m[1]}::varchar`),
        (a) => views(a) || tables(a),
      );
      return action ? { action, expected: /Syntax error/ } : undefined;
    },
  },
  {
    name: "a column dropped upstream",
    run: "fresh",
    apply(graph, taken) {
      // Drop a column that a downstream action reads from the view: `select * except (c)` around the view.
      const readers = new Map<string, GraphAction[]>();
      for (const a of graph.actions) {
        for (const d of a.dependencyTargets ?? []) {
          const key = `${d.schema}.${d.name}`;
          readers.set(key, [...(readers.get(key) ?? []), a]);
        }
      }
      for (const upstream of [...graph.actions].filter(views).sort((a, b) => id(a).localeCompare(id(b)))) {
        const task = upstream.tasks?.[0];
        const head = task && /create or replace view `[^`]+` as\s*/i.exec(task.statement);
        if (!task || !head || taken.has(id(upstream))) continue;
        const from = `from \`${upstream.target.database}.${id(upstream)}\``;
        for (const reader of (readers.get(id(upstream)) ?? []).filter((a) => views(a) && !taken.has(id(a)))) {
          // A column the reader filters the view on: `select * from <view> where <column>`.
          const statement = reader.tasks?.[0]?.statement ?? "";
          const at = statement.indexOf(from);
          const m = at < 0 ? null : /^\s*where\s+([a-z]+_[a-z_]+)\b/.exec(statement.slice(at + from.length));
          if (!m) continue;
          const body = task.statement.slice(head.index + head[0].length).replace(/;\s*$/, "");
          task.statement = `${head[0]}select * except (${m[1]}) from (\n${body}\n)`;
          taken.add(id(upstream));
          taken.add(id(reader));
          return { action: id(reader), expected: new RegExp(`Unrecognized name: ${m[1]}`) };
        }
      }
      return undefined;
    },
  },
  {
    name: "a bad uniqueKey",
    run: "incremental",
    apply(graph, taken) {
      let key = "";
      const action = rewriteFirst(
        graph,
        taken,
        once(/on DATAFORM_DEST\.(\w+) = DATAFORM_SOURCE\.(\w+)/, (m) => {
          key = `${m[1]}s`;
          return `on DATAFORM_DEST.${key} = DATAFORM_SOURCE.${key}`;
        }),
      );
      return action
        ? { action, expected: new RegExp(`Name ${key} not found inside DATAFORM_DEST`) }
        : undefined;
    },
  },
  {
    name: "a mistyped DECLARE default",
    run: "incremental",
    apply(graph, taken) {
      const action = rewriteFirst(
        graph,
        taken,
        once(/declare (\w+) TIMESTAMP default/, (m) => `declare ${m[1]} DATE default`),
      );
      return action
        ? { action, expected: /DECLARE \w+ DATE: the default is TIMESTAMP, not DATE/ }
        : undefined;
    },
  },
  {
    name: "an ungrouped column",
    run: "fresh",
    apply(graph, taken) {
      let column = "";
      const action = rewriteFirst(
        graph,
        taken,
        once(/\n[ \t]*group by ([a-z_]+)[ \t]*\n/, (m) => {
          column = m[1] as string;
          return "\n";
        }),
        (a) => views(a) || tables(a),
      );
      return action
        ? { action, expected: new RegExp(`${column}.*neither grouped nor aggregated`) }
        : undefined;
    },
  },
];
