import type { Settings } from "../../config/settings.ts";
import { UserError } from "../../core/errors.ts";
import { makeAction, type Plan, type PlannedAction } from "../../core/plan.ts";
import type { Warehouse } from "../../warehouse/port.ts";
import {
  type DrainRow,
  type PushRow,
  readBlockQueue,
  readDrainQueue,
  readPushQueue,
} from "../warehouse-reads.ts";
import type { AddCandidate } from "./types.ts";

/**
 * Where a run's actions come from: the action tables the SQL materialised (apply, plan), or a plan
 * file (`apply --plan`), which must then be executed exactly — same rows, same ids, no more adds than
 * it planned. Every "plan or warehouse?" question of the run is answered here, once.
 */
export interface ActionSource {
  readonly kind: "warehouse" | "plan";
  /** Refuses a plan made from another pull or for other campaigns (the warehouse is always current). */
  checkCurrent(latestPullRunId: string, settings: Settings): void;
  drains(): Promise<DrainRow[]>;
  /** Block-list entries for the drained leads that must be blocked (managed campaigns only). */
  blocks(managed: readonly string[]): Promise<PlannedAction[]>;
  /** Add candidates in rank order, each with its verify action when it needs one. */
  candidates(): Promise<AddCandidate[]>;
  /** The most adds this source allows (a plan never adds more than it planned). */
  limitAdds(allowed: number): number;
}

export function warehouseSource(warehouse: Warehouse): ActionSource {
  return {
    kind: "warehouse",
    checkCurrent: () => {},
    drains: () => readDrainQueue(warehouse),
    blocks: async (managed) =>
      (await readBlockQueue(warehouse))
        .filter((b) => managed.includes(b.campaign_id))
        .map((b) => makeAction({ ...b, op: "block" })),
    candidates: async () =>
      (await readPushQueue(warehouse)).map((r) => ({
        action: pushAction(r),
        verify: r.needs_verification ? verifyAction(r) : null,
      })),
    limitAdds: (allowed) => allowed,
  };
}

export function planSource(plan: Plan): ActionSource {
  const ofOp = (op: PlannedAction["op"]) => plan.actions.filter((a) => a.op === op);
  return {
    kind: "plan",
    checkCurrent: (latestPullRunId, settings) => {
      if (plan.pull_run_id !== latestPullRunId) {
        throw new UserError(
          `the plan was made from pull ${plan.pull_run_id}, but the latest pull is ${latestPullRunId}`,
          { hint: "make a new plan with `engine plan` (the old one may no longer be right)" },
        );
      }
      const managed = [...settings.managedCampaignIds].sort().join(",");
      if ([...plan.managed_campaign_ids].sort().join(",") !== managed) {
        throw new UserError(
          "the plan was made for other managed campaigns than workflow_settings.yaml lists",
          { hint: "make a new plan with `engine plan`" },
        );
      }
    },
    drains: async () =>
      ofOp("drain").map((a) => ({
        action_id: a.action_id,
        lead_id: a.lead_id ?? "",
        email: a.email,
        campaign_id: a.campaign_id,
        reason: a.reason ?? "",
        suppress: a.suppress ?? false,
        block: a.block ?? false,
      })),
    blocks: async () => ofOp("block"),
    candidates: async () => {
      const verifies = new Map(ofOp("verify").map((v) => [`${v.campaign_id}|${v.email}`, v]));
      return ofOp("add").map((action) => ({
        action,
        verify: verifies.get(`${action.campaign_id}|${action.email}`) ?? null,
      }));
    },
    limitAdds: (allowed) => Math.min(allowed, plan.capacity.allowed),
  };
}

function verifyAction(r: PushRow): PlannedAction {
  return makeAction({
    action_id: r.verify_action_id,
    op: "verify",
    email: r.email,
    campaign_id: r.campaign_id,
    reason: "before_add",
    push_if_catch_all: r.push_if_catch_all,
    verification_pending: r.verification_pending,
  });
}

function pushAction(r: PushRow): PlannedAction {
  return makeAction({
    action_id: r.action_id,
    op: "add",
    email: r.email,
    campaign_id: r.campaign_id,
    reason: r.segment,
    rank: r.rank,
    segment: r.segment,
    first_name: r.first_name,
    last_name: r.last_name,
    company_name: r.company_name,
    custom_variables: primitives(r.custom_variables),
  });
}

/** Instantly custom variables are flat: string, number, boolean or null; anything else becomes JSON text. */
function primitives(
  vars: Record<string, unknown> | null,
): Record<string, string | number | boolean | null> | null {
  if (!vars) return null;
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (v === null || v === undefined) out[k] = null;
    else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (v instanceof Date) out[k] = v.toISOString();
    else out[k] = JSON.stringify(v);
  }
  return out;
}
