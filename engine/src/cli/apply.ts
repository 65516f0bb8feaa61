import { defineCommand } from "citty";
import { UserError } from "../core/errors.ts";
import { publishApply } from "../report/github.ts";
import { runApply } from "../sync/apply/run.ts";
import { lockLoop } from "../sync/lock.ts";
import { loadPlan } from "../sync/plan-file.ts";
import { loadLoopSettings, notifyHook, openSession } from "../sync/session.ts";
import { formatApply } from "../sync/summary.ts";
import { dryRunArg, forceArg, jsonArg, onlyArg, outArg, parseOnly, varsArg, warehouseArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";
import { announceInterrupt } from "./interrupt.ts";
import { planAndReport } from "./plan-run.ts";

/**
 * `engine apply`: preflight and guards, then drain → block list → verify → push, every batch
 * write-ahead in sync_changelog, one sync_runs row, notifications. Exit code: 0 succeeded,
 * 1 partial, 3 failed, 4 another run holds the lock, 2 bad input (nothing done), 130 Ctrl-C.
 * `--dry-run` is `engine plan`: nothing is written to Instantly.
 */
export default defineCommand({
  meta: commandMeta("apply"),
  args: {
    ...onlyArg,
    plan: { type: "string", description: "Execute exactly this plan file (from `engine plan`)" },
    ...forceArg,
    ...dryRunArg,
    out: { ...outArg.out, description: `With --dry-run: ${outArg.out.description}` },
    ...warehouseArg,
    ...varsArg,
    ...jsonArg(),
  },
  async run({ args }) {
    const only = parseOnly(args.only);
    if (args.out && !args["dry-run"]) throw new UserError("--out is for --dry-run (where to save the plan)");
    const dryRun = args["dry-run"];
    if (dryRun && args.plan) {
      throw new UserError(
        "--dry-run and --plan cannot be combined: a plan file is already a dry run's output",
      );
    }
    const plan = args.plan ? loadPlan(args.plan) : undefined;
    // Settings first: a bad or unknown var stops here, before the lock file or the warehouse is touched.
    const settings = loadLoopSettings({ vars: args.vars, warehouse: args.warehouse });
    const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
    const lock = lockLoop(args.warehouse, dryRun ? "plan" : "apply");
    try {
      const session = await openSession({ settings, warehouse: args.warehouse });
      try {
        if (dryRun) {
          process.exitCode = await planAndReport(session, {
            ...(only ? { only } : {}),
            force: args.force,
            ...(args.out ? { out: args.out } : {}),
            json: args.json,
          });
          return;
        }
        const progress: string[] = [];
        const stopListening = announceInterrupt(
          "apply",
          session.client,
          () => progress.slice(-4),
          session.warehouse,
        );
        try {
          const result = await runApply({
            ...session,
            mode: "apply",
            ...(only ? { only } : {}),
            ...(plan ? { plan } : {}),
            force: args.force,
            log: (line) => {
              if (!line.startsWith(" ")) progress.push(line);
              log(line);
            },
            onReport: notifyHook(session.settings, session.warehouse),
          });
          if (args.json) {
            process.stdout.write(`${JSON.stringify({ ...result, plan: undefined }, null, 2)}\n`);
          } else for (const line of formatApply(result)) log(line);
          publishApply(result, log);
          process.exitCode = result.exitCode;
        } finally {
          stopListening();
        }
      } finally {
        await session.close();
      }
    } finally {
      lock.release();
    }
  },
});
