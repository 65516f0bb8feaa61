import { publishPlan } from "../report/github.ts";
import { runApply } from "../sync/apply/run.ts";
import { savePlan } from "../sync/plan-file.ts";
import type { Session } from "../sync/session.ts";
import { formatPlan } from "../sync/summary.ts";
import { readCampaignNames } from "./campaign-names.ts";

/**
 * The plan step shared by `engine plan`, `engine apply --dry-run` and `engine run --dry-run`: the
 * apply code path with a recording writer (reads Instantly, writes nothing to it), a plan file under
 * .engine/plans/ and a summary without PII. Returns the exit code.
 */
export async function planAndReport(
  session: Session,
  options: { only?: "drain" | "push"; force: boolean; out?: string; json: boolean },
): Promise<number> {
  const result = await runApply({
    ...session,
    mode: "plan",
    ...(options.only ? { only: options.only } : {}),
    force: options.force,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (!result.plan || result.status === "failed") {
    process.stderr.write(`plan failed: ${result.error ?? "unknown error"}\n`);
    return result.exitCode;
  }
  const file = savePlan(result.plan, options.out);
  if (options.json) {
    const { actions, ...head } = result.plan;
    process.stdout.write(
      `${JSON.stringify({ ...head, file, actions: actions.length, counts: result.counts }, null, 2)}\n`,
    );
  } else {
    const names = await readCampaignNames(session.warehouse);
    for (const line of formatPlan(result.plan, file, 5, names)) console.log(line);
  }
  await publishPlan({
    warehouse: session.warehouse,
    result,
    plan: result.plan,
    planFile: file,
    write: (l) => (options.json ? process.stderr : process.stdout).write(`${l}\n`),
  });
  return result.exitCode;
}
