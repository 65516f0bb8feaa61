import { defineCommand } from "citty";
import { loadLoopSettings } from "../sync/session.ts";
import { formatStatus, gatherStatus } from "../sync/status.ts";
import { openForStatus } from "../sync/status-read.ts";
import { jsonArg, varsArg, warehouseArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";

/** `engine status`: what needs attention, capacity per campaign, freshness, last runs, open alerts, suppression size. */
export default defineCommand({
  meta: commandMeta("status"),
  args: {
    ...warehouseArg,
    ...varsArg,
    runs: { type: "string", description: "How many recent runs to list (default 10)", default: "10" },
    ...jsonArg("Print as JSON"),
  },
  async run({ args }) {
    const settings = loadLoopSettings({ vars: args.vars, warehouse: args.warehouse });
    const opened = await openForStatus(settings, args.warehouse);
    try {
      const n = Number(args.runs);
      const status = await gatherStatus(opened.warehouse, settings, Number.isInteger(n) && n > 0 ? n : 10);
      status.runInProgress = opened.runInProgress;
      if (args.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else for (const line of formatStatus(status)) console.log(line);
    } finally {
      await opened.close();
    }
  },
});
