import { UserError } from "../core/errors.ts";
import {
  type AssertionAction,
  actionName,
  type CompiledGraph,
  type OperationAction,
  type TableAction,
  targetKey,
} from "./graph.ts";
import type { Node, RunGraphOptions } from "./run-types.ts";

/** Which actions of a compiled graph run, and in what order: nodes, topological order, --tags/--actions selection. */

export function buildNodes(graph: CompiledGraph): Map<string, Node> {
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
export function topologicalOrder(nodes: Map<string, Node>): Node[] {
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

export function selectNodes(nodes: Map<string, Node>, opts: RunGraphOptions): Set<string> {
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
