import { z } from "zod";
import { nested } from "./batching.ts";

/**
 * The plan file `engine plan` writes and `engine apply --plan FILE` executes: every action the apply
 * would take, in order (drains, block-list entries, verifications, adds in rank order), tied to the
 * pull it was computed from. It holds lead emails and names (Instantly needs them), so it is written
 * under `.engine/plans/` (git-ignored) and never printed; the printed summary has counts only.
 */
export const PLAN_VERSION = 1;

const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const plannedActionSchema = z.strictObject({
  action_id: z.string().regex(/^[0-9a-f]{32}$/, "must be a 32-char hex MD5"),
  op: z.enum(["drain", "block", "verify", "add"]),
  email: z.string().min(3),
  campaign_id: z.string().min(1),
  lead_id: z.string().nullable().default(null),
  reason: z.string().nullable().default(null),
  /** add only */
  rank: z.number().int().nullable().default(null),
  segment: z.string().nullable().default(null),
  first_name: z.string().nullable().default(null),
  last_name: z.string().nullable().default(null),
  company_name: z.string().nullable().default(null),
  custom_variables: z.record(z.string(), primitive).nullable().default(null),
  /** verify only: whether a catch_all answer still lets the add go (push_queue.push_if_catch_all). */
  push_if_catch_all: z.boolean().nullable().default(null),
  /** verify only: a verification started earlier is still pending (push_queue.verification_pending). */
  verification_pending: z.boolean().nullable().default(null),
  /** drain only */
  suppress: z.boolean().nullable().default(null),
  block: z.boolean().nullable().default(null),
});
export type PlannedAction = z.infer<typeof plannedActionSchema>;

export const planSchema = z.strictObject({
  version: z.literal(PLAN_VERSION),
  plan_run_id: z.string().min(1),
  pull_run_id: z.string().min(1),
  created_at: z.iso.datetime(),
  managed_campaign_ids: z.array(z.string()),
  /** --only drain|push when the plan was made with it. */
  only: z.enum(["drain", "push"]).nullable(),
  capacity: z.strictObject({
    allowed: z.number().int().min(0),
    per_campaign: z.record(z.string(), z.number()),
  }),
  actions: z.array(plannedActionSchema),
});
export type Plan = z.infer<typeof planSchema>;

/** Counts by op, by reason and by campaign: what `engine plan` prints (no emails, no names). */
export function summarisePlan(actions: readonly Pick<PlannedAction, "op" | "reason" | "campaign_id">[]) {
  const byOp: Record<string, number> = {};
  const byReason: Record<string, number> = {};
  const byCampaign: Record<string, Record<string, number>> = {};
  for (const a of actions) {
    byOp[a.op] = (byOp[a.op] ?? 0) + 1;
    const reason = `${a.op}:${a.reason ?? "-"}`;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    const c = nested(byCampaign, a.campaign_id);
    c[a.op] = (c[a.op] ?? 0) + 1;
  }
  return { byOp, byReason, byCampaign };
}

/** A PlannedAction with every optional field null (for rows built outside a plan file). */
export function makeAction(
  fields: Pick<PlannedAction, "action_id" | "op" | "email" | "campaign_id"> & Partial<PlannedAction>,
): PlannedAction {
  return {
    lead_id: null,
    reason: null,
    rank: null,
    segment: null,
    first_name: null,
    last_name: null,
    company_name: null,
    custom_variables: null,
    push_if_catch_all: null,
    verification_pending: null,
    suppress: null,
    block: null,
    ...fields,
  };
}
