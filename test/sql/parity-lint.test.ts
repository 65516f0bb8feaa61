import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";
import { AS_OF } from "./harness.ts";
import { loadIncludes } from "./includes.ts";
import { declaredKeys, EXTRA_KEYS, type Finding, lintGraph, lintSql } from "./parity-lint.ts";

/**
 * The parity lint (test/sql/parity-lint.ts): it passes on every model in definitions/ compiled for
 * DuckDB, and it is a real check: it fails on the fixtures in test/fixtures/parity/ that use a plain
 * TRIM, an implicit NULL order, a non-total window and the other listed functions.
 */

const fixture = (name: string) =>
  readFileSync(path.join(repoRoot(), "test", "fixtures", "parity", name), "utf8");
const rulesOf = (findings: Finding[]) => [...new Set(findings.map((f) => f.rule))].sort();
const LEAD_KEY = [["lead_id"]];

type Helper = (...args: string[]) => string;
type Helpers = Record<(typeof HELPERS)[number], Helper>;
const HELPERS = [
  "trimAll",
  "ltrimAll",
  "rtrimAll",
  "lowerAscii",
  "upperAscii",
  "intDiv",
  "safeDivide",
  "regexpExtract",
  "regexpReplace",
  "dateTrunc",
  "timestampTrunc",
] as const;

/** includes/sql.js evaluated as Dataform does (test/sql/includes.ts). */
function loadSqlHelpers(dialect: "duckdb" | "bigquery"): Helpers {
  const sql = loadIncludes({ dialect })("sql");
  for (const name of HELPERS) {
    if (typeof sql[name] !== "function") throw new Error(`includes/sql.js has no ${name}()`);
  }
  return sql as unknown as Helpers;
}

let graph: CompiledGraph;
beforeAll(async () => {
  graph = await compiledGraph({ dialect: "duckdb", as_of: AS_OF });
});

describe("parity lint on definitions/", () => {
  it("finds nothing in any model, operation or hand-written assertion", () => {
    const findings = lintGraph(graph).map((f) => `${f.where} [${f.rule}] ${f.message}`);
    expect(findings).toEqual([]);
  });

  it("looked at the windows: the graph has order-sensitive windows and declared keys", () => {
    const windows = graph.tables.flatMap((t) => t.query.match(/row_number\(\)\s+over/gi) ?? []);
    expect(windows.length).toBeGreaterThan(15);
    const keys = declaredKeys(graph);
    expect(keys.get("cold_email_staging.stg_instantly_lead_state")).toEqual([["lead_id"]]);
    expect(keys.get("cold_email_staging.int_contact_history")).toContainEqual(["email", "campaign_id"]);
  });

  it("every EXTRA_KEYS entry names a relation of the graph (no stale entries)", () => {
    const names = new Set([...graph.tables, ...graph.declarations].map((t) => t.target.name));
    expect(Object.keys(EXTRA_KEYS).filter((name) => !names.has(name))).toEqual([]);
  });

  it("a model that drops a NULL placement or a tiebreaker is reported", () => {
    const table = graph.tables.find((t) => t.target.name === "int_push_candidates");
    expect(table).toBeDefined();
    const keys = [["email"], ["lead_rank"]];
    const query = table?.query ?? "";
    expect(lintSql(query, "int_push_candidates", keys)).toEqual([]);
    const implicit = query.replace("eligibility.score desc nulls last", "eligibility.score desc");
    expect(rulesOf(lintSql(implicit, "int_push_candidates", keys))).toEqual(["nulls"]);
    const untied = query.replace(/,\s*eligibility\.email asc nulls last/, "");
    expect(rulesOf(lintSql(untied, "int_push_candidates", keys))).toEqual(["total"]);
  });
});

describe("parity lint fixtures", () => {
  it("fails on a plain one-argument trim (and the lower around it)", () => {
    const findings = lintSql(fixture("plain-trim.sql"), "plain-trim.sql");
    expect(rulesOf(findings)).toEqual(["case", "trim"]);
    expect(findings.find((f) => f.rule === "trim")?.message).toContain("sql.trimAll");
  });

  it("fails on window ORDER BY terms that leave NULL placement implicit", () => {
    const findings = lintSql(fixture("implicit-nulls.sql"), "implicit-nulls.sql", LEAD_KEY);
    expect(findings.map((f) => f.rule)).toEqual(["nulls", "nulls"]);
    expect(findings[0]?.message).toContain("updated_at desc");
  });

  it("fails on a window ORDER BY that does not end in a unique key", () => {
    const findings = lintSql(fixture("not-total.sql"), "not-total.sql", LEAD_KEY);
    expect(rulesOf(findings)).toEqual(["total"]);
    expect(findings[0]?.message).toContain("(lead_id)");
  });

  it("fails on each other listed function used plainly", () => {
    const findings = lintSql(fixture("divergent-functions.sql"), "divergent-functions.sql");
    expect(rulesOf(findings)).toEqual(["case", "division", "extract", "regex", "trim", "trunc"]);
    expect(findings.filter((f) => f.rule === "regex")).toHaveLength(2);
  });

  it("passes SQL that uses two-argument trim, translate and a total NULL-explicit order; strings and comments are not code", () => {
    expect(lintSql(fixture("clean.sql"), "clean.sql", LEAD_KEY)).toEqual([]);
  });

  it("accepts every parity helper's DuckDB output, marker included", () => {
    const sql = loadSqlHelpers("duckdb");
    const statement = `select
      ${sql.trimAll("a")}, ${sql.ltrimAll("a")}, ${sql.rtrimAll("a")},
      ${sql.lowerAscii("a")}, ${sql.upperAscii("a")},
      ${sql.intDiv("n", "m")}, ${sql.safeDivide("n", "m")},
      ${sql.regexpExtract("e", "@(.*)$")}, ${sql.regexpReplace("v", "^www\\.", "")},
      ${sql.dateTrunc("d", "week")}, ${sql.timestampTrunc("t", "month")}
    from x`;
    expect(lintSql(statement, "helpers")).toEqual([]);
    // Without the marker the same DuckDB text is a plain call.
    expect(rulesOf(lintSql(statement.replace(/\/\*parity:[a-zA-Z]+\*\/ /g, ""), "helpers"))).toEqual([
      "division",
      "regex",
      "trunc",
    ]);
  });

  it("puts no marker in the BigQuery SQL (the goldens stay plain BigQuery)", () => {
    const sql = loadSqlHelpers("bigquery");
    const text = [sql.trimAll("a"), sql.regexpExtract("e", "@(.*)$"), sql.safeDivide("a", "b")].join(" ");
    expect(text).toBe("trim(a) regexp_extract(e, '@(.*)$') SAFE_DIVIDE(a, b)");
  });
});
