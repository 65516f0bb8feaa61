import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { now } from "../core/clock.ts";
import { type Plan, summarisePlan } from "../core/plan.ts";
import { ciRunUrl } from "../sync/run-id.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { syncPlansTable } from "../warehouse/tables.ts";

/**
 * A plan without its PII. The plan file holds emails and names (Instantly needs them) and stays
 * private under .engine/plans/; what outlives a CI runner — the Actions artifact and the
 * `cold_email_ops.sync_plans` row — is this: counts and, per action, its id, op, campaign, reason
 * and rank. An action id joins back to push_queue / drain_queue / sync_changelog in the warehouse,
 * where access to the emails is governed by the warehouse's own permissions.
 */
export type PublicAction = [
  actionId: string,
  op: string,
  campaignId: string,
  reason: string | null,
  rank: number | null,
];

export interface PublicPlan {
  version: number;
  plan_run_id: string;
  pull_run_id: string;
  created_at: string;
  only: Plan["only"];
  capacity: Plan["capacity"];
  counts: ReturnType<typeof summarisePlan>;
  actions: PublicAction[];
}

export function publicPlan(plan: Plan): PublicPlan {
  return {
    version: plan.version,
    plan_run_id: plan.plan_run_id,
    pull_run_id: plan.pull_run_id,
    created_at: plan.created_at,
    only: plan.only,
    capacity: plan.capacity,
    counts: summarisePlan(plan.actions),
    actions: plan.actions.map((a) => [a.action_id, a.op, a.campaign_id, a.reason, a.rank]),
  };
}

/** Where the public copy of a plan file goes: `<plans dir>/public/<plan run id>.json` (the CI artifact). */
export function publicPlanPath(planFile: string, plan: Plan): string {
  return path.join(path.dirname(planFile), "public", `${plan.plan_run_id}.json`);
}

export function writePublicPlan(plan: Plan, file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(publicPlan(plan), null, 2)}\n`);
  return file;
}

/** One sync_plans row (append-only, like every ops table). */
export async function recordPlan(
  warehouse: Warehouse,
  plan: Plan,
  env: Record<string, string | undefined> = process.env,
): Promise<void> {
  const pub = publicPlan(plan);
  await warehouse.append(syncPlansTable, [
    {
      run_id: plan.plan_run_id,
      recorded_at: now(),
      pull_run_id: plan.pull_run_id,
      only: plan.only,
      action_count: plan.actions.length,
      counts: pub.counts,
      capacity: pub.capacity,
      actions: pub.actions,
      ci_run_url: ciRunUrl(env) ?? null,
    },
  ]);
}
