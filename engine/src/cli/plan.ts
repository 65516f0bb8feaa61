import { defineCommand } from "citty";
import { lockLoop } from "../sync/lock.ts";
import { loadLoopSettings, openSession } from "../sync/session.ts";
import { forceArg, jsonArg, onlyArg, outArg, parseOnly, varsArg, warehouseArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";
import { planAndReport } from "./plan-run.ts";

/**
 * `engine plan`: the apply code path with a recording writer — reads Instantly (key, campaigns,
 * analytics) but writes nothing to it; prints counts by op / reason / campaign and a sample without
 * PII, and saves the full plan (with emails) under .engine/plans/ for `engine apply --plan FILE`.
 */
export default defineCommand({
  meta: commandMeta("plan"),
  args: {
    ...onlyArg,
    force: { ...forceArg.force, description: "Plan as if the guards were overridden" },
    ...outArg,
    ...warehouseArg,
    ...varsArg,
    ...jsonArg("Print the summary as JSON"),
  },
  async run({ args }) {
    const only = parseOnly(args.only);
    const settings = loadLoopSettings({ vars: args.vars, warehouse: args.warehouse });
    // Plan writes nothing to Instantly, but it reads the warehouse a running apply is changing.
    const lock = lockLoop(args.warehouse, "plan");
    try {
      const session = await openSession({ settings, warehouse: args.warehouse });
      try {
        process.exitCode = await planAndReport(session, {
          ...(only ? { only } : {}),
          force: args.force,
          ...(args.out ? { out: args.out } : {}),
          json: args.json,
        });
      } finally {
        await session.close();
      }
    } finally {
      lock.release();
    }
  },
});
