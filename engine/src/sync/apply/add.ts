import { isAmbiguousFailure } from "../../core/action-state.ts";
import type { PlannedAction } from "../../core/plan.ts";
import type { BulkAddResult, InstantlyOutcome, LeadInput } from "../../instantly/index.ts";
import type { FinalEntry } from "../journal.ts";
import { readSuppressedNow } from "../warehouse-reads.ts";
import type { RunContext } from "./context.ts";
import { fatalEnd, type PhaseEnd } from "./results.ts";
import { continueAfter, failedEntry, type Ledger, writeAhead, writeFinals } from "./write-ahead.ts";

export interface AddBatchResult {
  /** Room the batch took: created leads plus adds whose outcome is unknown (they may have landed). */
  used: number;
  /** Rows sent in the add call. */
  attempted: number;
  /** Rows sent whose outcome is unknown. */
  unknown: number;
  /** Rows dropped before the call: suppressed since the transform. */
  suppressed: number;
  /**
   * Set when pushing must stop: the call failed or was refused whole (the API is in trouble), or the
   * run must stop (a fatal answer, a write that failed; what the batch did is still counted).
   */
  stop: Exclude<PhaseEnd, { kind: "completed" }> | null;
  warnings: string[];
}

/**
 * One bulk add to one campaign, right after re-checking the batch against the warehouse's live
 * suppression (`suppressed_now`): an opt-out that arrived after the transform is dropped here as
 * `skipped` / `suppressed_since_transform` and takes no room. The rest goes out write-ahead.
 *
 * An add whose outcome is unknown (a 5xx or reset after which the write may have landed, a row the
 * bulk result does not account for) counts against the room exactly like a created one: only the
 * next pull can tell, and counting it as free is how a cap of 300 once became 526 leads.
 */
export async function addBatch(
  ctx: RunContext,
  ledger: Ledger,
  campaign: string,
  batch: readonly PlannedAction[],
): Promise<AddBatchResult> {
  const r: AddBatchResult = { used: 0, attempted: 0, unknown: 0, suppressed: 0, stop: null, warnings: [] };
  try {
    const suppressed = await readSuppressedNow(
      ctx.warehouse,
      batch.map((a) => a.email),
    );
    const send = batch.filter((a) => !suppressed.has(a.email));
    if (suppressed.size > 0) {
      r.suppressed = batch.length - send.length;
      await writeFinals(
        ledger,
        batch
          .filter((a) => suppressed.has(a.email))
          .map((action) => ({
            action,
            state: "skipped",
            errorCode: "suppressed_since_transform",
            message: `suppressed since the action tables were computed (${suppressed.get(action.email)}); not pushed`,
          })),
      );
    }
    if (send.length === 0) return r;
    r.attempted = send.length;
    const { outcome, finals } = await writeAhead(
      ledger,
      send,
      () => ctx.writer.bulkAddLeads(campaign, send.map(leadInput), { skipIfInWorkspace: true }),
      (o) => ({ finals: addFinals(send, o) }),
    );
    const created = finals.filter((f) => f.state === "succeeded").length;
    r.unknown = finals.filter((f) => f.state === "failed" && isAmbiguousFailure(f.errorCode)).length;
    r.used = created + r.unknown;
    if (outcome.status === "rejected") {
      r.warnings.push(
        `push stopped: Instantly refused a whole /leads/add batch for campaign ${campaign} (${outcome.message}); its ${send.length} lead(s) are failed and retryable, not rejected, and the next run adds them`,
      );
      ctx.log(
        `  push stopped: a whole batch for campaign ${campaign} was refused (HTTP ${outcome.httpStatus})`,
      );
      r.stop = { kind: "stopped", reason: "batch_refused" };
    }
    if (!continueAfter(outcome)) r.stop = { kind: "stopped", reason: "call_failed" };
  } catch (error) {
    r.stop = fatalEnd(error);
  }
  return r;
}

/**
 * A 4xx answering the whole call (the plan's lead limit, a campaign deleted mid-run, a payload the
 * API will not take) is no verdict on any lead in it: every row is `failed` and retryable, never
 * `rejected` (int_suppression suppresses `rejected` adds for good). Only a row the API names in its
 * answer is rejected (bulk-add.ts).
 */
function batchRefused(action: PlannedAction, outcome: { code: string; message: string; httpStatus: number }) {
  return {
    action,
    state: "failed",
    retryable: true,
    errorCode: "batch_refused",
    httpStatus: outcome.httpStatus,
    message: `the whole batch was refused (${outcome.code}): ${outcome.message}`,
  } satisfies FinalEntry;
}

function addFinals(batch: readonly PlannedAction[], outcome: InstantlyOutcome<BulkAddResult>): FinalEntry[] {
  if (outcome.status === "rejected") return batch.map((action) => batchRefused(action, outcome));
  if (outcome.status !== "succeeded") return batch.map((action) => failedEntry(action, outcome));
  const byIndex = new Map(outcome.value.rows.map((r) => [r.index, r]));
  return batch.map((action, i): FinalEntry => {
    const r = byIndex.get(i);
    if (!r) {
      return {
        action,
        state: "failed",
        retryable: true,
        errorCode: "unconfirmed",
        message: "no outcome for the row",
      };
    }
    return {
      action,
      state: r.state,
      leadId: r.leadId ?? null,
      retryable: r.state === "failed" ? r.retryable : null,
      errorCode: r.state === "succeeded" ? null : r.reason,
      message: r.status === "created" ? null : r.status,
    };
  });
}

function leadInput(a: PlannedAction): LeadInput {
  return {
    email: a.email,
    first_name: a.first_name,
    last_name: a.last_name,
    company_name: a.company_name,
    ...(a.custom_variables ? { custom_variables: a.custom_variables } : {}),
  };
}
