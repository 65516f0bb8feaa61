import { managedwriter } from "@google-cloud/bigquery-storage";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toStorageRow } from "../../../engine/src/warehouse/bigquery-schema.ts";
import { openDuckDb } from "../../../engine/src/warehouse/duckdb.ts";
import {
  protoDescriptor,
  StorageWriteError,
  StorageWriter,
  tablePath,
} from "../../../engine/src/warehouse/storage-write.ts";
import { syncChangelogTable, syncRunsTable } from "../../../engine/src/warehouse/tables.ts";
import { FakeStorageWrite, type StoredRow } from "./fake-storage-write.ts";

// No GCE metadata server here: skip google-auth's probe (and its MetadataLookupWarning noise).
process.env.METADATA_SERVER_DETECTION = "none";

const PROJECT = "test-project";
const runs = tablePath(PROJECT, "cold_email_ops", "sync_runs");

function change(i: number, state: string, at: number) {
  return {
    run_id: "run-1",
    recorded_at: new Date(Date.UTC(2026, 10, 22, 10, 0, at)),
    action_id: `a${i}`,
    op: "add",
    email: `lead${i}@example.com`,
    campaign_id: "c1",
    state,
  };
}

let fake: FakeStorageWrite;
beforeAll(async () => {
  fake = new FakeStorageWrite();
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

describe("the real WriterClient against the fake BigQueryWrite server", () => {
  let client: managedwriter.WriterClient;
  beforeEach(() => {
    client = new managedwriter.WriterClient({ projectId: PROJECT, ...fake.clientOptions() });
  });
  afterEach(() => client.close());

  async function writerOn(streamId: string) {
    const connection = await client.createStreamConnection({ streamId });
    return {
      connection,
      writer: new managedwriter.JSONWriter({
        connection,
        protoDescriptor: protoDescriptor(syncChangelogTable),
      }),
    };
  }
  const row = (i: number) => ({
    run_id: "r",
    recorded_at: new Date(0),
    action_id: `x${i}`,
    op: "add",
    state: "intent",
  });

  it("enforces offsets on a committed stream: equal to the end, ALREADY_EXISTS below, OUT_OF_RANGE beyond", async () => {
    const table = tablePath(PROJECT, "offsets", "t1");
    const stream = await client.createWriteStreamFullResponse({
      streamType: managedwriter.CommittedStream,
      destinationTable: table,
    });
    const { writer, connection } = await writerOn(stream.name ?? "");
    const first = await writer.appendRows([row(1), row(2)], 0).getResult();
    expect(first.error ?? null).toBeNull();
    expect(first.appendResult?.offset?.value).toBe("0");
    const second = await writer.appendRows([row(3)], 2).getResult();
    expect(second.appendResult?.offset?.value).toBe("2");
    const duplicate = await writer.appendRows([row(3)], 2).getResult();
    expect(duplicate.error?.code).toBe(6);
    const gap = await writer.appendRows([row(9)], 7).getResult();
    expect(gap.error?.code).toBe(11);
    expect(fake.visibleRows(table)).toHaveLength(3);
    expect((await connection.finalize())?.rowCount).toBe("3");
    const late = await writer.appendRows([row(4)], 3).getResult();
    expect(late.error?.code).toBe(9);
    writer.close();
  });

  it("keeps pending rows invisible until finalize + batchCommit", async () => {
    const table = tablePath(PROJECT, "pending", "t1");
    const stream = await client.createWriteStreamFullResponse({
      streamType: managedwriter.PendingStream,
      destinationTable: table,
    });
    const name = stream.name ?? "";
    const { writer, connection } = await writerOn(name);
    expect((await writer.appendRows([row(1), row(2)], 0).getResult()).error ?? null).toBeNull();
    expect(fake.visibleRows(table)).toHaveLength(0);
    const early = await client.batchCommitWriteStream({ parent: table, writeStreams: [name] });
    expect(early.commitTime ?? null).toBeNull();
    expect(early.streamErrors?.length).toBe(1);
    expect(fake.visibleRows(table)).toHaveLength(0);
    await connection.finalize();
    const commit = await client.batchCommitWriteStream({ parent: table, writeStreams: [name] });
    expect(commit.commitTime).toBeTruthy();
    expect(fake.visibleRows(table).map((r) => r.action_id)).toEqual(["x1", "x2"]);
    writer.close();
  });

  it("resolves a rejected append with result.error instead of rejecting the promise", async () => {
    const table = tablePath(PROJECT, "reject", "t1");
    fake.rejecting = true;
    try {
      const connection = await client.createStreamConnection({
        streamId: managedwriter.DefaultStream,
        destinationTable: table,
      });
      const writer = new managedwriter.JSONWriter({
        connection,
        protoDescriptor: protoDescriptor(syncChangelogTable),
      });
      const result = await writer.appendRows([row(1)]).getResult();
      expect(result.error?.code).toBe(3);
      expect(Number(result.rowErrors?.[0]?.index)).toBe(0); // int64 arrives as text
      expect(fake.visibleRows(table)).toHaveLength(0);
      writer.close();
    } finally {
      fake.rejecting = false;
    }
  });
});

describe("StorageWriter", () => {
  let writer: StorageWriter;
  beforeEach(() => {
    writer = new StorageWriter({ projectId: PROJECT, client: fake.clientOptions(), chunkRows: 2 });
  });
  afterEach(() => {
    writer.close();
    fake.clearFaults();
  });

  it("appends to the default stream in chunks, encoding TIMESTAMP as micros and JSON as text", async () => {
    await writer.appendDefault(runs, syncRunsTable, [
      {
        run_id: "r1",
        mode: "apply",
        started_at: new Date("2026-11-22T10:00:00.123Z"),
        finished_at: "2026-11-22T10:01:00Z",
        status: "succeeded",
        counts: { add: 3 },
      },
    ]);
    const [stored] = fake.visibleRows(runs);
    expect(stored).toMatchObject({
      run_id: "r1",
      started_at: "1795341600123000",
      finished_at: "1795341660000000",
      counts: '{"add":3}',
    });
    expect(stored?.error).toBeUndefined();
  });

  it("cuts requests by estimated size as well as by row count", async () => {
    const table = tablePath(PROJECT, "chunks", "bytes");
    const rows = [1, 2, 3, 4, 5].map((i) => ({ ...change(i, "failed", i), message: "x".repeat(200) }));
    const rowBytes = JSON.stringify(toStorageRow(syncChangelogTable, rows[0] ?? {})).length;
    const small = new StorageWriter({
      projectId: PROJECT,
      client: fake.clientOptions(),
      chunkBytes: Math.floor(rowBytes * 2.5),
    });
    try {
      await small.appendDefault(table, syncChangelogTable, rows);
      const sizes = fake.appends.filter((a) => a.stream.startsWith(table)).map((a) => a.rows);
      expect(sizes).toEqual([2, 2, 1]);
      expect(fake.visibleRows(table)).toHaveLength(5);
      expect(() => new StorageWriter({ projectId: PROJECT, chunkRows: 0 })).toThrow(/chunkRows .* got 0/);
    } finally {
      small.close();
    }
  });

  it("turns a rejected append into a thrown StorageWriteError with row indexes and no row values", async () => {
    fake.rejecting = true;
    const table = tablePath(PROJECT, "reject", "t2");
    try {
      const rows = [change(1, "intent", 1), change(2, "intent", 2), change(3, "intent", 3)];
      const error = await writer.appendDefault(table, syncChangelogTable, rows).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageWriteError);
      const e = error as StorageWriteError;
      expect(e.code).toBe(3);
      expect(e.rowIndexes).toEqual([0, 1]);
      expect(e.message).toContain("INVALID_ARGUMENT");
      expect(e.message).not.toContain("@example.com");
      expect(fake.visibleRows(table)).toHaveLength(0);
    } finally {
      fake.rejecting = false;
    }
  });

  it("retries a transient error; a lost ack on the default stream lands the rows twice (at-least-once)", async () => {
    const table = tablePath(PROJECT, "retry", "default");
    fake.injectFaults({ code: 14 }, { code: 14, afterWrite: true });
    await writer.appendDefault(table, syncChangelogTable, [
      change(1, "succeeded", 1),
      change(2, "succeeded", 2),
    ]);
    const ids = fake.visibleRows(table).map((r) => r.action_id);
    expect(ids).toEqual(["a1", "a2", "a1", "a2"]);
    const codes = fake.appends.filter((a) => a.stream.startsWith(table)).map((a) => a.code ?? "ok");
    expect(codes).toEqual([14, 14, "ok"]);
  });

  it("gives up after the configured retries and throws", async () => {
    const few = new StorageWriter({ projectId: PROJECT, client: fake.clientOptions(), maxRetries: 2 });
    const table = tablePath(PROJECT, "retry", "exhausted");
    fake.injectFaults({ code: 14 }, { code: 14 }, { code: 14 }, { code: 14 });
    try {
      await expect(few.appendDefault(table, syncChangelogTable, [change(1, "intent", 1)])).rejects.toThrow(
        StorageWriteError,
      );
      expect(fake.visibleRows(table)).toHaveLength(0);
    } finally {
      few.close();
    }
  });

  it("appendAtomic lands a multi-chunk batch exactly once, even when an ack is lost mid-way", async () => {
    const table = tablePath(PROJECT, "atomic", "ok");
    fake.injectFaults({ code: 14, afterWrite: true });
    const rows = [1, 2, 3, 4, 5].map((i) => change(i, "intent", i));
    await writer.appendAtomic(table, syncChangelogTable, rows);
    expect(fake.visibleRows(table).map((r) => r.action_id)).toEqual(["a1", "a2", "a3", "a4", "a5"]);
    const log = fake.appends.filter((a) => a.stream.startsWith(table));
    expect(log.map((a) => [a.offset, a.code ?? "ok"])).toEqual([
      [0, 14],
      [0, 6],
      [2, "ok"],
      [4, "ok"],
    ]);
  });

  it("appendAtomic leaves nothing visible when a chunk is rejected", async () => {
    const table = tablePath(PROJECT, "atomic", "rejected");
    const rows = [1, 2, 3, 4, 5].map((i) => change(i, "intent", i));
    // the first chunk is accepted, the second rejected: the first must not become visible either
    fake.injectFaults(
      { pass: true, code: 0 },
      { code: 3, message: "Field email: invalid value 'lead3@example.com'" },
    );
    const error = await writer.appendAtomic(table, syncChangelogTable, rows).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageWriteError);
    expect((error as Error).message).toContain("rows 2-3");
    expect((error as Error).message).not.toContain("lead3@example.com");
    const log = fake.appends.filter((a) => a.stream.startsWith(table));
    expect(log.map((a) => a.code ?? "ok")).toEqual(["ok", 3]);
    expect(fake.visibleRows(table)).toHaveLength(0);
  });
});

describe("at-least-once never double counts in reporting", () => {
  it("a row landed twice counts once under latest-state-per-action_id", async () => {
    const writer = new StorageWriter({ projectId: PROJECT, client: fake.clientOptions() });
    const table = tablePath(PROJECT, "reporting", "sync_changelog");
    try {
      await writer.appendDefault(table, syncChangelogTable, [change(1, "intent", 1), change(2, "intent", 1)]);
      fake.injectFaults({ code: 14, afterWrite: true }); // the final states land twice
      await writer.appendDefault(table, syncChangelogTable, [
        change(1, "succeeded", 5),
        change(2, "rejected", 5),
      ]);
    } finally {
      writer.close();
    }
    const stored = fake.visibleRows(table);
    expect(stored).toHaveLength(6);
    const counts = await reportingCounts(stored);
    expect(counts).toEqual([
      { state: "rejected", n: 1 },
      { state: "succeeded", n: 1 },
    ]);
  });
});

/**
 * Load the rows the fake stored into DuckDB and count by state the way the reporting layer does:
 * the latest row per action_id (BigQuery: QUALIFY ROW_NUMBER() OVER (PARTITION BY action_id ORDER BY
 * recorded_at DESC) = 1). TIMESTAMPs arrive as the micros the Storage Write encoder sent.
 */
async function reportingCounts(stored: StoredRow[]) {
  const db = await openDuckDb(":memory:");
  try {
    await db.conn.run("create table changelog (action_id varchar, state varchar, recorded_at timestamptz)");
    for (const r of stored) {
      await db.conn.run("insert into changelog values ($1, $2, make_timestamp($3::bigint))", [
        String(r.action_id),
        String(r.state),
        String(r.recorded_at),
      ]);
    }
    const result = await db.conn.runAndReadAll(`
      select state, count(*)::integer as n from (
        select * from changelog
        qualify row_number() over (partition by action_id order by recorded_at desc) = 1
      ) group by state order by state`);
    return result.getRowObjectsJS();
  } finally {
    db.close();
  }
}
