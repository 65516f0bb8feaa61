import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../../engine/src/config/paths.ts";
import { loadSettings } from "../../../engine/src/config/settings.ts";
import { transformLocal } from "../../../engine/src/dataform/transform.ts";
import { DuckDbWarehouse, datasetName } from "../../../engine/src/warehouse/duckdb-warehouse.ts";
import type { Row } from "../../../engine/src/warehouse/port.ts";
import { StorageWriter, tablePath } from "../../../engine/src/warehouse/storage-write.ts";
import { syncChangelogTable } from "../../../engine/src/warehouse/tables.ts";
import { FakeStorageWrite, type StoredRow } from "./fake-storage-write.ts";

/**
 * "A retried append never double counts in reporting", end to end: the default stream lands a batch
 * twice (a lost ack, retried by the real WriterClient), and the project's own staging view
 * stg_sync_actions (latest state per action_id), compiled and run on DuckDB, still counts each action
 * once.
 */

process.env.METADATA_SERVER_DETECTION = "none";

const settings = loadSettings({ projectDir: repoRoot() });
let fake: FakeStorageWrite;

beforeAll(async () => {
  fake = new FakeStorageWrite();
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

function change(i: number, state: string, second: number): Row {
  return {
    run_id: "run-1",
    recorded_at: new Date(Date.UTC(2026, 10, 22, 10, 0, second)),
    action_id: `act-${i}`,
    op: "add",
    email: `lead${i}@example.com`,
    campaign_id: settings.segments[0]?.campaignId ?? "c1",
    state,
    retryable: false,
  };
}

/** What the Storage Write fake stored (proto JSON: micros and int64 as text) → contract rows. */
function toContractRow(stored: StoredRow): Row {
  const row: Row = {};
  for (const column of syncChangelogTable.columns) {
    const value = stored[column.name];
    if (value === undefined || value === null) continue;
    if (column.type === "TIMESTAMP") row[column.name] = new Date(Number(value) / 1000);
    else if (column.type === "INT64") row[column.name] = Number(value);
    else row[column.name] = value;
  }
  return row;
}

describe("at-least-once Storage Write vs reporting", () => {
  it("stg_sync_actions counts an action once even when its rows landed twice", async () => {
    const table = tablePath("test-project", "cold_email_ops", "sync_changelog");
    const writer = new StorageWriter({ projectId: "test-project", client: fake.clientOptions() });
    try {
      await writer.appendDefault(table, syncChangelogTable, [change(1, "intent", 1), change(2, "intent", 1)]);
      fake.injectFaults({ code: 14, afterWrite: true }); // the ack of the final states is lost
      await writer.appendDefault(table, syncChangelogTable, [
        change(1, "succeeded", 5),
        change(2, "rejected", 5),
      ]);
    } finally {
      writer.close();
    }
    const stored = fake.visibleRows(table);
    expect(stored).toHaveLength(6); // 2 intents + the final states twice

    const wh = await DuckDbWarehouse.open(":memory:", settings);
    try {
      await wh.ensureContract();
      await wh.append(syncChangelogTable, stored.map(toContractRow));
      const result = await transformLocal({
        settings,
        conn: wh.conn,
        actions: ["stg_sync_actions"],
        includeDependencies: true,
      });
      expect(result.actions.filter((a) => a.status === "failed")).toEqual([]);
      const staging = datasetName(settings, "staging");
      const counts = await wh.conn.runAndReadAll(
        `select state, count(*)::integer as n from "${staging}".stg_sync_actions group by state order by state`,
      );
      expect(counts.getRowObjectsJS()).toEqual([
        { state: "rejected", n: 1 },
        { state: "succeeded", n: 1 },
      ]);
    } finally {
      await wh.close();
    }
  });
});
