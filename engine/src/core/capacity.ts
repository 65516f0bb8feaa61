/**
 * How many adds this apply may land — the engine's last line of defence for "inventory never exceeds
 * the cap" (README.md, Guarantees). The SQL's `push_budget.slots` assumes every lead classified `draining` is gone;
 * the engine only counts drains that Instantly confirmed, and subtracts adds of the same pull that
 * earlier apply runs already landed (or may have landed: an intent or an unconfirmed row), so a second
 * apply on the same action tables cannot overfill. Pure arithmetic; never negative.
 */
export interface CapacityInput {
  cap: number;
  /** push_budget.active_inventory: leads held at the pull plus adds not yet seen by a pull. */
  activeInventory: number;
  /** push_budget.slots. */
  slots: number;
  /** push_budget.campaign_slots when the slots are split per campaign (values may be null). */
  campaignSlots: Record<string, number | null> | null;
  /** Drains of this pull that Instantly confirmed (earlier runs and this one). */
  drainsConfirmed: number;
  /** Adds of this pull that earlier runs landed or may have landed, total and per campaign. */
  addsOutstanding: number;
  addsOutstandingByCampaign: Record<string, number>;
  /** Campaigns that get no adds this run (guards). */
  blockedCampaigns: readonly string[];
  managedCampaigns: readonly string[];
}

export interface CapacityResult {
  /** Adds this run may land in total. */
  allowed: number;
  /** Per campaign: how many it may take (the global `allowed` still applies on top). */
  perCampaign: Record<string, number>;
  /** Whether the split came from campaign_slots. */
  split: boolean;
}

export function allowedAdds(input: CapacityInput): CapacityResult {
  const headroom = input.cap - (input.activeInventory - input.drainsConfirmed);
  const allowed = Math.max(0, Math.min(input.slots, headroom) - input.addsOutstanding);
  const split =
    input.campaignSlots !== null &&
    Object.values(input.campaignSlots).some((v) => v !== null && v !== undefined);
  const perCampaign: Record<string, number> = {};
  for (const id of input.managedCampaigns) {
    if (input.blockedCampaigns.includes(id)) {
      perCampaign[id] = 0;
      continue;
    }
    if (split) {
      const share = input.campaignSlots?.[id] ?? 0;
      perCampaign[id] = Math.max(0, Math.min(allowed, share - (input.addsOutstandingByCampaign[id] ?? 0)));
    } else perCampaign[id] = allowed;
  }
  return { allowed, perCampaign, split };
}
