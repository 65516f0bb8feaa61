import { isSettled } from "../../core/action-state.ts";
import { chunk, groupBy } from "../../core/batching.ts";
import { makeAction, type PlannedAction } from "../../core/plan.ts";
import type { DeleteLeadsResult, InstantlyOutcome } from "../../instantly/index.ts";
import type { FinalEntry } from "../journal.ts";
import { Tally } from "../tally.ts";
import type { DrainRow, PriorState } from "../warehouse-reads.ts";
import type { RunContext } from "./context.ts";
import { COMPLETED, type DrainResult, fatalEnd, type PhaseEnd } from "./results.ts";
import { continueAfter, failedEntry, type Ledger, writeAhead } from "./write-ahead.ts";

/**
 * Drain: bulk delete per campaign, ≤ 1,000 ids per call. Only rows of managed campaigns with a lead id
 * (anything else is refused and reported, never deleted); rows an earlier apply of the same pull
 * settled are not sent again. Returns what it did; `end` says whether it stopped on a failing API.
 */
export async function drainLeads(
  ctx: RunContext,
  prior: ReadonlyMap<string, PriorState>,
  drainRows: readonly DrainRow[],
): Promise<DrainResult> {
  const ledger: Ledger = { journal: ctx.journal, tally: new Tally() };
  const done = { attempted: 0 };
  const warnings: string[] = [];
  let end: PhaseEnd;
  try {
    end = await drain(ctx, ledger, prior, drainRows, done, warnings);
  } catch (error) {
    end = fatalEnd(error);
  }
  return { tally: ledger.tally, attempted: done.attempted, warnings, end };
}

async function drain(
  ctx: RunContext,
  ledger: Ledger,
  prior: ReadonlyMap<string, PriorState>,
  drainRows: readonly DrainRow[],
  done: { attempted: number },
  warnings: string[],
): Promise<PhaseEnd> {
  const managed = new Set(ctx.settings.managedCampaignIds);
  const todo: PlannedAction[] = [];
  let refused = 0;
  for (const d of drainRows) {
    if (!managed.has(d.campaign_id) || !d.lead_id) {
      refused++;
      continue;
    }
    if (isSettled(prior.get(d.action_id))) continue;
    todo.push(
      makeAction({
        action_id: d.action_id,
        op: "drain",
        email: d.email,
        campaign_id: d.campaign_id,
        lead_id: d.lead_id,
        reason: d.reason,
        suppress: d.suppress,
        block: d.block,
      }),
    );
  }
  if (refused > 0) {
    warnings.push(`${refused} drain row(s) outside the managed campaigns were refused (never deleted)`);
  }
  ctx.log(`drain: ${todo.length} lead(s) to delete`);
  for (const [campaign, rows] of groupBy(todo, (a) => a.campaign_id)) {
    for (const batch of chunk(rows, ctx.batch.drain)) {
      done.attempted += batch.length;
      const { outcome } = await writeAhead(
        ledger,
        batch,
        () =>
          ctx.writer.deleteLeads(
            campaign,
            batch.map((a) => a.lead_id as string),
          ),
        (o) => ({ finals: drainFinals(batch, o) }),
      );
      const drained = ledger.tally.count("drain", "succeeded");
      ctx.log(`  ${campaign}: ${drained} ${ctx.mode === "plan" ? "would be deleted" : "deleted"} so far`);
      if (!continueAfter(outcome)) return { kind: "stopped", reason: "call_failed" };
    }
  }
  return COMPLETED;
}

/** A lead is drained when the delete removed it or it was already gone; still present is a failure. */
function drainFinals(batch: PlannedAction[], outcome: InstantlyOutcome<DeleteLeadsResult>): FinalEntry[] {
  if (outcome.status !== "succeeded") return batch.map((action) => failedEntry(action, outcome));
  const byId = new Map(outcome.value.rows.map((r) => [r.id, r.status]));
  return batch.map((action): FinalEntry => {
    const status = byId.get(action.lead_id as string);
    if (status === "deleted" || status === "already_absent") {
      return { action, state: "succeeded", message: status === "already_absent" ? "already absent" : null };
    }
    return {
      action,
      state: "failed",
      retryable: true,
      errorCode: "still_present",
      message: "lead still in the campaign after the delete",
    };
  });
}
