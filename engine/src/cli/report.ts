import path from "node:path";
import { defineCommand } from "citty";
import { projectDir, warehousePath } from "../config/paths.ts";
import { writeReport } from "../report/write.ts";
import { lockLoop } from "../sync/lock.ts";
import { loadLoopSettings } from "../sync/session.ts";
import { openWarehouse, parseWarehouseKind } from "../warehouse/open-warehouse.ts";
import { commandMeta } from "./command-list.ts";

/**
 * `engine report`: one self-contained HTML file (charts, run history, lineage) from the reporting
 * views, readable offline. Reads only; writes nothing to the warehouse.
 */
export default defineCommand({
  meta: commandMeta("report"),
  args: {
    out: { type: "string", description: "HTML file to write (default .engine/report.html)" },
    warehouse: { type: "string", description: "duckdb (local file, default) or bigquery", default: "duckdb" },
    vars: { type: "string", description: "Override workflow_settings.yaml vars" },
    json: {
      type: "boolean",
      description: "Print the result (file, bytes, missing views) as JSON",
      default: false,
    },
  },
  async run({ args }) {
    const kind = parseWarehouseKind(args.warehouse);
    const settings = loadLoopSettings({ vars: args.vars, warehouse: kind });
    const out = args.out ?? path.join(projectDir(), ".engine", "report.html");
    const lock = lockLoop(kind, "report");
    const warehouse = await openWarehouse(settings, { kind }).catch((error) => {
      lock.release();
      throw error;
    });
    try {
      const source =
        kind === "duckdb"
          ? `DuckDB ${path.relative(process.cwd(), warehousePath()) || warehousePath()}`
          : `BigQuery ${process.env.GOOGLE_CLOUD_PROJECT ?? "(default project)"}`;
      const result = await writeReport({ settings, warehouse, out, source });
      if (args.json) {
        const { data: _data, ...rest } = result;
        process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
        return;
      }
      for (const name of result.missing)
        console.error(`note: ${name} does not exist yet (run \`engine transform\`)`);
      console.log(`report written to ${result.file} (${Math.round(result.bytes / 1024)} KB, opens offline)`);
    } finally {
      await warehouse.close();
      lock.release();
    }
  },
});
