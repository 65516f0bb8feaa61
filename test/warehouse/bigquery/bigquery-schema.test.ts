import { describe, expect, it } from "vitest";
import {
  bigQueryTableResource,
  fromQueryValue,
  toStorageRow,
} from "../../../engine/src/warehouse/bigquery-schema.ts";
import { protoDescriptor, redact } from "../../../engine/src/warehouse/storage-write.ts";
import { opsTables, rawTables, syncRunsTable, type TableDef } from "../../../engine/src/warehouse/tables.ts";

describe("the contract rendered for BigQuery", () => {
  it.each(opsTables.map((t) => [t.name, t] as const))(
    "%s: day-partitioned, clustered, described",
    (_, def) => {
      const resource = bigQueryTableResource(def);
      expect(resource.timePartitioning?.type).toBe("DAY");
      expect(resource.clustering?.fields.length).toBeLessThanOrEqual(4);
      expect(resource.description.length).toBeGreaterThan(0);
      expect(resource.schema.fields.every((f) => f.description.length > 0)).toBe(true);
      // the Storage Write descriptor derives from the same schema (JSON travels as a string field)
      const descriptor = protoDescriptor(def);
      expect(descriptor.field?.map((f) => f.name)).toEqual(def.columns.map((c) => c.name));
    },
  );

  it("leaves the user-owned raw tables unpartitioned", () => {
    for (const def of rawTables) expect(bigQueryTableResource(def).timePartitioning).toBeUndefined();
  });

  it("refuses a partition column that is not a TIMESTAMP or DATE, and more than 4 cluster columns", () => {
    const bad: TableDef = { ...syncRunsTable, partitionBy: "status" };
    expect(() => bigQueryTableResource(bad)).toThrow(
      "sync_runs: partitionBy status must be a TIMESTAMP or DATE column",
    );
    const wide: TableDef = { ...syncRunsTable, clusterBy: ["a", "b", "c", "d", "e"] };
    expect(() => bigQueryTableResource(wide)).toThrow(/at most 4/);
  });

  it("encodes rows for the JSONWriter: Dates for timestamps, text for JSON, absent for null", () => {
    const row = toStorageRow(syncRunsTable, {
      run_id: "r",
      mode: "apply",
      started_at: "2026-11-22T10:00:00Z",
      status: "succeeded",
      counts: { a: 1 },
      error: null,
    });
    expect(row.started_at).toEqual(new Date("2026-11-22T10:00:00Z"));
    expect(row.counts).toBe('{"a":1}');
    expect("error" in row).toBe(false);
  });

  it("decodes query values the way the DuckDB adapter returns them", () => {
    expect(fromQueryValue("INTEGER", "42", "n")).toBe(42);
    expect(fromQueryValue("INT64", { value: "7" }, "n")).toBe(7);
    expect(() => fromQueryValue("INTEGER", "9007199254740993", "n")).toThrow("column n");
    expect(fromQueryValue("TIMESTAMP", { value: "2026-11-22T10:00:00.123000Z" }, "t")).toEqual(
      new Date("2026-11-22T10:00:00.123Z"),
    );
    expect(fromQueryValue("DATE", { value: "2026-11-22" }, "d")).toEqual(new Date("2026-11-22T00:00:00Z"));
    expect(fromQueryValue("JSON", '{"k":[1]}', "j")).toEqual({ k: [1] });
    expect(fromQueryValue("STRING", null, "s")).toBeNull();
  });

  it("redacts quoted values and emails from server messages", () => {
    const message = redact(
      `Field email: invalid value 'Bob.Smith@Example.com' near "x@y.io" and bare a.b@c.de`,
    );
    expect(message).not.toMatch(/@/);
    expect(message).toContain("Field email: invalid value <redacted>");
  });
});
