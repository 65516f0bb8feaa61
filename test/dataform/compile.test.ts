import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../engine/src/core/errors.ts";
import { compileProject, formatVars } from "../../engine/src/dataform/compile.ts";
import { actionName, type CompiledGraph, countActions } from "../../engine/src/dataform/graph.ts";
import { copyFixture, type FixtureProject } from "./fixture.ts";

let fixture: FixtureProject;
let duck: CompiledGraph;
let bigquery: CompiledGraph;

beforeAll(async () => {
  fixture = copyFixture();
  [duck, bigquery] = await Promise.all([
    // segments has a comma: passing it unchanged must work (only changed vars reach --vars).
    compileProject({
      projectDir: fixture.dir,
      vars: { dialect: "duckdb", min_score: "25", segments: "smb" },
    }),
    compileProject({ projectDir: fixture.dir }),
  ]);
});
afterAll(() => fixture.remove());

describe("compileProject", () => {
  it("returns the validated graph with every action kind and proto3 omissions defaulted", () => {
    expect(countActions(duck)).toEqual({
      view: 2,
      table: 3,
      incremental: 2,
      operations: 1,
      assertion: 4,
      declaration: 2,
      test: 1,
    });
    const stg = duck.tables.find((t) => t.target.name === "stg_people");
    expect(stg?.postOps).toEqual([]); // omitted in the JSON, defaulted by the schema
    expect(stg?.uniqueKey).toEqual([]);
    expect(duck.tables.find((t) => t.target.name === "disabled_table")?.disabled).toBe(true);
    expect(duck.tables.find((t) => t.target.name === "people_log")?.uniqueKey).toEqual(["email"]);
    expect(duck.graphErrors.compilationErrors).toEqual([]);
    expect(duck.assertions.map((a) => actionName(a.target)).sort()).toEqual([
      "fx_assertions.fx_people_scores_assertions_rowConditions",
      "fx_assertions.fx_people_scores_assertions_uniqueKey_0",
      "fx_assertions.fx_staging_stg_people_assertions_rowConditions",
      "fx_assertions.no_future_events",
    ]);
  });

  it("passes vars over workflow_settings.yaml per key", () => {
    expect(duck.projectConfig.vars.dialect).toBe("duckdb");
    expect(duck.projectConfig.vars.min_score).toBe("25");
    expect(duck.projectConfig.vars.raw_dataset).toBe("fx_raw");
    expect(duck.tables.find((t) => t.target.name === "people_log")?.query).toContain("s.score >= 25");
    expect(bigquery.projectConfig.vars.dialect).toBe("bigquery");
  });

  it("selects the includes/sql.js helpers by the dialect var", () => {
    const q = (g: CompiledGraph) => g.tables.find((t) => t.target.name === "sql_helpers")?.query ?? "";
    expect(q(bigquery)).toContain("SAFE_CAST('12' AS INT64)");
    expect(q(bigquery)).toContain("DATE_DIFF(DATE '2024-03-01', DATE '2024-02-01', DAY)");
    expect(q(bigquery)).toContain("TO_HEX(MD5('abc'))");
    expect(q(bigquery)).toContain("DATE_TRUNC(DATE '2024-03-06', ISOWEEK)");
    expect(q(duck)).toContain("TRY_CAST('12' AS BIGINT)");
    expect(q(duck)).toContain("date_diff('day', DATE '2024-02-01', DATE '2024-03-01')");
    expect(q(duck)).toContain("md5('abc')");
    // The BigQuery-only DECLARE is gated on the dialect: present for BigQuery, absent for DuckDB.
    const pre = (g: CompiledGraph) =>
      g.tables.find((t) => t.target.name === "people_log")?.incrementalPreOps ?? [];
    expect(pre(bigquery).join("")).toContain("DECLARE run_ts TIMESTAMP");
    expect(pre(duck).join("")).not.toContain("DECLARE");
  });

  it("reports every compilation error with its file and message, without a stack trace", async () => {
    const broken = copyFixture();
    try {
      broken.write(
        "definitions/broken_ref.sqlx",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: SQLX source text.
        'config { type: "table" }\nSELECT * FROM ${ref("does_not_exist")}\n',
      );
      broken.write("definitions/broken_syntax.sqlx", 'config { type: "view"\nSELECT 1\n');
      const error = await compileProject({ projectDir: broken.dir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      const message = (error as UserError).message;
      expect(message).toMatch(/Dataform compilation failed with \d+ errors/);
      expect(message).toContain("definitions/broken_syntax.sqlx: Unexpected identifier 'SELECT'");
      expect(message).toMatch(/definitions\/broken_ref\.sqlx: Missing dependency detected: .*does_not_exist/);
      expect(message).not.toMatch(/\n\s+at /); // no stack frames
      expect((error as UserError).hint).toContain("engine compile");
    } finally {
      broken.remove();
    }
  });

  it("explains a project without workflow_settings.yaml or without an installed core", async () => {
    await expect(compileProject({ projectDir: path.join(fixture.dir, "definitions") })).rejects.toThrow(
      /workflow_settings\.yaml is missing/,
    );
    const bare = copyFixture();
    try {
      rmSync(path.join(bare.dir, "node_modules"), { recursive: true });
      await expect(compileProject({ projectDir: bare.dir })).rejects.toThrow(
        /@dataform\/core is not installed/,
      );
    } finally {
      bare.remove();
    }
  });
});

describe("formatVars", () => {
  it("formats vars for --vars and rejects values the CLI would split", () => {
    expect(formatVars({ dialect: "duckdb", cap: "10" })).toBe("dialect=duckdb,cap=10");
    expect(() => formatVars({ segments: "a,b" })).toThrow(/contains "," or "="/);
    expect(() => formatVars({ x: "a=b" })).toThrow(/contains "," or "="/);
    expect(() => formatVars({ "bad key": "x" })).toThrow(/not a plain identifier/);
  });
});
