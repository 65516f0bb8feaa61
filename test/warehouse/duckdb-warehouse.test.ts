import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import type { Row } from "../../engine/src/warehouse/port.ts";
import { syncChangelogTable, syncRunsTable } from "../../engine/src/warehouse/tables.ts";

const settings = loadSettings({ projectDir: repoRoot() });

async function readAll(wh: DuckDbWarehouse, ...args: Parameters<DuckDbWarehouse["read"]>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of wh.read(...args)) out.push(...batch);
  return out;
}

function changelogRow(i: number, state = "intent"): Row {
  return {
    run_id: "run-1",
    recorded_at: new Date(Date.UTC(2026, 10, 22, 10, 0, i % 60)),
    action_id: `a${String(i).padStart(5, "0")}`,
    op: "add",
    email: `lead${i}@example.com`,
    campaign_id: "c1",
    state,
    retryable: i % 2 === 0,
    http_status: 200,
  };
}

describe("DuckDbWarehouse", () => {
  let wh: DuckDbWarehouse;
  beforeEach(async () => {
    wh = await DuckDbWarehouse.open(":memory:", settings);
    await wh.ensureContract();
  });
  afterEach(async () => {
    await wh.close();
  });

  it("round-trips every column type as plain JS values", async () => {
    await wh.append(syncRunsTable, [
      {
        run_id: "r1",
        mode: "apply",
        started_at: new Date("2026-11-22T10:00:00.123Z"),
        finished_at: "2026-11-22T10:01:00Z",
        status: "partial",
        counts: { add: { succeeded: 3 } },
      },
    ]);
    const rows = await readAll(wh, { dataset: "ops", name: "sync_runs" });
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.started_at).toBeInstanceOf(Date);
    expect((row.started_at as Date).toISOString()).toBe("2026-11-22T10:00:00.123Z");
    expect((row.finished_at as Date).toISOString()).toBe("2026-11-22T10:01:00.000Z");
    expect(row.counts).toEqual({ add: { succeeded: 3 } });
    expect(row.error).toBeNull();
  });

  it("streams in batches with filters and order", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => changelogRow(i, i % 10 === 0 ? "failed" : "intent"));
    await wh.append(syncChangelogTable, rows);
    const batches: number[] = [];
    const got: Row[] = [];
    for await (const batch of wh.read(
      { dataset: "ops", name: "sync_changelog" },
      {
        where: { state: "failed" },
        orderBy: ["action_id"],
        columns: ["action_id", "http_status"],
        batchSize: 100,
      },
    )) {
      batches.push(batch.length);
      got.push(...batch);
    }
    expect(got).toHaveLength(500);
    expect(batches.every((n) => n <= 100)).toBe(true);
    expect(got[0]).toEqual({ action_id: "a00000", http_status: 200 });
    expect(got.map((r) => r.action_id)).toEqual([...got.map((r) => r.action_id)].sort());
  });

  it("rejects a bad row before writing anything, naming table, column and row", async () => {
    const rows = [changelogRow(1), { ...changelogRow(2), http_status: "oops" }];
    await expect(wh.append(syncChangelogTable, rows)).rejects.toThrow(
      "sync_changelog: row 1 column http_status is not a INT64 (got string)",
    );
    const missing = [{ ...changelogRow(3), state: undefined }];
    await expect(wh.append(syncChangelogTable, missing)).rejects.toThrow(/row 0 is missing required state/);
    expect(await readAll(wh, { dataset: "ops", name: "sync_changelog" })).toHaveLength(0);
  });

  it("rolls back a batch that fails inside the database", async () => {
    // A NOT NULL the contract (and so the validator) does not know: the second row fails in DuckDB.
    await wh.conn.run(`alter table cold_email_ops.sync_changelog alter column lead_id set not null`);
    const rows = [{ ...changelogRow(1), lead_id: "l1" }, changelogRow(2)];
    await expect(wh.append(syncChangelogTable, rows)).rejects.toThrow();
    expect(await readAll(wh, { dataset: "ops", name: "sync_changelog" })).toHaveLength(0);
  });

  it("knows which relations exist", async () => {
    expect(await wh.exists({ dataset: "ops", name: "sync_changelog" })).toBe(true);
    expect(await wh.exists({ dataset: "output", name: "push_queue" })).toBe(false);
  });

  it("refuses identifiers that are not plain names", async () => {
    const read = async () => readAll(wh, { dataset: "ops", name: 'x"; drop table y; --' });
    await expect(read()).rejects.toThrow(/not a plain identifier/);
  });
});
