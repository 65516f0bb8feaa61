import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../../../engine/src/core/errors.ts";
import { bigQueryTableResource } from "../../../engine/src/warehouse/bigquery-schema.ts";
import { BigQueryWarehouse } from "../../../engine/src/warehouse/bigquery-warehouse.ts";
import { syncChangelogTable, syncRunsTable } from "../../../engine/src/warehouse/tables.ts";
import { changelogRow, freshSettings, readAll, warehouseContract } from "./contract.ts";
import { FakeBigQueryRest } from "./fake-bigquery-rest.ts";
import { FakeStorageWrite } from "./fake-storage-write.ts";

// No GCE metadata server here: skip google-auth's probe (and its MetadataLookupWarning noise).
process.env.METADATA_SERVER_DETECTION = "none";

const PROJECT = "test-project";
let rest: FakeBigQueryRest;
let write: FakeStorageWrite;

beforeAll(async () => {
  rest = new FakeBigQueryRest();
  write = new FakeStorageWrite();
  await Promise.all([rest.start(), write.start()]);
  // what the Storage Write fake commits becomes queryable through the REST stub, as in BigQuery
  write.onVisible = (table, rows) => rest.insertStorageRows(table, rows);
});
afterAll(async () => {
  await Promise.all([rest.stop(), write.stop()]);
});

function open(settings = freshSettings(), options: { appendChunkRows?: number } = {}) {
  return new BigQueryWarehouse(settings, {
    projectId: PROJECT,
    bigquery: { apiEndpoint: rest.endpoint },
    storage: write.clientOptions(),
    ...options,
  });
}

describe("BigQueryWarehouse contract (REST stub + fake Storage Write)", () => {
  warehouseContract(
    () => ({
      async open() {
        const wh = open();
        await wh.ensureContract();
        return wh;
      },
      rejectAppends(on) {
        write.rejecting = on;
      },
    }),
    { bulkRows: 2000 },
  );
});

describe("BigQueryWarehouse DDL", () => {
  it("creates the datasets in the configured location and the tables with partitioning, clustering and descriptions", async () => {
    const settings = freshSettings();
    const wh = open(settings);
    const logged: string[] = [];
    const withLog = new BigQueryWarehouse(settings, {
      projectId: PROJECT,
      bigquery: { apiEndpoint: rest.endpoint },
      log: (line) => logged.push(line),
    });
    try {
      await withLog.ensureContract();
      const ops = settings.vars.ops_dataset;
      expect(rest.datasetLocation(ops)).toBe(settings.defaultLocation);
      expect(rest.datasetLocation(settings.vars.reporting_dataset)).toBe(settings.defaultLocation);
      const meta = rest.tableMetadata(ops, "sync_changelog");
      expect(meta?.timePartitioning).toEqual({ type: "DAY", field: "recorded_at" });
      expect(meta?.clustering).toEqual({ fields: ["op", "state", "action_id"] });
      expect(meta?.description).toBe(syncChangelogTable.description);
      const actionId = meta?.schema.fields.find((f) => f.name === "action_id");
      expect(actionId).toMatchObject({ type: "STRING", mode: "REQUIRED" });
      expect(actionId?.description).toContain("Deterministic hash");
      expect(rest.tableMetadata(settings.vars.raw_dataset, settings.vars.leads_table)).toBeDefined();
      expect(logged.some((l) => l.startsWith(`created table ${ops}.sync_runs`))).toBe(true);

      // idempotent: a second run only looks (GETs), it never inserts again
      const before = rest.requests.length;
      await wh.ensureContract();
      const again = rest.requests.slice(before);
      expect(again.length).toBeGreaterThan(0);
      expect(again.every((r) => r.method === "GET")).toBe(true);
    } finally {
      await wh.close();
      await withLog.close();
    }
  });

  it("adds contract columns an older table lacks (NULLABLE only), and refuses a missing REQUIRED one", async () => {
    const settings = freshSettings();
    const ops = settings.vars.ops_dataset;
    const older = {
      ...syncChangelogTable,
      columns: syncChangelogTable.columns.filter((c) => !["error_code", "http_status"].includes(c.name)),
    };
    const lines: string[] = [];
    const wh = new BigQueryWarehouse(settings, {
      projectId: PROJECT,
      bigquery: { apiEndpoint: rest.endpoint },
      storage: write.clientOptions(),
      log: (l) => lines.push(l),
    });
    try {
      await wh.client.createDataset(ops, { location: "US" });
      await wh.client.dataset(ops).createTable("sync_changelog", bigQueryTableResource(older));
      await wh.ensureContract();
      expect(lines).toContain(`added column(s) error_code, http_status to ${ops}.sync_changelog`);
      const names = rest.tableMetadata(ops, "sync_changelog")?.schema.fields.map((f) => f.name);
      expect(names).toEqual(
        syncChangelogTable.columns
          .map((c) => c.name)
          .filter((n) => n !== "error_code" && n !== "http_status")
          .concat(["error_code", "http_status"]),
      );
      await wh.append(syncChangelogTable, [changelogRow(1)]);
      expect(
        await readAll(wh, { dataset: "ops", name: "sync_changelog" }, { columns: ["http_status"] }),
      ).toEqual([{ http_status: 200 }]);

      const noRunId = { ...syncRunsTable, columns: syncRunsTable.columns.filter((c) => c.name !== "mode") };
      await wh.client.dataset(ops).table("sync_runs").delete();
      await wh.client.dataset(ops).createTable("sync_runs", bigQueryTableResource(noRunId));
      await expect(wh.ensureContract()).rejects.toThrow(`${ops}.sync_runs lacks the required column(s) mode`);
    } finally {
      await wh.close();
    }
  });

  it("takes the project from the option, then GOOGLE_CLOUD_PROJECT, then defaultProject, and rejects a bad one", () => {
    const settings = freshSettings();
    const saved = process.env.GOOGLE_CLOUD_PROJECT;
    try {
      delete process.env.GOOGLE_CLOUD_PROJECT;
      expect(new BigQueryWarehouse(settings).projectId).toBe(settings.defaultProject);
      process.env.GOOGLE_CLOUD_PROJECT = "prod-project-1";
      expect(new BigQueryWarehouse(settings).projectId).toBe("prod-project-1");
      expect(new BigQueryWarehouse(settings, { projectId: "other-proj" }).projectId).toBe("other-proj");
      process.env.GOOGLE_CLOUD_PROJECT = "Bad Project";
      expect(() => new BigQueryWarehouse(settings)).toThrow(UserError);
      expect(() => new BigQueryWarehouse(settings)).toThrow(/"Bad Project"/);
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_CLOUD_PROJECT;
      else process.env.GOOGLE_CLOUD_PROJECT = saved;
    }
  });
});

describe("BigQueryWarehouse reads", () => {
  it("pages a Dataform output table one batch per request, with JSON parsed and integers as numbers", async () => {
    const settings = freshSettings();
    const wh = open(settings);
    const out = settings.vars.output_dataset;
    await rest.duck.conn.run(`create schema "${out}"`);
    await rest.duck.conn.run(
      `create table "${out}".push_queue as select 'act' || i as action_id, i::bigint as rank, 'lead' || i || '@example.com' as email,
         (i % 3 = 0) as needs_verification, 0.5 * i as score, json_object('k', i) as custom_variables
       from range(1, 251) t(i)`,
    );
    try {
      const before = rest.requests.length;
      const batches: number[] = [];
      let first: Record<string, unknown> | undefined;
      for await (const batch of wh.read(
        { dataset: "output", name: "push_queue" },
        { orderBy: ["rank"], batchSize: 100 },
      )) {
        batches.push(batch.length);
        first ??= batch[0];
      }
      expect(batches).toEqual([100, 100, 50]);
      expect(first).toEqual({
        action_id: "act1",
        rank: 1,
        email: "lead1@example.com",
        needs_verification: false,
        score: 0.5,
        custom_variables: { k: 1 },
      });
      const calls = rest.requests.slice(before).map((r) => `${r.method} ${r.path.split("?")[0]}`);
      expect(calls[0]).toBe(`POST /bigquery/v2/projects/${PROJECT}/queries`);
      expect(calls.slice(1).every((c) => c.startsWith(`GET /bigquery/v2/projects/${PROJECT}/queries/`))).toBe(
        true,
      );
      expect(calls).toHaveLength(3);
      expect(rest.queries.at(-1)).toBe(`SELECT * FROM \`${PROJECT}.${out}.push_queue\` ORDER BY \`rank\``);
    } finally {
      await wh.close();
    }
  });

  it("stops after the first page when the consumer stops (memory stays at one page)", async () => {
    const settings = freshSettings();
    const wh = open(settings);
    const out = settings.vars.output_dataset;
    await rest.duck.conn.run(`create schema "${out}"`);
    await rest.duck.conn.run(
      `create table "${out}".drain_queue as select 'a' || i as action_id from range(1000) t(i)`,
    );
    try {
      const before = rest.requests.length;
      for await (const batch of wh.read({ dataset: "output", name: "drain_queue" }, { batchSize: 10 })) {
        expect(batch).toHaveLength(10);
        break;
      }
      expect(rest.requests.length - before).toBe(1);
    } finally {
      await wh.close();
    }
  });

  it("refuses an integer a JS number would round, naming the column", async () => {
    const settings = freshSettings();
    const wh = open(settings);
    const out = settings.vars.output_dataset;
    await rest.duck.conn.run(`create schema "${out}"`);
    await rest.duck.conn.run(`create table "${out}".big as select 9007199254740993::bigint as n`);
    try {
      await expect(readAll(wh, { dataset: "output", name: "big" })).rejects.toThrow(
        "column n: integer does not fit a JS number",
      );
    } finally {
      await wh.close();
    }
  });

  it("explains a failed query with the relation, never with row values", async () => {
    const wh = open();
    try {
      await expect(readAll(wh, { dataset: "output", name: "missing_table" })).rejects.toThrow(
        /BigQuery: read output.missing_table failed/,
      );
    } finally {
      await wh.close();
    }
  });
});

describe("BigQueryWarehouse appends", () => {
  it("splits a large append into chunked Storage Write requests on the default stream", async () => {
    const settings = freshSettings();
    const wh = open(settings, { appendChunkRows: 400 });
    await wh.ensureContract();
    try {
      const before = write.appends.length;
      await wh.append(
        syncChangelogTable,
        Array.from({ length: 1000 }, (_, i) => changelogRow(i)),
      );
      const mine = write.appends.slice(before);
      expect(mine.map((a) => a.rows)).toEqual([400, 400, 200]);
      expect(mine.every((a) => a.stream.endsWith("/streams/_default") && a.offset === undefined)).toBe(true);
      expect(await readAll(wh, { dataset: "ops", name: "sync_changelog" })).toHaveLength(1000);
    } finally {
      await wh.close();
    }
  });
});
