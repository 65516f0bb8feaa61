import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadLoopSettings } from "../../engine/src/sync/session.ts";
import { BigQueryWarehouse } from "../../engine/src/warehouse/bigquery-warehouse.ts";
import { datasetName } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import type { DatasetRole } from "../../engine/src/warehouse/port.ts";
import { opsTables, rawTables } from "../../engine/src/warehouse/tables.ts";
import { FakeBigQueryRest } from "../warehouse/bigquery/fake-bigquery-rest.ts";

/**
 * One project, one location (issue: Dataform wrote to workflow_settings.yaml's defaultProject while the
 * engine wrote to GOOGLE_CLOUD_PROJECT). The `dataform run` step of pipeline.yml is executed as written,
 * with `npx` shimmed to turn `dataform run` into `dataform compile --json` (same flags), under a project
 * and a location that differ from workflow_settings.yaml's; every compiled target must land there, and
 * the engine, given the same job env, must create its datasets and tables there too.
 */

process.env.METADATA_SERVER_DETECTION = "none";

// biome-ignore lint/suspicious/noExplicitAny: workflow YAML is free-form
type Any = any;
/** A GitHub expression as written in the YAML: gh("vars.X") is the text `${{ vars.X }}`. */
const gh = (e: string) => ["$", "{{ ", e, " }}"].join("");
const pipeline: Any = parse(readFileSync(path.join(repoRoot(), ".github/workflows/pipeline.yml"), "utf8"));
const job = pipeline.jobs.pipeline;
const steps: Any[] = job.steps;
const dataformStep = steps.find((s) => /npx --no-install dataform run/.test(String(s.run ?? "")));

const PROJECT = "acme-outbound-prod";
const LOCATION = "europe-west1";
const DATAFORM_VARS = "max_adds_per_run=200";

interface StepRun {
  /** argv the step passed to npx, one entry per call. */
  calls: string[][];
  graph: Any;
}

/** Run the workflow step's script in bash with the job env it would get, `npx` shimmed to compile. */
function runDataformStep(env: Record<string, string>): StepRun {
  const dir = mkdtempSync(path.join(tmpdir(), "df-step-"));
  try {
    const argvLog = path.join(dir, "argv");
    const out = path.join(dir, "graph.json");
    const shim = `npx() {
  printf '%s\\0' "$@" >> "$ARGV_LOG"; printf '\\n' >> "$ARGV_LOG"
  local args=() a seen=0
  for a in "$@"; do
    if [ "$seen" = 0 ] && [ "$a" = run ]; then args+=(compile); seen=1
    elif [ "$a" = --full-refresh ]; then :   # a run-only flag: compile refuses it
    else args+=("$a"); fi
  done
  command npx "\${args[@]}" --json > "$GRAPH_OUT"
}
`;
    execFileSync("bash", ["-c", `${shim}\n${dataformStep.run}`], {
      cwd: repoRoot(),
      env: { ...process.env, ...env, ARGV_LOG: argvLog, GRAPH_OUT: out },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const calls = readFileSync(argvLog, "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => l.split("\0").filter((a) => a.length > 0));
    return { calls, graph: JSON.parse(readFileSync(out, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("pipeline.yml: Dataform and the engine in one project and one location", () => {
  it("gives every step the same GOOGLE_CLOUD_PROJECT and BIGQUERY_LOCATION (job env, never overridden per step)", () => {
    expect(job.env.GOOGLE_CLOUD_PROJECT).toBe(gh("vars.GOOGLE_CLOUD_PROJECT"));
    expect(job.env.BIGQUERY_LOCATION).toMatch(/^\$\{\{ vars\.BIGQUERY_LOCATION/);
    for (const s of steps) {
      expect(s.env?.GOOGLE_CLOUD_PROJECT, s.name).toBeUndefined();
      expect(s.env?.BIGQUERY_LOCATION, s.name).toBeUndefined();
    }
    const creds = steps.find((s) => String(s.run ?? "").includes(".df-credentials.json"));
    expect(creds.run).toContain('"$GOOGLE_CLOUD_PROJECT" "$BIGQUERY_LOCATION"');
  });

  describe("the dataform run step, compiled with its own command line", () => {
    let step: StepRun;
    beforeAll(() => {
      step = runDataformStep({
        GOOGLE_CLOUD_PROJECT: PROJECT,
        BIGQUERY_LOCATION: LOCATION,
        DATAFORM_VARS,
        FULL_REFRESH: "false",
      });
    }, 60_000);

    it("passes the project and the location to Dataform", () => {
      expect(step.calls).toHaveLength(1);
      const argv = step.calls[0] ?? [];
      expect(argv.slice(0, 3)).toEqual(["--no-install", "dataform", "run"]);
      expect(argv).toContain(`--default-database=${PROJECT}`);
      expect(argv).toContain(`--default-location=${LOCATION}`);
      expect(argv).toContain(`--vars=${DATAFORM_VARS}`);
      expect(argv).not.toContain("--full-refresh");
    });

    it("puts every compiled target and every reference in that project and location", () => {
      const g = step.graph;
      expect(g.projectConfig.defaultDatabase).toBe(PROJECT);
      expect(g.projectConfig.defaultLocation).toBe(LOCATION);
      const actions: Any[] = [...g.tables, ...g.operations, ...g.assertions, ...g.declarations];
      expect(actions.length).toBeGreaterThan(50);
      const elsewhere = actions
        .filter((a) => a.target.database !== PROJECT)
        .map((a) => `${a.target.database}.${a.target.schema}.${a.target.name}`);
      expect(elsewhere).toEqual([]);
      for (const a of actions) {
        for (const dep of a.dependencyTargets ?? []) expect(dep.database).toBe(PROJECT);
      }
      // Every backticked path in the SQL names the project (nothing falls back to defaultProject).
      const sql: string[] = [
        ...g.tables.flatMap((t: Any) => [t.query, t.incrementalQuery ?? "", ...(t.preOps ?? [])]),
        ...g.operations.flatMap((o: Any) => o.queries ?? []),
        ...g.assertions.map((a: Any) => a.query),
        ...g.tests.flatMap((t: Any) => [t.testQuery, t.expectedOutputQuery]),
      ];
      const paths = sql.flatMap((q) => [...q.matchAll(/`([^`]+\.[^`]+)`/g)].map((m) => m[1] as string));
      expect(paths.length).toBeGreaterThan(100);
      expect(paths.filter((p) => p.split(".").length === 3 && !p.startsWith(`${PROJECT}.`))).toEqual([]);
      expect(sql.join("\n")).not.toContain("cold-email-local");
    });

    it("and the engine, under the same env, writes to the datasets Dataform reads, in that project and location", async () => {
      const saved = { p: process.env.GOOGLE_CLOUD_PROJECT, l: process.env.BIGQUERY_LOCATION };
      process.env.GOOGLE_CLOUD_PROJECT = PROJECT;
      process.env.BIGQUERY_LOCATION = LOCATION;
      const rest = new FakeBigQueryRest();
      await rest.start();
      try {
        const settings = loadLoopSettings({ vars: DATAFORM_VARS, warehouse: "bigquery" });
        const wh = new BigQueryWarehouse(settings, { bigquery: { apiEndpoint: rest.endpoint } });
        expect(wh.projectId).toBe(PROJECT);
        expect(wh.location).toBe(LOCATION);
        await wh.ensureContract();
        const roles: DatasetRole[] = ["raw", "ops", "staging", "output", "reporting"];
        for (const role of roles) expect(rest.datasetLocation(datasetName(settings, role))).toBe(LOCATION);
        expect(rest.requests.length).toBeGreaterThan(0);
        for (const r of rest.requests) expect(r.path).toMatch(new RegExp(`/projects/${PROJECT}/`));
        // Every table the engine creates is in that project; every one Dataform declares is one of them.
        const created = new Set<string>();
        for (const def of [...rawTables, ...opsTables]) {
          const dataset = datasetName(settings, def.dataset);
          expect(rest.tableMetadata(dataset, wh.tableName(def)), def.name).toBeDefined();
          created.add(`${PROJECT}.${dataset}.${wh.tableName(def)}`);
        }
        const declared: string[] = step.graph.declarations.map(
          (d: Any) => `${d.target.database}.${d.target.schema}.${d.target.name}`,
        );
        expect(declared.length).toBeGreaterThan(5);
        expect(declared.filter((name) => !created.has(name))).toEqual([]);
        // The graph's own outputs live in the engine's staging, output and reporting datasets.
        const schemas = new Set(step.graph.tables.map((t: Any) => t.target.schema));
        expect(schemas).toEqual(
          new Set((["staging", "output", "reporting"] as const).map((r) => datasetName(settings, r))),
        );
      } finally {
        await rest.stop();
        if (saved.p === undefined) delete process.env.GOOGLE_CLOUD_PROJECT;
        else process.env.GOOGLE_CLOUD_PROJECT = saved.p;
        if (saved.l === undefined) delete process.env.BIGQUERY_LOCATION;
        else process.env.BIGQUERY_LOCATION = saved.l;
      }
    });
  });

  it("adds --full-refresh only when the manual run asks for it", () => {
    const step = runDataformStep({
      GOOGLE_CLOUD_PROJECT: PROJECT,
      BIGQUERY_LOCATION: LOCATION,
      DATAFORM_VARS: "",
      FULL_REFRESH: "true",
    });
    const argv = step.calls[0] ?? [];
    expect(argv).toContain("--full-refresh");
    expect(argv.some((a) => a.startsWith("--vars"))).toBe(false);
    expect(step.graph.projectConfig.defaultDatabase).toBe(PROJECT);
  }, 60_000);
});
