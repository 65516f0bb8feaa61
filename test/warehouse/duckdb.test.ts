import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { ensureContract, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";

const settings = loadSettings({ projectDir: repoRoot() });

describe("local DuckDB warehouse", () => {
  it("creates the contract's schemas and tables, with BigQuery TIMESTAMP as TIMESTAMPTZ", async () => {
    const wh = await openDuckDb(path.join(mkdtempSync(path.join(tmpdir(), "wh-")), "w.duckdb"));
    try {
      await ensureContract(wh.conn, settings);
      await ensureContract(wh.conn, settings); // idempotent
      const tables = await wh.conn.runAndReadAll(
        "select table_schema || '.' || table_name as t from information_schema.tables order by 1",
      );
      const names = tables.getRowObjectsJS().map((r) => r.t);
      expect(names).toEqual(
        expect.arrayContaining([
          "cold_email_raw.leads",
          "cold_email_raw.dnc_list",
          "cold_email_ops.sync_changelog",
        ]),
      );
      const type = await wh.conn.runAndReadAll(
        "select data_type from information_schema.columns where table_name = 'sync_runs' and column_name = 'started_at'",
      );
      expect(type.getRowObjectsJS()[0]?.data_type).toBe("TIMESTAMP WITH TIME ZONE");
    } finally {
      wh.close();
    }
  });

  it("refuses a corrupt file with a message that names it", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "wh-")), "bad.duckdb");
    writeFileSync(file, "this is not a duckdb file ".repeat(1000));
    await expect(openDuckDb(file)).rejects.toThrow(/cannot open the local warehouse .*bad\.duckdb/);
  });

  it("keeps extension autoload off", async () => {
    const wh = await openDuckDb(":memory:");
    try {
      const r = await wh.conn.runAndReadAll(
        "select current_setting('autoload_known_extensions') as a, current_setting('autoinstall_known_extensions') as b",
      );
      expect(r.getRowObjectsJS()[0]).toEqual({ a: false, b: false });
    } finally {
      wh.close();
    }
  });
});
