import { defineCommand } from "citty";
import { lockLoop } from "../sync/lock.ts";
import { runPull } from "../sync/pull.ts";
import { loadLoopSettings, openSession } from "../sync/session.ts";
import { formatPull } from "../sync/summary.ts";
import { jsonArg, varsArg, warehouseArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";

/**
 * `engine pull`: snapshot the managed Instantly campaigns and every lead in them into the warehouse
 * (append-only, one run id), then reconcile write-ahead intents of earlier runs against the snapshot.
 */
export default defineCommand({
  meta: commandMeta("pull"),
  args: { ...warehouseArg, ...varsArg, ...jsonArg() },
  async run({ args }) {
    const settings = loadLoopSettings({ vars: args.vars, warehouse: args.warehouse });
    const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
    const lock = lockLoop(args.warehouse, "pull");
    try {
      const session = await openSession({ settings, warehouse: args.warehouse });
      try {
        const result = await runPull({ ...session, log });
        if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else for (const line of formatPull(result)) log(line);
      } finally {
        await session.close();
      }
    } finally {
      lock.release();
    }
  },
});
