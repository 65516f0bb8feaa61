import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadSettings, type Settings } from "../../engine/src/config/settings.ts";
import { transformLocal } from "../../engine/src/dataform/transform.ts";
import { InstantlyClient } from "../../engine/src/instantly/index.ts";
import { seedWarehouse } from "../../engine/src/local/seed.ts";
import type { SandboxOptions } from "../../engine/src/sandbox/options.ts";
import { type Sandbox, startSandbox } from "../../engine/src/sandbox/server.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";

/**
 * Property tests of apply need many seeds, so they run IN this process (no CLI spawns): one base
 * warehouse is seeded, pulled from an empty sandbox and transformed once; every trial then works on
 * a copy of that file with its own sandbox (own fault stream). The sandbox starts with no leads in
 * the managed campaigns, exactly like the base pull saw, so the action tables are true for every copy.
 */
export interface Base {
  dir: string;
  file: string;
  settings: Settings;
}

export interface Trial {
  settings: Settings;
  warehouse: DuckDbWarehouse;
  sandbox: Sandbox;
  client: () => InstantlyClient;
  /** Managed-campaign leads Instantly holds right now. */
  managedLeads: () => { email: string | null }[];
  sql: (text: string) => Promise<Record<string, unknown>[]>;
  close: () => Promise<void>;
}

const clientFor = (sandbox: Sandbox) => () =>
  new InstantlyClient({
    apiKey: sandbox.apiKey,
    baseUrl: sandbox.url,
    timeoutMs: 2000,
    backoff: { baseMs: 1, maxMs: 4 },
    verificationPoll: { firstMs: 2, maxMs: 4, totalMs: 50 },
    rateLimit: { perSecond: 100, perMinute: 6000 },
  });

const baseSandbox = (seed: string, extra: SandboxOptions = {}): SandboxOptions => ({
  rateLimit: false,
  seed,
  simulation: { realTime: false },
  ...extra,
  verification: { pendingRate: 0, invalidRate: 0.25, catchAllRate: 0, ...extra.verification },
});

export async function prepareBase(vars: Record<string, string>, leads: number): Promise<Base> {
  const dir = mkdtempSync(path.join(tmpdir(), "engine-prop-"));
  const file = path.join(dir, "base.duckdb");
  // The sandbox here has no mailboxes (it sends without limit): nothing to pace by.
  const settings = loadSettings({ overrides: { dialect: "duckdb", pacing: "cap", ...vars } });
  const warehouse = await DuckDbWarehouse.open(file, settings);
  const sandbox = await startSandbox(baseSandbox("base"));
  try {
    await warehouse.ensureContract();
    await seedWarehouse(warehouse.conn, settings, { leads, seed: 11 });
    await runPull({ settings, warehouse, client: clientFor(sandbox)() });
    const result = await transformLocal({ settings, conn: warehouse.conn });
    if (!result.ok) {
      const failed = result.actions.filter((a) => a.status === "failed").map((a) => `${a.name}: ${a.error}`);
      throw new Error(`transform failed: ${failed.join("; ")}`);
    }
  } finally {
    await sandbox.close();
    await warehouse.close();
  }
  return { dir, file, settings };
}

export async function openTrial(
  base: Base,
  name: string,
  sandbox: SandboxOptions = {},
  /** Where the trial's copy of the warehouse lives (default: next to the base). */
  dir = base.dir,
): Promise<Trial> {
  const file = path.join(dir, `${name}.duckdb`);
  copyFileSync(base.file, file);
  const warehouse = await DuckDbWarehouse.open(file, base.settings);
  const box = await startSandbox(baseSandbox(name, sandbox));
  const managed = base.settings.managedCampaignIds;
  return {
    settings: base.settings,
    warehouse,
    sandbox: box,
    client: clientFor(box),
    managedLeads: () => managed.flatMap((id) => box.state.leadsInCampaign(id)),
    sql: async (text) =>
      (await warehouse.conn.runAndReadAll(text)).getRowObjectsJS() as Record<string, unknown>[],
    close: async () => {
      await box.close();
      await warehouse.close();
      rmSync(file, { force: true });
      rmSync(`${file}.wal`, { force: true });
    },
  };
}

export function removeBase(base: Base | undefined): void {
  if (base) rmSync(base.dir, { recursive: true, force: true });
}
