import { isSettled, mayHaveLanded } from "../../core/action-state.ts";
import { chunk, groupBy } from "../../core/batching.ts";
import { allowedAdds, type CapacityResult } from "../../core/capacity.ts";
import { addBatch } from "./add.ts";
import type { Preflight, RunContext, RunInputs } from "./context.ts";
import type { AddCandidate } from "./types.ts";
import { verifyWave } from "./verify.ts";

/**
 * Push: in rank order, in waves. A wave is the best-ranked candidates that still fit the room (global
 * and per campaign); its rows that need it are verified, the good ones added in bulk per campaign; the
 * room shrinks by what each batch may have landed; repeat until the room or the candidates run out.
 * So a verification credit is only spent on a row that may still be needed.
 */
export async function pushLeads(ctx: RunContext, inputs: RunInputs, pre: Preflight): Promise<void> {
  const managed = ctx.settings.managedCampaignIds;
  const blocked = Object.keys(pre.guards.blockedCampaigns);
  const capacity = roomForThisRun(ctx, inputs, blocked);
  ctx.progress.capacity = capacity;

  let pending = await candidates(ctx, inputs, new Set(managed), new Set(blocked));
  let remaining = capacity.allowed;
  const remainingBy: Record<string, number> = { ...capacity.perCampaign };
  ctx.log(`push: up to ${remaining} add(s) from ${pending.length} candidate(s)`);

  while (remaining > 0 && pending.length > 0 && !ctx.progress.stopPush) {
    const wave: AddCandidate[] = [];
    const picked: Record<string, number> = {};
    const rest: AddCandidate[] = [];
    for (const c of pending) {
      const campaign = c.action.campaign_id;
      if (c.verify && ctx.progress.verificationStopped) continue; // cannot be verified this run
      if (wave.length < remaining && (picked[campaign] ?? 0) < (remainingBy[campaign] ?? 0)) {
        wave.push(c);
        picked[campaign] = (picked[campaign] ?? 0) + 1;
      } else if ((remainingBy[campaign] ?? 0) > 0) rest.push(c);
    }
    pending = rest;
    if (wave.length === 0) break;

    const toVerify = wave.filter((c) => c.verify);
    ctx.log(
      `  wave: ${wave.length} candidate(s), ${toVerify.length} to verify, ${remaining} add(s) still wanted`,
    );
    const verifiedOk = await verifyWave(ctx, toVerify);
    const ready = wave.filter((c) => !c.verify || verifiedOk.has(c.action.action_id));
    for (const [campaign, rows] of groupBy(ready, (c) => c.action.campaign_id)) {
      for (const batch of chunk(rows, ctx.batch.add)) {
        if (ctx.progress.stopPush) break;
        const { used, goOn } = await addBatch(
          ctx,
          campaign,
          batch.map((c) => c.action),
        );
        remaining -= used;
        remainingBy[campaign] = (remainingBy[campaign] ?? 0) - used;
        if (!goOn) ctx.progress.stopPush = true;
      }
    }
  }
  // A plan writes nothing: its counts are what apply would do.
  const added = ctx.tally.count("add", "succeeded");
  const verified = ctx.progress.verification.attempted;
  ctx.log(
    ctx.mode === "plan"
      ? `push: would add ${added}, would verify ${verified} (nothing written to Instantly)`
      : `push: ${added} added, ${verified} verified`,
  );
}

/**
 * The room: push_budget's slots, less what earlier applies of this same pull landed or may have
 * landed, plus only the drains Instantly confirmed (core/capacity.ts); a plan caps it at its own.
 */
function roomForThisRun(ctx: RunContext, inputs: RunInputs, blocked: string[]): CapacityResult {
  let outstanding = 0;
  const outstandingBy: Record<string, number> = {};
  let drainsConfirmed = ctx.tally.count("drain", "succeeded");
  for (const p of inputs.prior.values()) {
    if (mayHaveLanded(p)) {
      outstanding++;
      const c = p.campaignId ?? "";
      outstandingBy[c] = (outstandingBy[c] ?? 0) + 1;
    }
    if (p.op === "drain" && p.state === "succeeded") drainsConfirmed++;
  }
  const capacity = allowedAdds({
    cap: inputs.budget.cap,
    activeInventory: inputs.budget.activeInventory,
    slots: inputs.budget.slots,
    campaignSlots: inputs.budget.campaignSlots,
    drainsConfirmed,
    addsOutstanding: outstanding,
    addsOutstandingByCampaign: outstandingBy,
    blockedCampaigns: blocked,
    managedCampaigns: ctx.settings.managedCampaignIds,
  });
  capacity.allowed = ctx.source.limitAdds(capacity.allowed);
  return capacity;
}

/** Candidates of managed, unblocked campaigns that no earlier apply of this pull settled. */
async function candidates(
  ctx: RunContext,
  inputs: RunInputs,
  managed: Set<string>,
  blocked: Set<string>,
): Promise<AddCandidate[]> {
  const out: AddCandidate[] = [];
  for (const c of await ctx.source.candidates()) {
    const campaign = c.action.campaign_id;
    if (!managed.has(campaign) || blocked.has(campaign)) continue;
    if (isSettled(inputs.prior.get(c.action.action_id))) continue;
    if (c.verify) {
      const v = inputs.prior.get(c.verify.action_id);
      if (v?.state === "succeeded") c.verify = null;
      else if (v && (v.state === "invalid" || v.state === "rejected")) continue;
    }
    out.push(c);
  }
  return out;
}
