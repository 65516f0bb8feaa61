import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";

/**
 * The production artefact is the BigQuery-dialect graph. Without Google Cloud we (1) snapshot the
 * compiled SQL of every action in test/golden/ so any change to it is reviewed in the diff, and
 * (2) every statement is parsed, resolved and type-checked as BigQuery SQL by ZetaSQL in
 *     test/bigquery-analyser/analyser.test.ts (with planted mistakes it must catch).
 *
 * After an intended change to definitions/ or includes/, refresh the snapshots with
 *   UPDATE_GOLDEN=1 npx vitest run test/sql/bigquery.test.ts
 * and review `git diff test/golden`.
 */

const goldenDir = path.join(repoRoot(), "test", "golden");
const update = process.env.UPDATE_GOLDEN === "1";
const REFRESH = "UPDATE_GOLDEN=1 npx vitest run test/sql/bigquery.test.ts";

interface Statement {
  /** Path under test/golden/. */
  file: string;
  /** What the golden file holds (one or more statements). */
  text: string;
  /** The statements to parse as BigQuery. */
  statements: string[];
}

const bq = (t: { database?: string; schema: string; name: string }) =>
  `\`${[t.database, t.schema, t.name].filter(Boolean).join(".")}\``;

/** Every compiled statement, one golden file per action, in a stable order. */
function statementsOf(graph: CompiledGraph): Statement[] {
  const out: Statement[] = [];
  for (const t of graph.tables) {
    const ddl = `create or replace ${t.type === "view" ? "view" : "table"} ${bq(t.target)} as\n${t.query}`;
    out.push({
      file: `${t.target.schema}/${t.target.name}.sql`,
      text: `${t.query.trim()}\n`,
      statements: [ddl],
    });
  }
  for (const a of graph.assertions) {
    out.push({
      file: `${a.target.schema}/${a.target.name}.sql`,
      text: `${a.query.trim()}\n`,
      statements: [a.query],
    });
  }
  for (const t of graph.tests) {
    out.push({
      file: `tests/${t.name}.sql`,
      text: `-- test query\n${t.testQuery.trim()}\n\n-- expected output\n${t.expectedOutputQuery.trim()}\n`,
      statements: [t.testQuery, t.expectedOutputQuery],
    });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

function goldenFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(path.join(dir, e.name), `${prefix}${e.name}/`);
      else if (e.name.endsWith(".sql")) files.push(`${prefix}${e.name}`);
    }
  };
  walk(goldenDir, "");
  return files.sort();
}

let graph: CompiledGraph;
let statements: Statement[];
beforeAll(async () => {
  // The file's own vars, as production compiles them (as_of empty: the current time).
  graph = await compiledGraph({ dialect: "bigquery", as_of: "" });
  statements = statementsOf(graph);
});

describe("BigQuery compile", () => {
  it("compiles without errors and has outputs, assertions and unit tests", () => {
    expect(graph.graphErrors?.compilationErrors ?? []).toEqual([]);
    const names = graph.tables.map((t) => t.target.name);
    expect(names).toEqual(expect.arrayContaining(["drain_queue", "push_queue", "push_budget"]));
    expect(graph.assertions.length).toBeGreaterThan(10);
    expect(graph.tests.length).toBeGreaterThanOrEqual(4);
  });

  it("matches the golden snapshots in test/golden/", () => {
    if (update) {
      rmSync(goldenDir, { recursive: true, force: true });
      for (const s of statements) {
        mkdirSync(path.dirname(path.join(goldenDir, s.file)), { recursive: true });
        writeFileSync(path.join(goldenDir, s.file), s.text);
      }
    }
    const expectedFiles = statements.map((s) => s.file);
    const stale = goldenFiles().filter((f) => !expectedFiles.includes(f));
    const missing = expectedFiles.filter((f) => !goldenFiles().includes(f));
    const changed = statements
      .filter((s) => !missing.includes(s.file))
      .filter((s) => readFileSync(path.join(goldenDir, s.file), "utf8") !== s.text)
      .map((s) => s.file);
    const problems = [
      ...missing.map((f) => `missing golden ${f}`),
      ...stale.map((f) => `golden ${f} has no action any more`),
      ...changed.map((f) => `compiled SQL of ${f} changed`),
    ];
    expect(
      problems,
      `the BigQuery SQL differs from test/golden/. If the change is intended, run\n  ${REFRESH}\nand review the diff (git diff test/golden).`,
    ).toEqual([]);
  });

  it("uses no DuckDB-only syntax in the BigQuery graph", () => {
    const duckOnly = [
      /\bjson_merge_patch\b/i,
      /\btry_cast\b/i,
      /\bregexp_matches\b/i,
      /\bto_days\b/i,
      /\bexclude\s*\(/i,
    ];
    const offenders = statements.flatMap((s) =>
      duckOnly.filter((re) => s.statements.some((sql) => re.test(sql))).map((re) => `${s.file}: ${re}`),
    );
    expect(offenders).toEqual([]);
  });
});
