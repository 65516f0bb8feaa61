import type { CompiledGraph, Target } from "../dataform/graph.ts";
import { targetKey } from "../dataform/graph.ts";

/**
 * The Dataform graph as a picture: sources → staging → intermediate → outputs and reporting, laid out
 * by layer from the compiled graph (engine/src/dataform/compile.ts), as inline SVG with no library.
 *
 * Layers come from the folder of each action's file (definitions/<layer>/...). Outputs and reporting
 * share the last column (stacked): neither reads the other, so no edge has to cross a column. Inside
 * a column nodes are ordered by their depth within the layer, then by the mean position of their
 * parents (one barycenter pass), which keeps most edges short. Edges between columns are curves from
 * right to left; edges inside a column are arcs on its left side. Assertions and unit tests are left
 * out: they check the graph, they are not part of its flow.
 */

export const LAYERS = ["sources", "staging", "intermediate", "outputs", "reporting"] as const;
export type Layer = (typeof LAYERS)[number];

export interface LineageNode {
  key: string;
  name: string;
  layer: Layer;
  type: string;
  parents: string[];
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: Array<{ from: string; to: string }>;
}

/** Nodes and edges of the compiled graph (declarations, tables, views, incrementals, operations). */
export function lineageFromGraph(graph: CompiledGraph): LineageGraph {
  const nodes = new Map<string, LineageNode>();
  const add = (target: Target, type: string, fileName: string | undefined, deps: Target[]) => {
    const layer = layerOf(fileName, type);
    if (!layer) return;
    nodes.set(targetKey(target), {
      key: targetKey(target),
      name: target.name,
      layer,
      type,
      parents: deps.map(targetKey),
    });
  };
  for (const d of graph.declarations) add(d.target, "declaration", d.fileName, []);
  for (const t of graph.tables) if (!t.disabled) add(t.target, t.type, t.fileName, t.dependencyTargets);
  for (const o of graph.operations) {
    if (!o.disabled && o.hasOutput) add(o.target, "operations", o.fileName, o.dependencyTargets);
  }
  for (const n of nodes.values()) n.parents = n.parents.filter((p) => nodes.has(p));
  const edges = [...nodes.values()].flatMap((n) => n.parents.map((from) => ({ from, to: n.key })));
  return { nodes: [...nodes.values()], edges };
}

function layerOf(fileName: string | undefined, type: string): Layer | undefined {
  if (type === "declaration") return "sources";
  const folder = fileName?.split("/")[1];
  return LAYERS.find((l) => l === folder);
}

const NODE_W = 212;
const NODE_H = 22;
const ROW = 28;
const COL_GAP = 96;
const TOP = 34;
const LEFT = 12;
const COLUMNS: Layer[][] = [["sources"], ["staging"], ["intermediate"], ["outputs", "reporting"]];
const LAYER_COLOURS: Record<Layer, string> = {
  sources: "#64748b",
  staging: "#0891b2",
  intermediate: "#7c3aed",
  outputs: "#ea580c",
  reporting: "#16a34a",
};

interface Placed extends LineageNode {
  x: number;
  y: number;
}

/** Positions per node: column by layer, row by (depth in layer, parents' mean row). */
export function layoutLineage(graph: LineageGraph): {
  placed: Map<string, Placed>;
  width: number;
  height: number;
} {
  const byKey = new Map(graph.nodes.map((n) => [n.key, n]));
  const depth = new Map<string, number>();
  const depthOf = (key: string, seen = new Set<string>()): number => {
    const known = depth.get(key);
    if (known !== undefined) return known;
    const node = byKey.get(key);
    if (!node || seen.has(key)) return 0;
    seen.add(key);
    const same = node.parents.filter((p) => byKey.get(p)?.layer === node.layer);
    const d = same.length === 0 ? 0 : 1 + Math.max(...same.map((p) => depthOf(p, seen)));
    depth.set(key, d);
    return d;
  };
  const row = new Map<string, number>();
  const placed = new Map<string, Placed>();
  let height = 0;
  // Staging first (it anchors the picture), then sources by their children, then the rest left to right.
  const order = [1, 0, 2, 3];
  for (const column of order) {
    let y = 0;
    for (const layer of COLUMNS[column] ?? []) {
      const members = graph.nodes.filter((n) => n.layer === layer);
      const anchor = (n: LineageNode) => {
        const near =
          column === 0
            ? graph.nodes.filter((c) => c.parents.includes(n.key)).map((c) => row.get(c.key))
            : n.parents.map((p) => row.get(p));
        const rows = near.filter((r): r is number => r !== undefined);
        return rows.length === 0 ? Number.MAX_SAFE_INTEGER : rows.reduce((a, b) => a + b, 0) / rows.length;
      };
      members.sort(
        (a, b) => depthOf(a.key) - depthOf(b.key) || anchor(a) - anchor(b) || a.name.localeCompare(b.name),
      );
      if (column === 3 && y > 0) y += 1; // a gap between outputs and reporting
      for (const n of members) {
        row.set(n.key, y);
        placed.set(n.key, { ...n, x: LEFT + column * (NODE_W + COL_GAP), y: TOP + y * ROW });
        y++;
      }
    }
    height = Math.max(height, TOP + y * ROW);
  }
  return { placed, width: LEFT + COLUMNS.length * (NODE_W + COL_GAP) - COL_GAP + 10, height: height + 10 };
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The SVG picture (self-contained: no external font, style or script). */
export function renderLineageSvg(graph: LineageGraph): string {
  const { placed, width, height } = layoutLineage(graph);
  const parts: string[] = [];
  for (const e of graph.edges) {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    if (!a || !b) continue;
    const ay = a.y + NODE_H / 2;
    const by = b.y + NODE_H / 2;
    if (a.x === b.x) {
      const bulge = 14 + Math.abs(by - ay) * 0.12;
      parts.push(
        `<path class="edge" d="M${a.x} ${ay} C${a.x - bulge} ${ay} ${b.x - bulge} ${by} ${b.x} ${by}" stroke="${LAYER_COLOURS[a.layer]}"/>`,
      );
    } else {
      const x1 = a.x + NODE_W;
      const mid = (x1 + b.x) / 2;
      parts.push(
        `<path class="edge" d="M${x1} ${ay} C${mid} ${ay} ${mid} ${by} ${b.x} ${by}" stroke="${LAYER_COLOURS[a.layer]}"/>`,
      );
    }
  }
  for (const n of placed.values()) {
    const colour = LAYER_COLOURS[n.layer];
    parts.push(
      `<g class="node" data-layer="${n.layer}"><title>${esc(`${n.key} (${n.type})`)}</title>` +
        `<rect x="${n.x}" y="${n.y}" width="${NODE_W}" height="${NODE_H}" rx="5" fill="#fff" stroke="${colour}"/>` +
        `<rect x="${n.x}" y="${n.y}" width="5" height="${NODE_H}" rx="2" fill="${colour}"/>` +
        `<text x="${n.x + 11}" y="${n.y + 15}">${esc(n.name)}</text></g>`,
    );
  }
  const headers = COLUMNS.map((layers, i) => {
    const x = LEFT + i * (NODE_W + COL_GAP);
    const label = layers.map((l) => `<tspan fill="${LAYER_COLOURS[l]}">${l}</tspan>`).join(" · ");
    return `<text class="layer" x="${x}" y="16">${label}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="lineage" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Dataform lineage: ${graph.nodes.length} actions">`,
    "<style>.edge{fill:none;stroke-width:1.2;opacity:.45}.node text{font:11.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#0f172a}.layer{font:600 12px system-ui,sans-serif;text-transform:uppercase;letter-spacing:.06em}</style>",
    ...headers,
    ...parts,
    "</svg>",
  ].join("\n");
}
