import { defineCommand } from "citty";
// Heavy modules load in run(): `engine --help` reads every command's meta, so top-level imports stay light.
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
      "Show exactly what apply would do (nothing is sent to Instantly) and save it as a plan file for `apply --plan`.",
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
    const [{ runApply }, { lockLoop }, { savePlan }, { openSession }, { formatPlan }] = await Promise.all([
      import("../sync/apply.ts"),
      import("../sync/lock.ts"),
      import("../sync/plan-file.ts"),
      import("../sync/session.ts"),
      import("../sync/summary.ts"),
    ]);
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
    } finally {
      await session.close();
      lock.release();
    }
  },
});
