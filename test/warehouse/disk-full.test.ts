import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import type { Row } from "../../engine/src/warehouse/port.ts";
import { syncChangelogTable } from "../../engine/src/warehouse/tables.ts";
import { mountTmpfs } from "../setup/tmpfs.ts";

/**
 * A warehouse on a tiny tmpfs fills up mid-run: the error must say "No space left on device", never
 * DuckDB's "cannot rollback - no transaction is active" (what an unguarded rollback reports instead).
 * Mounting needs root and a kernel that allows it (Linux containers run as root do); elsewhere the
 * test is skipped and says why.
 */
const settings = loadSettings({ projectDir: repoRoot() });
const disk = mountTmpfs("tiny-disk-", "2m");
const mountPoint = disk.dir;
const skipReason = disk.skipReason;
if (skipReason) console.warn(`skipping the disk-full warehouse test: ${skipReason}`);

function rows(batch: number, n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    run_id: "run-disk-full",
    recorded_at: new Date(Date.UTC(2026, 10, 22, 10, 0, 0)),
    action_id: `b${batch}-${i}`,
    op: "add",
    email: `lead-${batch}-${i}@example.com`,
    campaign_id: "c1",
    state: "intent",
    // Varied text so DuckDB's compression cannot make the batch small.
    message: `${batch}-${i}-`.repeat(40),
  }));
}

describe.skipIf(skipReason !== undefined)("warehouse on a full disk", () => {
  let wh: DuckDbWarehouse;
  beforeAll(async () => {
    mkdirSync(path.join(mountPoint, "wh"), { recursive: true });
    wh = await DuckDbWarehouse.open(path.join(mountPoint, "wh", "warehouse.duckdb"), settings);
    await wh.ensureContract();
  });
  afterAll(async () => {
    await wh?.close();
    disk.remove();
  });

  it("reports No space left on device and keeps every batch that committed", async () => {
    let landed = 0;
    let failure: Error | undefined;
    for (let batch = 0; batch < 200 && !failure; batch++) {
      try {
        await wh.append(syncChangelogTable, rows(batch, 1000));
        landed += 1000;
      } catch (error) {
        failure = error as Error;
      }
    }
    expect(failure, "the 2 MB disk never filled up").toBeDefined();
    expect(failure?.message).toMatch(/No space left on device/);
    expect(failure?.message).not.toMatch(/no transaction is active/);
    expect(landed).toBeGreaterThan(0);
    let stored = 0;
    for await (const batch of wh.read(
      { dataset: "ops", name: "sync_changelog" },
      { columns: ["action_id"] },
    )) {
      stored += batch.length;
    }
    expect(stored).toBe(landed);
  });
});

if (skipReason) disk.remove();
