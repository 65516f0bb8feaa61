import { defineCommand } from "citty";
import { UserError } from "../core/errors.ts";
import { publishApply } from "../report/github.ts";
import { runApply } from "../sync/apply.ts";
import { lockLoop } from "../sync/lock.ts";
import { loadPlan } from "../sync/plan-file.ts";
import { notifyHook, openSession } from "../sync/session.ts";
import { formatApply } from "../sync/summary.ts";

/** Parses --only; undefined when absent. */
export function parseOnly(value: string | undefined): "drain" | "push" | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "drain" || value === "push") return value;
  throw new UserError(`--only must be drain or push, got ${JSON.stringify(value)}`);
}

/**
 * `engine apply`: preflight and guards, then drain → block list → verify → push, every batch
 * write-ahead in sync_changelog, one sync_runs row, notifications. Exit code: 0 succeeded,
 * 1 partial, 3 failed, 4 another run holds the lock, 2 bad input (nothing done).
 */
export default defineCommand({
  meta: {
    name: "apply",
    description:
      "Execute the action tables against Instantly: drain, block-list unsubscribes, verify, push; write every outcome back. Exit 0 succeeded, 1 partial, 2 bad input (nothing done), 3 failed, 4 another run holds the lock.",
  },
  args: {
    only: { type: "string", description: "Run one phase: drain or push" },
    plan: { type: "string", description: "Execute exactly this plan file (from `engine plan`)" },
    force: {
      type: "boolean",
      description: "Override the drain guard and the empty-source guard",
      default: false,
    },
    warehouse: { type: "string", description: "duckdb (local file, default) or bigquery", default: "duckdb" },
    vars: { type: "string", description: "Override workflow_settings.yaml vars" },
    json: {
      type: "boolean",
      description: "Print the result as JSON (progress goes to stderr)",
      default: false,
    },
  },
  async run({ args }) {
    const only = parseOnly(args.only);
    const plan = args.plan ? loadPlan(args.plan) : undefined;
    const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
    const lock = lockLoop(args.warehouse, "apply");
    try {
      const session = await openSession({ vars: args.vars, warehouse: args.warehouse });
      try {
        const result = await runApply({
          ...session,
          mode: "apply",
          ...(only ? { only } : {}),
          ...(plan ? { plan } : {}),
          force: args.force,
          log,
          onReport: notifyHook(session.settings, session.warehouse),
        });
        if (args.json) {
          process.stdout.write(`${JSON.stringify({ ...result, plan: undefined }, null, 2)}\n`);
        } else for (const line of formatApply(result)) log(line);
        publishApply(result, log);
        process.exitCode = result.exitCode;
      } finally {
        await session.close();
      }
    } finally {
      lock.release();
    }
  },
});
