import { actionName, type CompiledGraph } from "../dataform/graph.ts";

/**
 * The compiled graph as Graphviz dot (`engine compile --dot | dot -Tsvg > graph.svg`): one node per
 * action, shaped by type (declarations are sources, assertions are checks), one edge per dependency.
 * Assertions are left out with `assertions: false` so the model graph stays readable.
 */
export function graphToDot(graph: CompiledGraph, options: { assertions?: boolean } = {}): string {
  const lines = ["digraph dataform {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];'];
  const quote = (s: string) => JSON.stringify(s);
  const node = (name: string, attrs: string) => lines.push(`  ${quote(name)} [${attrs}];`);
  for (const d of graph.declarations)
    node(actionName(d.target), 'shape=cylinder, style=filled, fillcolor="#eeeeee"');
  for (const t of graph.tables) {
    const shape = t.type === "view" ? "ellipse" : t.type === "incremental" ? "box3d" : "box";
    node(actionName(t.target), `shape=${shape}${t.disabled ? ", style=dashed" : ""}`);
  }
  for (const o of graph.operations) node(actionName(o.target), "shape=cds");
  const withAssertions = options.assertions ?? true;
  if (withAssertions)
    for (const a of graph.assertions) node(actionName(a.target), "shape=note, color=gray40");
  const actions = [...graph.tables, ...graph.operations, ...(withAssertions ? graph.assertions : [])];
  // Without assertions, an action that waits for them (transform_seal) loses those edges too.
  const assertionNames = new Set(graph.assertions.map((a) => actionName(a.target)));
  for (const a of actions) {
    for (const dep of a.dependencyTargets) {
      if (!withAssertions && assertionNames.has(actionName(dep))) continue;
      lines.push(`  ${quote(actionName(dep))} -> ${quote(actionName(a.target))};`);
    }
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
