import { defineCommand } from "citty";
// Heavy modules load in run(): `engine --help` reads every command's meta, so top-level imports stay light.

/**
 * `engine pull`: snapshot the managed Instantly campaigns and every lead in them into the warehouse
 * (append-only, one run id), then reconcile write-ahead intents of earlier runs against the snapshot.
 */
export default defineCommand({
  meta: {
    name: "pull",
    description:
      "Snapshot the managed Instantly campaigns (with analytics) and all their leads into the warehouse, then reconcile unfinished actions of earlier runs.",
  },
  args: {
    warehouse: { type: "string", description: "duckdb (local file, default) or bigquery", default: "duckdb" },
    vars: {
      type: "string",
      description: "Override workflow_settings.yaml vars, e.g. --vars inventory_cap=500",
    },
    json: {
      type: "boolean",
      description: "Print the result as JSON (progress goes to stderr)",
      default: false,
    },
  },
  async run({ args }) {
    const [{ lockLoop }, { runPull }, { openSession }, { formatPull }] = await Promise.all([
      import("../sync/lock.ts"),
      import("../sync/pull.ts"),
      import("../sync/session.ts"),
      import("../sync/summary.ts"),
    ]);
    const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
    const lock = lockLoop(args.warehouse, "pull");
    try {
      const session = await openSession({ vars: args.vars, warehouse: args.warehouse });
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
