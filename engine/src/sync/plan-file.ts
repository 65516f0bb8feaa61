import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { projectDir } from "../config/paths.ts";
import { UserError } from "../core/errors.ts";
import { type Plan, planSchema } from "../core/plan.ts";

/**
 * Plan files live under `<project>/.engine/plans/` (git-ignored with the rest of .engine/): they hold
 * lead emails and names, which Instantly needs and logs must never show.
 */
export function plansDir(): string {
  return path.join(projectDir(), ".engine", "plans");
}

export function savePlan(plan: Plan, file = path.join(plansDir(), `${plan.plan_run_id}.json`)): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  return file;
}

export function loadPlan(file: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UserError(`cannot read the plan file ${file}`, { hint: "make one with `engine plan`" });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UserError(`the plan file ${file} is not valid JSON`, {
      hint: "make a new one with `engine plan`",
    });
  }
  const parsed = planSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `the plan file ${file} is not a plan: ${issue ? `${issue.path.join(".") || "(root)"} ${issue.message}` : "invalid"}`,
      { hint: "make a new one with `engine plan`" },
    );
  }
  return parsed.data;
}
