import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { compileProject } from "../../engine/src/dataform/compile.ts";
import { gatherLeadStory } from "../../engine/src/explain/story.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { AS_OF, rows, run, type Scenario } from "../sql/harness.ts";
import { buildLeadScenarios } from "../sql/lead-scenarios.ts";

/**
 * An eligibility rule added in the SQL side only (includes/rules.js ELIGIBILITY_RULES, in a temp copy
 * of the project) shows up in `engine explain`'s checks and verdict and in lead_status, with no
 * TypeScript change: explain reads the rule list from the warehouse (int_eligibility_rules).
 */
const VARS = { dialect: "duckdb", as_of: AS_OF, max_adds_per_run: "2", overfetch_multiplier: "1" };
const NEW_RULE = `  {
    code: "low_score",
    description: "Scores under 30 (a rule added in this test).",
    switchedOn: true,
    fails: (j) => \`coalesce(\${j}.score, 0) < 30\`,
  },
];

/** SQL that is TRUE when the row`;

let dir: string;
let warehouse: DuckDbWarehouse;
let s: Scenario;

/** The repo's Dataform project (definitions, includes, settings) in a temp dir, with @dataform/core copied in. */
function copyProject(): string {
  const root = repoRoot();
  const project = path.join(dir, "project");
  for (const entry of ["definitions", "includes", "workflow_settings.yaml", "package.json"]) {
    cpSync(path.join(root, entry), path.join(project, entry), { recursive: true });
  }
  mkdirSync(path.join(project, "node_modules", "@dataform"), { recursive: true });
  cpSync(
    path.join(root, "node_modules", "@dataform", "core"),
    path.join(project, "node_modules", "@dataform", "core"),
    { recursive: true },
  );
  return project;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "explain-rule-"));
  const project = copyProject();
  const rulesFile = path.join(project, "includes", "rules.js");
  const source = readFileSync(rulesFile, "utf8");
  const end = "];\n\n/** SQL that is TRUE when the row";
  expect(source).toContain(end);
  writeFileSync(rulesFile, source.replace(end, NEW_RULE));
  const settings = loadSettings({ projectDir: project, overrides: VARS });
  warehouse = await DuckDbWarehouse.open(path.join(dir, "wh.duckdb"), settings);
  await warehouse.ensureContract();
  const graph = await compileProject({ projectDir: project, vars: VARS });
  s = { settings, graph, wh: warehouse.local, conn: warehouse.conn };
  await buildLeadScenarios(s);
  await run(s);
}, 240_000);
afterAll(async () => {
  await warehouse?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("an eligibility rule added in the SQL only", () => {
  it("is checked last, is the verdict of a lead that fails only it, and is lead_status's kept_out_by", async () => {
    const third = await gatherLeadStory(warehouse, s.settings, "third@q3.com");
    expect(third.missing).toEqual([]);
    expect(third.checks.map((c) => c.rule)).toEqual([
      "invalid_email",
      "suppressed",
      "disposable",
      "role_account",
      "free_mail",
      "in_instantly",
      "cooling_down",
      "company_cooling_down",
      "catch_all",
      "no_segment",
      "low_score",
    ]);
    expect(third.verdict).toBe("low_score");
    expect(third.checks.find((c) => c.rule === "low_score")).toEqual({
      rule: "low_score",
      passed: false,
      data: "Scores under 30 (a rule added in this test).",
    });
    expect(third.checks.filter((c) => c.passed === false).map((c) => c.rule)).toEqual(["low_score"]);
    expect(third.state).toMatchObject({ leadState: "ineligible", keptOutBy: "low_score" });

    const status = await rows(
      s,
      `select email, lead_state, kept_out_by from "cold_email"."lead_status" where email = 'third@q3.com'`,
    );
    expect(status).toEqual([{ email: "third@q3.com", lead_state: "ineligible", kept_out_by: "low_score" }]);
  });

  it("passes a lead that scores above it, and a rule a var switches off shows as off", async () => {
    const best = await gatherLeadStory(warehouse, s.settings, "best@q1.com");
    expect(best.checks.find((c) => c.rule === "low_score")?.passed).toBe(true);
    expect(best.verdict).toBeNull();
    // exclude_free_mail is "false" in workflow_settings.yaml: the SQL says the rule is off.
    expect(best.checks.find((c) => c.rule === "free_mail")?.passed).toBeNull();
  });
});
