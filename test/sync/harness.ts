import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadSettings, type Settings } from "../../engine/src/config/settings.ts";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";
import { transformLocal } from "../../engine/src/dataform/transform.ts";
import { InstantlyClient, type InstantlyClientOptions } from "../../engine/src/instantly/index.ts";
import { seedWarehouse } from "../../engine/src/local/seed.ts";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../engine/src/sandbox/server.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";

/**
 * A small world for the loop's integration tests: a temp DuckDB file seeded with a few thousand
 * synthetic leads, the sandbox Instantly on 127.0.0.1 (campaigns from workflow_settings.yaml), a
 * client with tiny backoffs, and settings with a small cap so a run is fast.
 */
export interface World {
  dir: string;
  file: string;
  settings: Settings;
  warehouse: DuckDbWarehouse;
  sandbox: Sandbox;
  /** A client of the sandbox with tiny backoffs; `options` override (e.g. the verification polls). */
  client: (options?: InstantlyClientOptions) => InstantlyClient;
  /** Run the graph; `fresh` compiles again instead of reusing the cached graph (other vars). */
  transform: (fresh?: boolean) => Promise<void>;
  close: () => Promise<void>;
}

let cachedGraph: CompiledGraph | undefined;

export async function makeWorld(
  options: { leads?: number; vars?: Record<string, string>; sandbox?: SandboxOptions } = {},
): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), "engine-sync-"));
  const file = path.join(dir, "warehouse.duckdb");
  const settings = loadSettings({
    overrides: {
      dialect: "duckdb",
      inventory_cap: "120",
      max_adds_per_run: "40",
      // the sandbox here has no mailboxes (it sends without limit): nothing to pace by
      ...(options.sandbox?.sending ? {} : { pacing: "cap" }),
      ...options.vars,
    },
  });
  const warehouse = await DuckDbWarehouse.open(file, settings);
  await warehouse.ensureContract();
  await seedWarehouse(warehouse.conn, settings, { leads: options.leads ?? 2000, seed: 7 });
  const sandbox = await startSandbox({
    rateLimit: false,
    seed: "sync-tests",
    verification: { pendingRate: 0, invalidRate: 0.1, catchAllRate: 0 },
    simulation: { realTime: false },
    ...options.sandbox,
  });
  const client = (options: InstantlyClientOptions = {}) =>
    new InstantlyClient({
      apiKey: sandbox.apiKey,
      baseUrl: sandbox.url,
      timeoutMs: 5000,
      backoff: { baseMs: 2, maxMs: 10 },
      verificationPoll: { firstMs: 5, maxMs: 10, totalMs: 200 },
      rateLimit: { perSecond: 100, perMinute: 6000 },
      ...options,
    });
  return {
    dir,
    file,
    settings,
    warehouse,
    sandbox,
    client,
    transform: async (fresh = false) => {
      const result = await transformLocal({
        settings,
        conn: warehouse.conn,
        ...(cachedGraph && !fresh ? { graph: cachedGraph } : {}),
      });
      if (!fresh) cachedGraph = result.graph;
      if (!result.ok) {
        const failed = result.actions
          .filter((a) => a.status === "failed")
          .map((a) => `${a.name}: ${a.error}`);
        throw new Error(`transform failed: ${failed.join("; ")}`);
      }
    },
    close: async () => {
      await warehouse.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Rows of a SQL query on the world's warehouse (test assertions only). */
export async function query(world: World, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await world.warehouse.conn.runAndReadAll(sql);
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}
