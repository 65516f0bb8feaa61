import { expect, it } from "vitest";
import { repoRoot } from "../../../engine/src/config/paths.ts";
import { loadSettings, type Settings } from "../../../engine/src/config/settings.ts";
import type { BigQueryWarehouse } from "../../../engine/src/warehouse/bigquery-warehouse.ts";
import type { Row } from "../../../engine/src/warehouse/port.ts";
import { syncChangelogTable, syncRunsTable } from "../../../engine/src/warehouse/tables.ts";

/**
 * The warehouse-port contract of test/warehouse/duckdb-warehouse.test.ts, for BigQueryWarehouse, so
 * the same cases run against the local fakes (REST stub + fake Storage Write) and against the
 * BigQuery emulator container. Each case gets fresh datasets (a unique suffix on the dataset vars).
 */

let suffix = 0;
/** Settings whose dataset vars carry a unique suffix, so every case starts from empty datasets. */
export function freshSettings(): Settings {
  const n = `${process.pid}_${++suffix}`;
  return loadSettings({
    projectDir: repoRoot(),
    overrides: {
      raw_dataset: `raw_${n}`,
      ops_dataset: `ops_${n}`,
      staging_dataset: `staging_${n}`,
      output_dataset: `output_${n}`,
      reporting_dataset: `reporting_${n}`,
    },
  });
}

export async function readAll(wh: BigQueryWarehouse, ...args: Parameters<BigQueryWarehouse["read"]>) {
  const out: Row[] = [];
  for await (const batch of wh.read(...args)) out.push(...batch);
  return out;
}

export function changelogRow(i: number, state = "intent"): Row {
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

export interface ContractHarness {
  /** A warehouse on fresh datasets with the contract ensured. */
  open(): Promise<BigQueryWarehouse>;
  /** Make the server reject the next appends (null if the backend cannot). */
  rejectAppends?: (on: boolean) => void;
}

export function warehouseContract(harness: () => ContractHarness, options: { bulkRows?: number } = {}) {
  it("round-trips every column type as plain JS values", async () => {
    const wh = await harness().open();
    try {
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
      const row = rows[0] ?? {};
      expect(row.started_at).toBeInstanceOf(Date);
      expect((row.started_at as Date).toISOString()).toBe("2026-11-22T10:00:00.123Z");
      expect((row.finished_at as Date).toISOString()).toBe("2026-11-22T10:01:00.000Z");
      expect(row.counts).toEqual({ add: { succeeded: 3 } });
      expect(row.error).toBeNull();
      expect(row.run_id).toBe("r1");
    } finally {
      await wh.close();
    }
  });

  it("streams in batches with filters and order", async () => {
    const wh = await harness().open();
    const total = options.bulkRows ?? 5000;
    try {
      const rows = Array.from({ length: total }, (_, i) =>
        changelogRow(i, i % 10 === 0 ? "failed" : "intent"),
      );
      await wh.append(syncChangelogTable, rows);
      const batches: number[] = [];
      const got: Row[] = [];
      for await (const batch of wh.read(
        { dataset: "ops", name: "sync_changelog" },
        {
          where: { state: "failed", http_status: 200 },
          orderBy: ["action_id"],
          columns: ["action_id", "http_status"],
          batchSize: 100,
        },
      )) {
        batches.push(batch.length);
        got.push(...batch);
      }
      expect(got).toHaveLength(total / 10);
      expect(batches.every((n) => n <= 100)).toBe(true);
      expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(total / 10 / 100));
      expect(got[0]).toEqual({ action_id: "a00000", http_status: 200 });
      expect(got.map((r) => r.action_id)).toEqual([...got.map((r) => r.action_id)].sort());
      const nulls = await readAll(
        wh,
        { dataset: "ops", name: "sync_changelog" },
        { where: { lead_id: null, state: "intent" }, columns: ["action_id"] },
      );
      expect(nulls).toHaveLength(total - total / 10);
    } finally {
      await wh.close();
    }
  });

  it("rejects a bad row before writing anything, naming table, column and row", async () => {
    const wh = await harness().open();
    try {
      const rows = [changelogRow(1), { ...changelogRow(2), http_status: "oops" }];
      await expect(wh.append(syncChangelogTable, rows)).rejects.toThrow(
        "sync_changelog: row 1 column http_status is not a INT64 (got string)",
      );
      const missing = [{ ...changelogRow(3), state: undefined }];
      await expect(wh.append(syncChangelogTable, missing)).rejects.toThrow(/row 0 is missing required state/);
      expect(await readAll(wh, { dataset: "ops", name: "sync_changelog" })).toHaveLength(0);
    } finally {
      await wh.close();
    }
  });

  it("surfaces an append the server rejects as a thrown error, never a silent success", async () => {
    const h = harness();
    if (!h.rejectAppends) return;
    const wh = await h.open();
    h.rejectAppends(true);
    try {
      await expect(wh.append(syncChangelogTable, [changelogRow(1)])).rejects.toThrow(
        /Storage Write append failed/,
      );
      await expect(wh.appendAtomic(syncChangelogTable, [changelogRow(2)])).rejects.toThrow(
        /atomic append failed/,
      );
      h.rejectAppends(false);
      expect(await readAll(wh, { dataset: "ops", name: "sync_changelog" })).toHaveLength(0);
    } finally {
      h.rejectAppends(false);
      await wh.close();
    }
  });

  it("appendAtomic lands the whole batch", async () => {
    const wh = await harness().open();
    try {
      await wh.appendAtomic(syncChangelogTable, [changelogRow(1), changelogRow(2), changelogRow(3)]);
      const rows = await readAll(wh, { dataset: "ops", name: "sync_changelog" }, { orderBy: ["action_id"] });
      expect(rows.map((r) => r.action_id)).toEqual(["a00001", "a00002", "a00003"]);
    } finally {
      await wh.close();
    }
  });

  it("knows which relations exist", async () => {
    const wh = await harness().open();
    try {
      expect(await wh.exists({ dataset: "ops", name: "sync_changelog" })).toBe(true);
      expect(await wh.exists({ dataset: "raw", name: "leads" })).toBe(true);
      expect(await wh.exists({ dataset: "output", name: "push_queue" })).toBe(false);
    } finally {
      await wh.close();
    }
  });

  it("refuses identifiers that are not plain names", async () => {
    const wh = await harness().open();
    try {
      const read = async () => readAll(wh, { dataset: "ops", name: "x`; drop table y; --" });
      await expect(read()).rejects.toThrow(/not a plain identifier/);
    } finally {
      await wh.close();
    }
  });
}
