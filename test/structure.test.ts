import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import madge from "madge";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../engine/src/config/paths.ts";
import type { CompiledGraph } from "../engine/src/dataform/graph.ts";
import { compiledGraph } from "./setup/compiled-graph.ts";
import { configKeys } from "./sql/parity-lint.ts";

/**
 * The structure rules of engine/src that a reader relies on (`npm run check:structure` runs this file):
 * no import cycle, so every module can be read after the ones it imports; no file over 400 lines, so
 * each stays small enough to own one thing.
 */
const SRC = path.join(repoRoot(), "engine", "src");
const TSCONFIG = path.join(repoRoot(), "tsconfig.json");
const MAX_LINES = 400;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

const graphOf = (dir: string) => madge(dir, { fileExtensions: ["ts"], tsConfig: TSCONFIG });

describe("engine/src structure", () => {
  it("has no import cycle (madge, every import resolved)", async () => {
    const graph = await graphOf(SRC);
    // An import madge cannot resolve would hide a cycle through it: every .ts file must be a node.
    expect(graph.warnings().skipped).toEqual([]);
    const tsFiles = filesUnder(SRC).filter((f) => f.endsWith(".ts"));
    expect(Object.keys(graph.obj()).length).toBe(tsFiles.length);
    expect(graph.circular()).toEqual([]);
  }, 120_000);

  it("the cycle check finds a cycle when there is one", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "structure-"));
    writeFileSync(path.join(dir, "a.ts"), 'import { b } from "./b.ts";\nexport const a = () => b;\n');
    writeFileSync(path.join(dir, "b.ts"), 'import { a } from "./a.ts";\nexport const b = () => a;\n');
    writeFileSync(path.join(dir, "c.ts"), 'import { a } from "./a.ts";\nexport const c = a;\n');
    const graph = await graphOf(dir);
    expect(graph.circular()).toEqual([["a.ts", "b.ts"]]);
  }, 60_000);

  it(`has no file over ${MAX_LINES} lines`, () => {
    const files = filesUnder(SRC);
    expect(files.length).toBeGreaterThan(100);
    const over = files
      .map((f) => ({ file: path.relative(SRC, f), lines: readFileSync(f, "utf8").split("\n").length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(over).toEqual([]);
  });
});

/**
 * Models below the outputs that cannot assert a key, each with why. A built-in uniqueKey assertion
 * reads the whole relation without a filter, which BigQuery refuses on a table that requires a
 * partition filter.
 */
const KEYLESS: Record<string, string> = {
  stg_instantly_lead_snapshots:
    "every pulled lead row over instantly_leads (requirePartitionFilter: engine/src/warehouse/bigquery-schema.ts); its readers key it: stg_instantly_lead_state (uniqueKey lead_id), stg_instantly_pull_campaigns (uniqueKey run_id, campaign_id)",
};

/** Staging and intermediate models (by file) that declare no key in their config: no uniqueKey, no uniqueKey assertion. */
function modelsWithoutKey(graph: CompiledGraph): string[] {
  const keys = configKeys(graph);
  return graph.tables
    .filter((t) => /^definitions\/(staging|intermediate)\//.test(t.fileName ?? ""))
    .filter((t) => !keys.has(`${t.target.schema}.${t.target.name}`) && KEYLESS[t.target.name] === undefined)
    .map((t) => t.target.name)
    .sort();
}

describe("definitions/ grain", () => {
  let graph: CompiledGraph;
  it("every staging and intermediate model declares its key (uniqueKey or a uniqueKey assertion)", async () => {
    graph = await compiledGraph({ dialect: "duckdb" });
    const models = graph.tables.filter((t) =>
      /^definitions\/(staging|intermediate)\//.test(t.fileName ?? ""),
    );
    expect(models.length).toBeGreaterThan(30);
    expect(modelsWithoutKey(graph)).toEqual([]);
    // No stale exemption: each names a model that still exists and still has no key.
    const keys = configKeys(graph);
    for (const name of Object.keys(KEYLESS)) {
      const model = models.find((t) => t.target.name === name);
      expect(model, name).toBeDefined();
      expect(keys.has(`${model?.target.schema}.${name}`), name).toBe(false);
    }
  }, 120_000);

  it("a model whose key assertion is dropped is reported", () => {
    const dropped: CompiledGraph = {
      ...graph,
      assertions: graph.assertions.filter((a) => a.parentAction?.name !== "int_lead_scores"),
    };
    expect(modelsWithoutKey(dropped)).toEqual(["int_lead_scores"]);
  });
});

/** Files of includes/ and definitions/ that read `dataform.projectConfig.vars` (the project's vars). */
function varReaders(): string[] {
  const root = repoRoot();
  return ["includes", "definitions"]
    .flatMap((dir) => filesUnder(path.join(root, dir)))
    .filter((f) => /\.(js|sqlx)$/.test(f))
    .filter((f) => /projectConfig\s*\.\s*vars|projectConfig\s*\[/.test(readFileSync(f, "utf8")))
    .map((f) => path.relative(root, f))
    .sort();
}

describe("vars for the SQL", () => {
  it("are read from dataform.projectConfig.vars only by includes/config.js, which parses and defaults them", () => {
    expect(varReaders()).toEqual(["includes/config.js"]);
  });
});

/**
 * Lines of the definitions/tests/*.sqlx row queries (inputs and expected rows) that do not name their
 * column: every `select` stands on its own line and every value after it ends in `as <column>`.
 */
function unnamedTestValues(): string[] {
  const dir = path.join(repoRoot(), "definitions", "tests");
  const out: string[] = [];
  for (const file of filesUnder(dir).filter((f) => f.endsWith(".sqlx"))) {
    let inRow = false;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const text = line.trim();
        if (/^select\b/i.test(text) && text !== "select") out.push(`${path.basename(file)}:${i + 1}`);
        if (/^select\b/i.test(text)) inRow = true;
        else if (text === "" || text === "}" || /^(union all|limit|from)\b/i.test(text)) inRow = false;
        else if (inRow && !/\bas [a-z_][a-z0-9_]*,?$/i.test(text))
          out.push(`${path.basename(file)}:${i + 1}`);
      });
  }
  return out;
}

describe("Dataform unit tests", () => {
  it("name the column of every value they list (no positional rows)", () => {
    expect(filesUnder(path.join(repoRoot(), "definitions", "tests")).length).toBeGreaterThan(10);
    expect(unnamedTestValues()).toEqual([]);
  });
});

describe("states", () => {
  // A lead's address `state` (the US state column) is a nullable text column, not a run or action state.
  const UNTYPED_STATE = /\bstate\??: string(?!\s*\|)/;

  it("every action, run and alert state in engine/src is a typed union (core/states.ts and kin), never any string", () => {
    const found = filesUnder(SRC)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .flatMap((line, i) => (UNTYPED_STATE.test(line) ? [`${path.relative(SRC, f)}:${i + 1}`] : [])),
      );
    expect(found).toEqual([]);
  });

  it("the check finds an untyped state", () => {
    expect(UNTYPED_STATE.test("  state: string;")).toBe(true);
    expect(UNTYPED_STATE.test("function f(op: string, state: string) {")).toBe(true);
    expect(UNTYPED_STATE.test("  state: string | null; // the lead's address")).toBe(false);
    expect(UNTYPED_STATE.test("  state: ActionStateName;")).toBe(false);
  });
});
