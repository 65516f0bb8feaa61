import { defineCommand } from "citty";
// Heavy modules load in run(): `engine --help` reads every command's meta, so top-level imports stay light.

/** `engine status`: capacity per campaign, freshness, last runs, open alerts, suppression size. */
export default defineCommand({
  meta: {
    name: "status",
    description:
      "Where the pipeline stands (from the warehouse only): capacity per campaign, last runs, open alerts, suppression size.",
  },
  args: {
    warehouse: { type: "string", description: "duckdb (local file, default) or bigquery", default: "duckdb" },
    vars: { type: "string", description: "Override workflow_settings.yaml vars" },
    runs: { type: "string", description: "How many recent runs to list (default 10)", default: "10" },
    json: { type: "boolean", description: "Print as JSON", default: false },
  },
  async run({ args }) {
    const [{ lockLoop }, { loadLoopSettings }, { formatStatus, gatherStatus }, { openWarehouse }] =
      await Promise.all([
        import("../sync/lock.ts"),
        import("../sync/session.ts"),
        import("../sync/status.ts"),
        import("../warehouse/open-warehouse.ts"),
      ]);
    const settings = loadLoopSettings({ vars: args.vars, warehouse: args.warehouse });
    // The local DuckDB file is single-writer: while a run holds it, say so instead of a file error.
    const lock = lockLoop(args.warehouse, "status");
    const warehouse = await openWarehouse(settings, { kind: args.warehouse }).catch((error) => {
      lock.release();
      throw error;
    });
    try {
      const n = Number(args.runs);
      const status = await gatherStatus(warehouse, settings, Number.isInteger(n) && n > 0 ? n : 10);
      if (args.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else for (const line of formatStatus(status)) console.log(line);
    } finally {
      await warehouse.close();
      lock.release();
    }
  },
});
