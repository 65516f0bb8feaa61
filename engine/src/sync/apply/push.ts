import { isSettled, mayHaveLanded } from "../../core/action-state.ts";
import { chunk, groupBy } from "../../core/batching.ts";
import { allowedAdds, type CapacityResult } from "../../core/capacity.ts";
import { Tally } from "../tally.ts";
import type { PriorState, PushBudget } from "../warehouse-reads.ts";
import { addBatch } from "./add.ts";
import type { RunContext } from "./context.ts";
import { addVerifications, COMPLETED, fatalEnd, noVerifications, type PushResult } from "./results.ts";
import type { AddCandidate } from "./types.ts";
import { describeStop, verifyWave } from "./verify.ts";
import type { Ledger } from "./write-ahead.ts";

/** What the push needs besides the run: what the checks read, and what the drain confirmed. */
export interface PushInputs {
  budget: PushBudget;
  /** Latest state per action id from earlier applies of the same pull. */
  prior: ReadonlyMap<string, PriorState>;
  /** Campaigns the guards give no adds. */
  blocked: readonly string[];
  /** Drains this run's drain phase confirmed (they free room). */
  drainsConfirmed: number;
}

/**
 * Push: in rank order, in waves. A wave is the best-ranked candidates that still fit the room (global
 * and per campaign); its rows that need it are verified, the good ones added in bulk per campaign; the
 * room shrinks by what each batch may have landed; repeat until the room or the candidates run out.
 * So a verification credit is only spent on a row that may still be needed. Returns what it did and
 * how it ended (a fatal stop still returns what was done before it).
 */
export async function pushLeads(ctx: RunContext, input: PushInputs): Promise<PushResult> {
  const ledger: Ledger = { journal: ctx.journal, tally: new Tally() };
  const r: PushResult = {
    tally: ledger.tally,
    addsAttempted: 0,
    addsUnknown: 0,
    suppressedSinceTransform: 0,
    verification: noVerifications(),
    warnings: [],
    end: COMPLETED,
  };
  try {
    await push(ctx, ledger, input, r);
  } catch (error) {
    r.end = fatalEnd(error);
  }
  return r;
}

/** The waves; `r` is this phase's own result, moved forward batch by batch. */
async function push(ctx: RunContext, ledger: Ledger, input: PushInputs, r: PushResult): Promise<void> {
  const managed = ctx.settings.managedCampaignIds;
  const capacity = roomForThisRun(ctx, input);
  r.capacity = capacity;

  let pending = await candidates(ctx, input.prior, new Set(managed), new Set(input.blocked));
  let remaining = capacity.allowed;
  const remainingBy: Record<string, number> = { ...capacity.perCampaign };
  let verificationStopped = false;
  ctx.log(`push: up to ${remaining} add(s) from ${pending.length} candidate(s)`);

  while (remaining > 0 && pending.length > 0 && r.end.kind === "completed") {
    const wave: AddCandidate[] = [];
    const picked: Record<string, number> = {};
    const rest: AddCandidate[] = [];
    for (const c of pending) {
      const campaign = c.action.campaign_id;
      if (c.verify && verificationStopped) continue; // cannot be verified this run
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
    const verified = await verifyWave(ctx, ledger, toVerify);
    r.verification = addVerifications(r.verification, verified.counts);
    switch (verified.stop?.kind) {
      case "fatal":
        r.end = verified.stop;
        return;
      case "out_of_credits":
        // Go on with candidates that need no verification.
        r.warnings.push(`verification stopped: ${describeStop(verified.stop)}`);
        verificationStopped = true;
        break;
      case "circuit_open":
        r.warnings.push(`verification stopped: ${describeStop(verified.stop)}`);
        r.end = { kind: "stopped", reason: "circuit_open" };
        break;
    }
    const ready = wave.filter((c) => !c.verify || verified.ok.has(c.action.action_id));
    for (const [campaign, rows] of groupBy(ready, (c) => c.action.campaign_id)) {
      for (const batch of chunk(rows, ctx.batch.add)) {
        if (r.end.kind !== "completed") break;
        const added = await addBatch(
          ctx,
          ledger,
          campaign,
          batch.map((c) => c.action),
        );
        r.addsAttempted += added.attempted;
        r.addsUnknown += added.unknown;
        r.suppressedSinceTransform += added.suppressed;
        r.warnings.push(...added.warnings);
        remaining -= added.used;
        remainingBy[campaign] = (remainingBy[campaign] ?? 0) - added.used;
        if (added.stop) r.end = added.stop;
        if (added.stop?.kind === "fatal") return;
      }
    }
  }
  // A plan writes nothing: its counts are what apply would do.
  const added = ledger.tally.count("add", "succeeded");
  const verified = r.verification.attempted;
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
function roomForThisRun(ctx: RunContext, input: PushInputs): CapacityResult {
  const { budget } = input;
  let outstanding = 0;
  const outstandingBy: Record<string, number> = {};
  let drainsConfirmed = input.drainsConfirmed;
  for (const p of input.prior.values()) {
    if (mayHaveLanded(p)) {
      outstanding++;
      const c = p.campaignId ?? "";
      outstandingBy[c] = (outstandingBy[c] ?? 0) + 1;
    }
    if (p.op === "drain" && p.state === "succeeded") drainsConfirmed++;
  }
  const capacity = allowedAdds({
    cap: budget.cap,
    activeInventory: budget.activeInventory,
    slots: budget.slots,
    campaignSlots: budget.campaignSlots,
    drainsConfirmed,
    addsOutstanding: outstanding,
    addsOutstandingByCampaign: outstandingBy,
    blockedCampaigns: [...input.blocked],
    managedCampaigns: ctx.settings.managedCampaignIds,
  });
  capacity.allowed = ctx.source.limitAdds(capacity.allowed);
  return capacity;
}

/** Candidates of managed, unblocked campaigns that no earlier apply of this pull settled. */
async function candidates(
  ctx: RunContext,
  prior: ReadonlyMap<string, PriorState>,
  managed: Set<string>,
  blocked: Set<string>,
): Promise<AddCandidate[]> {
  const out: AddCandidate[] = [];
  for (const c of await ctx.source.candidates()) {
    const campaign = c.action.campaign_id;
    if (!managed.has(campaign) || blocked.has(campaign)) continue;
    if (isSettled(prior.get(c.action.action_id))) continue;
    if (c.verify) {
      const v = prior.get(c.verify.action_id);
      if (v?.state === "succeeded") c.verify = null;
      else if (v && (v.state === "invalid" || v.state === "rejected")) continue;
    }
    out.push(c);
  }
  return out;
}
