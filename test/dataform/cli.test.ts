import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { ensureContract, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { copyFixture, type FixtureProject } from "./fixture.ts";

/** `engine compile` and `engine transform` as a user runs them, on the fixture project. */
let fixture: FixtureProject;
let warehouseFile: string;

function engine(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot(), "engine", "bin", "engine.js"), ...args], {
      env: {
        ...process.env,
        ENGINE_PROJECT_DIR: fixture.dir,
        ENGINE_WAREHOUSE: warehouseFile,
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

beforeAll(async () => {
  fixture = copyFixture();
  warehouseFile = path.join(fixture.dir, "warehouse.duckdb");
  const w = await openDuckDb(warehouseFile);
  await ensureContract(w.conn, loadSettings({ projectDir: fixture.dir }));
  await w.conn.run(`INSERT INTO fx_raw.leads (email, estimated_sales_yearly, source, updated_at) VALUES
    ('a@gmail.com', 5, 'web', TIMESTAMPTZ '2024-01-01 00:00:00+00'),
    ('b@shop.io', 2000000, 'web', TIMESTAMPTZ '2024-01-02 00:00:00+00')`);
  await w.conn.run(
    "CREATE TABLE fx_raw.events (event_id INTEGER, email VARCHAR, kind VARCHAR, happened_at TIMESTAMPTZ)",
  );
  w.close();
});
afterAll(() => fixture.remove());

describe("engine compile", () => {
  it("prints a summary by type and folder, or the compiled graph with --json", async () => {
    const [human, json] = await Promise.all([
      engine(["compile"]),
      engine(["compile", "--dialect", "duckdb", "--json"]),
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("Compiled 15 actions (dialect bigquery");
    expect(human.stdout).toMatch(/incremental\s+2/);
    expect(human.stdout).toMatch(/definitions\/marts\s+7/);
    expect(json.code).toBe(0);
    const graph = JSON.parse(json.stdout) as {
      projectConfig: { vars: Record<string, string> };
      tables: unknown[];
    };
    expect(graph.projectConfig.vars.dialect).toBe("duckdb");
    expect(graph.tables).toHaveLength(7); // the disabled table is in the graph, flagged
  });
});

describe("engine transform", () => {
  it("prints a line per action and a timing summary, then fails with the assertion's name and a masked sample", async () => {
    const ok = await engine(["transform"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/\[ ?\d+\/11\] ✓ incremental fx\.people_log .* ms {2}1 rows \(create\)/);
    expect(ok.stdout).toMatch(/transform: 11 ok, 0 failed, 0 skipped in \d+ ms \(\+ \d+ ms compile\)/);
    expect(ok.stdout).toMatch(
      /transform: compile cache miss: compiled for DuckDB in [\d,]+ ms, cached as [0-9a-f]{12}/,
    );

    // A lead that violates people_scores' rowConditions assertion.
    const w = await openDuckDb(warehouseFile);
    await w.conn.run(`INSERT INTO fx_raw.leads (email, estimated_sales_yearly, source, updated_at)
      VALUES ('mallory@banned.io', 10, 'it''s banned', TIMESTAMPTZ '2024-01-05 00:00:00+00')`);
    w.close();
    const failed = await engine(["transform", "--tags", "marts"]);
    expect(failed.code).toBe(3);
    // Same rules, same vars: the graph comes from the cache (new rows in the warehouse do not matter).
    expect(failed.stdout).toMatch(/transform: compile cache hit \([0-9a-f]{12}\)/);
    expect(failed.stdout).toContain(
      "✗ fx_assertions.fx_people_scores_assertions_rowConditions: assertion fx_assertions.fx_people_scores_assertions_rowConditions failed: 1 row violate it",
    );
    expect(failed.stdout).toContain('"email":"***@banned.io"');
    expect(failed.stdout).not.toContain("mallory");
  });

  it("--json prints the result for scripts, progress on stderr", async () => {
    const json = await engine(["transform", "--actions", "stg_people", "--json"]);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as { ok: boolean; actions: { name: string }[] };
    expect(result.actions.map((a) => a.name)).toEqual([
      "fx_staging.stg_people",
      "fx_assertions.fx_staging_stg_people_assertions_rowConditions",
    ]);
    expect(json.stderr).toContain("✓ view");
    expect(json.stderr).not.toContain("\r"); // no heartbeat redraws off a terminal
    expect(JSON.parse(json.stdout)).toMatchObject({ compileCache: "hit" });
  });

  it("--no-cache compiles even when the cache holds the graph", async () => {
    const fresh = await engine(["transform", "--actions", "stg_people", "--no-cache"]);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/transform: compiled for DuckDB in [\d,]+ ms \(--no-cache\)/);
    expect(fresh.stdout).not.toContain("cache hit");
  });
});
