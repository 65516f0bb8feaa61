/**
 * A pull against the fake Instantly (fake-instantly.ts) into a fresh DuckDB warehouse: the managed
 * campaigns are the segments of workflow_settings.yaml.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadSettings, type Settings } from "../../engine/src/config/settings.ts";
import {
  InstantlyClient,
  type InstantlyClientOptions,
  RateBudget,
} from "../../engine/src/instantly/index.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { type FakeData, type FakeInstantly, startFakeInstantly } from "./fake-instantly.ts";

export interface PullWorld {
  settings: Settings;
  warehouse: DuckDbWarehouse;
  fake: FakeInstantly;
  client: (options?: InstantlyClientOptions) => InstantlyClient;
  query: (sql: string) => Promise<Record<string, unknown>[]>;
  close: () => Promise<void>;
}

export async function makePullWorld(
  data: (ids: { smb: string; midsize: string }) => FakeData,
): Promise<PullWorld> {
  const dir = mkdtempSync(path.join(tmpdir(), "engine-pull-"));
  const settings = loadSettings({ overrides: { dialect: "duckdb" } });
  const byName = Object.fromEntries(settings.segments.map((s) => [s.name, s.campaignId.toLowerCase()]));
  const warehouse = await DuckDbWarehouse.open(path.join(dir, "warehouse.duckdb"), settings);
  await warehouse.ensureContract();
  const fake = await startFakeInstantly(
    data({ smb: byName.smb as string, midsize: byName.midsize as string }),
  );
  return {
    settings,
    warehouse,
    fake,
    client: (options = {}) =>
      new InstantlyClient({
        apiKey: "fake-key-for-pull-tests",
        baseUrl: fake.url,
        budget: new RateBudget({ guardMs: 0 }),
        backoff: { baseMs: 2, maxMs: 10 },
        timeoutMs: 5000,
        ...options,
      }),
    query: async (sql) => {
      const rows = (await warehouse.conn.runAndReadAll(sql)).getRowObjectsJS();
      return rows.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
      );
    },
    close: async () => {
      await fake.close();
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
