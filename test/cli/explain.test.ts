import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { gatherLeadStory } from "../../engine/src/explain/story.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";
import { AS_OF, rows, run, type Scenario } from "../sql/harness.ts";
import { buildLeadScenarios } from "../sql/lead-scenarios.ts";

/**
 * `engine explain` on the lead_status scenario set: for every lead its story agrees with lead_status,
 * int_lead_eligibility, push_queue and drain_queue; then the command as a user runs it.
 */
const VARS = { dialect: "duckdb", as_of: AS_OF, max_adds_per_run: "2", overfetch_multiplier: "1" };
let dir: string;
let file: string;
let warehouse: DuckDbWarehouse;
let s: Scenario;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "engine-explain-"));
  file = path.join(dir, "wh.duckdb");
  const settings = loadSettings({ projectDir: repoRoot(), overrides: VARS });
  warehouse = await DuckDbWarehouse.open(file, settings);
  await warehouse.ensureContract();
  const graph = await compiledGraph(VARS);
  s = { settings, graph, wh: warehouse.local, conn: warehouse.conn };
  await buildLeadScenarios(s);
  await run(s);
});
afterAll(async () => {
  await warehouse?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("engine explain", () => {
  it("agrees with lead_status, push_queue and drain_queue for every scenario lead", async () => {
    const status = await rows(s, `select * from "cold_email"."lead_status" order by email`);
    const queue = new Map(
      (await rows(s, `select email, rank from "cold_email"."push_queue"`)).map((r) => [r.email, r.rank]),
    );
    const drains = new Map(
      (await rows(s, `select email, reason from "cold_email"."drain_queue"`)).map((r) => [r.email, r.reason]),
    );
    expect(status.length).toBe(11);
    for (const row of status) {
      const story = await gatherLeadStory(warehouse, s.settings, String(row.email));
      expect(story.missing).toEqual([]);
      expect(story.state?.leadState).toBe(row.lead_state);
      expect(story.queues.push?.rank ?? null).toBe(queue.get(row.email) ?? null);
      expect(story.queues.drain?.reason ?? null).toBe(drains.get(row.email) ?? null);
      // The first failing check is the rule lead_status names (queued leads fail none).
      const firstFail = story.checks.find((c) => c.passed === false)?.rule ?? null;
      const expected = row.kept_out_by === "over_capacity" ? "capacity" : row.kept_out_by;
      expect(firstFail).toBe(expected);
    }
  });

  it("normalises the email and shows the suppression source, the sequences and the engine's actions", async () => {
    const blocked = await gatherLeadStory(warehouse, s.settings, "  Blocked@DNC.com ");
    expect(blocked.email).toBe("blocked@dnc.com");
    expect(blocked.suppression).toEqual([
      expect.objectContaining({ reason: "dnc_email", kind: "email", value: "(this email)" }),
    ]);
    const finished = await gatherLeadStory(warehouse, s.settings, "finished@old.com");
    expect(finished.sequences).toHaveLength(1);
    expect(finished.sequences[0]).toMatchObject({ end_reason: "completed", ongoing: false });
    expect(finished.cooldowns).toEqual([
      expect.objectContaining({ scope: "email", reason: "completed", active: true }),
    ]);
    expect(finished.actions.map((a) => `${a.op}:${a.state}`)).toEqual([
      "add:intent",
      "add:succeeded",
      "drain:succeeded",
    ]);
    const active = await gatherLeadStory(warehouse, s.settings, "active@seq.com");
    expect(active.instantly).toEqual([
      expect.objectContaining({ lead_id: "L1", status: "active", in_latest_pull: true }),
    ]);
    const unknown = await gatherLeadStory(warehouse, s.settings, "nobody@nowhere.com");
    expect(unknown.found).toBe(false);
    expect(unknown.state).toBeNull();
  });

  it("prints the story as a table or JSON from the command line", async () => {
    await warehouse.close();
    const engine = (args: string[]) =>
      promisify(execFile)(process.execPath, [path.join(repoRoot(), "engine/bin/engine.js"), ...args], {
        cwd: repoRoot(),
        env: { ...process.env, ENGINE_WAREHOUSE: file, ENGINE_DEBUG: "" },
      });
    const json = JSON.parse((await engine(["explain", "INFO@role.com", "--json"])).stdout);
    expect(json).toMatchObject({ email: "info@role.com", verdict: "role_account" });
    const { stdout } = await engine(["explain", "finished@old.com"]);
    expect(stdout).toMatch(/state: completed: sequence completed; cooling down until 2025-08-/);
    expect(stdout).toMatch(
      /^\s+cooling_down\s+FAIL\s+until .* after completed\s+← first rule that keeps it out$/m,
    );
    expect(stdout).toMatch(/^engine actions \(sync_changelog\):$/m);
    warehouse = await DuckDbWarehouse.open(file, s.settings);
  });
});
