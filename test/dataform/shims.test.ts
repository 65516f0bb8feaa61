import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normaliseSql } from "../../engine/src/dataform/normalise.ts";
import { registerShims, SHIM_MACROS } from "../../engine/src/dataform/shims.ts";
import { type LocalWarehouse, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";

let wh: LocalWarehouse;
beforeAll(async () => {
  wh = await openDuckDb(":memory:");
  await registerShims(wh.conn);
});
afterAll(() => wh.close());

/** Run BigQuery-flavoured SQL the way the runner does: normalise, then execute. */
async function one(bigquerySql: string): Promise<Record<string, unknown>> {
  const rows = (await wh.conn.runAndReadAll(normaliseSql(bigquerySql))).getRowObjectsJson();
  return rows[0] as Record<string, unknown>;
}

describe("shim macros give BigQuery built-ins their BigQuery meaning on DuckDB", () => {
  it("CURRENT_TIMESTAMP() and TIMESTAMP_SUB/ADD with INTERVAL", async () => {
    const r = await one(
      "SELECT TIMESTAMP_SUB(TIMESTAMP '2024-01-10 00:00:00+00', INTERVAL 90 DAY) AS sub, " +
        "TIMESTAMP_ADD(TIMESTAMP '2024-01-10 00:00:00+00', INTERVAL 2 HOUR) AS add, " +
        "CURRENT_TIMESTAMP() <= CURRENT_TIMESTAMP AS now_ok",
    );
    expect(r).toEqual({ sub: "2023-10-12 00:00:00", add: "2024-01-10 02:00:00", now_ok: true });
  });

  it("REGEXP_CONTAINS is a partial match (not DuckDB's full match)", async () => {
    const r = await one(
      "SELECT REGEXP_CONTAINS('bob@gmail.com', r'@gmail\\.com$') AS yes, REGEXP_CONTAINS('bob@gmail.co', r'@gmail\\.com$') AS no",
    );
    expect(r).toEqual({ yes: true, no: false });
  });

  it("JSON_VALUE returns the scalar, not JSON text", async () => {
    expect(await one(`SELECT JSON_VALUE('{"a": {"b": "x"}}', '$.a.b') AS v`)).toEqual({ v: "x" });
  });

  it("SAFE_DIVIDE, LOGICAL_AND/OR, GENERATE_UUID, FORMAT_TIMESTAMP, UNIX_SECONDS, FLOAT64", async () => {
    const r = await one(
      "SELECT SAFE_DIVIDE(7, 2) AS half, SAFE_DIVIDE(1, 0) AS zero, " +
        "LENGTH(GENERATE_UUID()) AS uuid_len, " +
        "FORMAT_TIMESTAMP('%Y-%m-%d', TIMESTAMP '2024-03-05 10:00:00+00') AS day, " +
        "UNIX_SECONDS(TIMESTAMPTZ '1970-01-01 00:01:00+00') AS secs, CAST('1.5' AS FLOAT64) AS f",
    );
    expect(r).toEqual({ half: 3.5, zero: null, uuid_len: "36", day: "2024-03-05", secs: "60", f: 1.5 });
    const agg = await one(
      "SELECT LOGICAL_AND(b) AS all_true, LOGICAL_OR(b) AS any_true FROM (SELECT true AS b UNION ALL SELECT false)",
    );
    expect(agg).toEqual({ all_true: false, any_true: true });
  });

  it("GENERATE_UUID gives a distinct value per row", async () => {
    const r = await one("SELECT COUNT(DISTINCT GENERATE_UUID()) AS n FROM range(1000)");
    expect(r.n).toBe("1000");
  });
});

describe("registerShims", () => {
  it("is idempotent and installs every macro once", async () => {
    await registerShims(wh.conn);
    await registerShims(wh.conn);
    const names = SHIM_MACROS.map(([name]) => `'${name}'`).join(", ");
    const rows = (
      await wh.conn.runAndReadAll(
        `SELECT function_name, count(*) AS n FROM duckdb_functions() WHERE function_type = 'macro' AND schema_name = 'main' AND function_name IN (${names}) GROUP BY 1`,
      )
    ).getRowObjectsJson();
    expect(rows).toHaveLength(SHIM_MACROS.length);
    expect(rows.every((r) => r.n === "1")).toBe(true);
  });

  it("persists in the database file so a later connection can read views that use a shim", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const dir = mkdtempSync(path.join(tmpdir(), "shims-"));
    const file = path.join(dir, "w.duckdb");
    try {
      const first = await openDuckDb(file);
      await registerShims(first.conn);
      await first.conn.run("CREATE VIEW v AS SELECT REGEXP_CONTAINS('abc', 'b') AS x");
      first.close();
      const second = await openDuckDb(file);
      const rows = (await second.conn.runAndReadAll("SELECT x FROM v")).getRowObjectsJson();
      second.close();
      expect(rows).toEqual([{ x: true }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
