import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { compiledGraphSchema } from "../../engine/src/dataform/graph.ts";
import { REPORT_RELATIONS } from "../../engine/src/report/data.ts";
import { writeReport } from "../../engine/src/report/write.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";

/**
 * A warehouse that no transform has run on yet still gets a report: every section says which view is
 * missing, and lead_status (added by another part of the rules) shows when it exists.
 */
describe("engine report on a half-built warehouse", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "report-partial-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const settings = loadSettings({ overrides: { dialect: "duckdb" } });
  const graph = compiledGraphSchema.parse({
    declarations: [
      { target: { schema: "raw", name: "leads" }, fileName: "definitions/sources/declarations.js" },
    ],
  });

  it("names every missing reporting view instead of failing, and counts lead_status when present", async () => {
    const warehouse = await DuckDbWarehouse.open(":memory:", settings);
    try {
      await warehouse.ensureContract();
      const first = await writeReport({
        settings,
        warehouse,
        graph,
        out: path.join(dir, "a.html"),
        source: "test",
      });
      expect(first.missing).toEqual(REPORT_RELATIONS.map((r) => r.name));
      expect(first.data.leadStatus).toBeNull();
      const html = readFileSync(first.file, "utf8");
      for (const r of REPORT_RELATIONS) expect(html).toContain(`${r.name} does not exist yet`);
      expect(first.lineage).toBe(true);

      const out = `"${settings.vars.output_dataset}"`;
      await warehouse.conn.run(`create schema if not exists ${out}`);
      await warehouse.conn.run(
        `create table ${out}.lead_status as select * from (values ('eligible'), ('eligible'), ('suppressed'), (null)) t(status)`,
      );
      const second = await writeReport({
        settings,
        warehouse,
        graph,
        out: path.join(dir, "b.html"),
        source: "test",
      });
      expect(second.data.leadStatus).toEqual([
        { status: "eligible", leads: 2 },
        { status: "suppressed", leads: 1 },
        { status: "unknown", leads: 1 },
      ]);
      expect(readFileSync(second.file, "utf8")).toContain('data-chart="lead-status"');
    } finally {
      await warehouse.close();
    }
  });
});
