import { defineCommand } from "citty";
import { formatStory } from "../explain/format.ts";
import { gatherLeadStory } from "../explain/story.ts";
import { lockLoop } from "../sync/lock.ts";
import { loadLoopSettings } from "../sync/session.ts";
import { openWarehouse } from "../warehouse/open-warehouse.ts";
import { jsonArg, varsArg, warehouseArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";

/**
 * `engine explain EMAIL`: why a lead is (not) contacted, from the warehouse alone. The output holds the
 * email, so it goes to this terminal only: nothing is logged, stored or notified.
 */
export default defineCommand({
  meta: commandMeta("explain"),
  args: {
    email: { type: "positional", description: "The lead's email (any case or spacing)", required: true },
    ...warehouseArg,
    ...varsArg,
    ...jsonArg("Print the story as JSON"),
  },
  async run({ args }) {
    const settings = loadLoopSettings({ vars: args.vars, warehouse: args.warehouse });
    // The local DuckDB file is single-writer: while a run holds it, say so instead of a file error.
    const lock = lockLoop(args.warehouse, "explain");
    try {
      const warehouse = await openWarehouse(settings, { kind: args.warehouse });
      try {
        const story = await gatherLeadStory(warehouse, settings, String(args.email));
        if (args.json) process.stdout.write(`${JSON.stringify(story, null, 2)}\n`);
        else for (const line of formatStory(story)) console.log(line);
      } finally {
        await warehouse.close();
      }
    } finally {
      lock.release();
    }
  },
});
