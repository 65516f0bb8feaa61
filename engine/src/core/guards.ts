import type { CampaignHealth } from "./campaign-health.ts";

/**
 * Preflight guards, as pure functions of what the run read, so each is unit tested without
 * Instantly or a warehouse. They decide nothing about a rate: the bounce verdict is SQL's.
 *
 * - a managed campaign that is not active (status 1, read live from Instantly) gets no adds this run;
 * - a campaign int_campaign_health marks `is_bounce_blocked` (its bounce rate, judged once it has
 *   contacted bounce_min_contacted leads, is over bounce_block_pct) gets no adds;
 * - a drain larger than `max_drain_fraction` of the inventory aborts the run unless `--force`
 *   (a broken rule or a bad snapshot must not empty the campaigns);
 * - an empty leads source aborts the run unless `--force` (a failed upstream load looks like this).
 */

export interface CampaignStatusInput {
  campaignId: string;
  segment: string;
  /** Instantly status: 1 active; anything else gets no adds. */
  status: number;
}

export interface GuardInput {
  campaigns: CampaignStatusInput[];
  /** int_campaign_health rows of the managed campaigns (a campaign without one is not judged). */
  health: readonly CampaignHealth[];
  /** Drains this run would do. */
  drainCount: number;
  /** Leads held by the managed campaigns (push_budget.active_inventory). */
  inventory: number;
  maxDrainFraction: number;
  /** Leads in the source table (0 = empty); undefined when not checked (drain-only runs). */
  sourceLeads: number | undefined;
  force: boolean;
}

export type CampaignBlockReason = "inactive" | "bounce_rate";

export interface GuardResult {
  /** Why the run must stop (empty when it may go on). With --force these are `overridden`. */
  abort: string[];
  overridden: string[];
  /** Campaigns that get no adds this run, with the reason. */
  blockedCampaigns: Record<string, { reason: CampaignBlockReason; detail: string }>;
}

export const CAMPAIGN_STATUS_ACTIVE = 1;

export function evaluateGuards(input: GuardInput): GuardResult {
  const abort: string[] = [];
  const blockedCampaigns: GuardResult["blockedCampaigns"] = {};
  const health = new Map(input.health.map((h) => [h.campaignId, h]));
  for (const c of input.campaigns) {
    if (c.status !== CAMPAIGN_STATUS_ACTIVE) {
      blockedCampaigns[c.campaignId] = {
        reason: "inactive",
        detail: `campaign ${c.campaignId} (${c.segment}) has status ${c.status}, not 1 (active): no adds to it`,
      };
      continue;
    }
    const h = health.get(c.campaignId);
    if (h?.isBounceBlocked) {
      blockedCampaigns[c.campaignId] = {
        reason: "bounce_rate",
        detail: `campaign ${c.campaignId} (${c.segment}) bounce rate ${(h.bounceRatePct ?? 0).toFixed(2)}% is over bounce_block_pct ${h.bounceBlockPct}%: no adds to it`,
      };
    }
  }
  if (input.inventory > 0 && input.drainCount > input.maxDrainFraction * input.inventory) {
    abort.push(
      `drain guard: ${input.drainCount} drains is more than max_drain_fraction ${input.maxDrainFraction} of the ${input.inventory} leads held; check the rules and the snapshot, then re-run with --force if it is right`,
    );
  }
  if (input.sourceLeads === 0) {
    abort.push(
      "empty-source guard: the leads source table has no rows (a failed upstream load?); re-run with --force if it is really empty",
    );
  }
  return input.force
    ? { abort: [], overridden: abort, blockedCampaigns }
    : { abort, overridden: [], blockedCampaigns };
}
