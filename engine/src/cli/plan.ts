import { defineCommand } from "citty";
import { publishPlan } from "../report/github.ts";
import { runApply } from "../sync/apply.ts";
import { lockLoop } from "../sync/lock.ts";
import { savePlan } from "../sync/plan-file.ts";
import { openSession } from "../sync/session.ts";
import { formatPlan } from "../sync/summary.ts";
import { parseOnly } from "./apply.ts";

/**
 * `engine plan`: the apply code path with a recording writer — reads Instantly (key, campaigns,
 * analytics) but writes nothing to it; prints counts by op / reason / campaign and a sample without
 * PII, and saves the full plan (with emails) under .engine/plans/ for `engine apply --plan FILE`.
 */
export default defineCommand({
  meta: {
    name: "plan",
    description:
      "Show what apply would do (nothing is sent to Instantly; verification results can still move adds between campaigns) and save it as a plan file for `apply --plan`.",
  },
  args: {
    only: { type: "string", description: "Plan one phase: drain or push" },
    force: { type: "boolean", description: "Plan as if the guards were overridden", default: false },
    out: { type: "string", description: "Plan file to write (default .engine/plans/<run id>.json)" },
    warehouse: { type: "string", description: "duckdb (local file, default) or bigquery", default: "duckdb" },
    vars: { type: "string", description: "Override workflow_settings.yaml vars" },
    json: { type: "boolean", description: "Print the summary as JSON", default: false },
  },
  async run({ args }) {
    const only = parseOnly(args.only);
    // Plan writes nothing to Instantly, but it reads the warehouse a running apply is changing.
    const lock = lockLoop(args.warehouse, "plan");
    const session = await openSession({ vars: args.vars, warehouse: args.warehouse }).catch((error) => {
      lock.release();
      throw error;
    });
    try {
      const result = await runApply({
        ...session,
        mode: "plan",
        ...(only ? { only } : {}),
        force: args.force,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      if (!result.plan || result.status === "failed") {
        process.stderr.write(`plan failed: ${result.error ?? "unknown error"}\n`);
        process.exitCode = result.exitCode;
        return;
      }
      const file = savePlan(result.plan, args.out);
      if (args.json) {
        const { actions, ...head } = result.plan;
        process.stdout.write(
          `${JSON.stringify({ ...head, file, actions: actions.length, counts: result.counts }, null, 2)}\n`,
        );
      } else for (const line of formatPlan(result.plan, file)) console.log(line);
      await publishPlan({
        warehouse: session.warehouse,
        result,
        plan: result.plan,
        planFile: file,
        write: (l) => (args.json ? process.stderr : process.stdout).write(`${l}\n`),
      });
    } finally {
      await session.close();
      lock.release();
    }
  },
});
