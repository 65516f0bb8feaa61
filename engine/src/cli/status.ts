import { defineCommand } from "citty";
import { lockLoop } from "../sync/lock.ts";
import { loadLoopSettings } from "../sync/session.ts";
import { formatStatus, gatherStatus } from "../sync/status.ts";
import { openWarehouse } from "../warehouse/open-warehouse.ts";
import { jsonArg, varsArg, warehouseArg } from "./args.ts";

/** `engine status`: capacity per campaign, freshness, last runs, open alerts, suppression size. */
export default defineCommand({
  meta: {
    name: "status",
    description:
      "Where the pipeline stands (from the warehouse only): inventory per campaign now (the latest pull plus adds and drains confirmed since), campaign status, pacing per campaign (int_send_capacity: healthy mailboxes, sends and new starts a day, backlog days, why no adds), last runs, open alerts, suppression size.",
  },
  args: {
    ...warehouseArg,
    ...varsArg,
    runs: { type: "string", description: "How many recent runs to list (default 10)", default: "10" },
    ...jsonArg("Print as JSON"),
  },
  async run({ args }) {
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
