import { isSettled } from "../../core/action-state.ts";
import { chunk } from "../../core/batching.ts";
import type { PlannedAction } from "../../core/plan.ts";
import type { BlocklistCreateResult, InstantlyOutcome } from "../../instantly/index.ts";
import type { FinalEntry } from "../journal.ts";
import { Tally } from "../tally.ts";
import type { PriorState } from "../warehouse-reads.ts";
import type { RunContext } from "./context.ts";
import { type BlockResult, COMPLETED, fatalEnd, type PhaseEnd } from "./results.ts";
import { continueAfter, failedEntry, type Ledger, writeAhead } from "./write-ahead.ts";

/** Block list: the drained leads the rules mark `block` (unsubscribes) go into Instantly's block list. */
export async function blockLeads(
  ctx: RunContext,
  prior: ReadonlyMap<string, PriorState>,
): Promise<BlockResult> {
  const ledger: Ledger = { journal: ctx.journal, tally: new Tally() };
  let end: PhaseEnd;
  try {
    end = await block(ctx, ledger, prior);
  } catch (error) {
    end = fatalEnd(error);
  }
  return { tally: ledger.tally, end };
}

async function block(
  ctx: RunContext,
  ledger: Ledger,
  prior: ReadonlyMap<string, PriorState>,
): Promise<PhaseEnd> {
  const wanted = (await ctx.source.blocks(ctx.settings.managedCampaignIds)).filter(
    (a) => !isSettled(prior.get(a.action_id)),
  );
  if (wanted.length === 0) return COMPLETED;
  ctx.log(`block list: ${wanted.length} value(s) to add`);
  for (const batch of chunk(wanted, ctx.batch.block)) {
    const values = [...new Set(batch.map((a) => a.email))];
    const { outcome } = await writeAhead(
      ledger,
      batch,
      () => ctx.writer.createBlocklistEntries(values),
      (o) => ({ finals: blockFinals(batch, o) }),
    );
    if (!continueAfter(outcome)) return { kind: "stopped", reason: "call_failed" };
  }
  return COMPLETED;
}

function blockFinals(batch: PlannedAction[], outcome: InstantlyOutcome<BlocklistCreateResult>): FinalEntry[] {
  if (outcome.status !== "succeeded") return batch.map((action) => failedEntry(action, outcome));
  const accepted = new Set(outcome.value.entries.map((e) => e.bl_value.trim().toLowerCase()));
  const allValid = outcome.value.invalidCount === 0;
  return batch.map((action): FinalEntry => {
    if (accepted.has(action.email) || allValid) return { action, state: "succeeded" };
    return {
      action,
      state: "rejected",
      retryable: false,
      errorCode: "invalid_value",
      message: "Instantly did not accept the value",
    };
  });
}
