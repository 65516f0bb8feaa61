import PQueue from "p-queue";
import { chunk } from "../../core/batching.ts";
import type { PlannedAction } from "../../core/plan.ts";
import { type InstantlyOutcome, settle, type VerificationOutcome } from "../../instantly/index.ts";
import type { FinalEntry, VerificationRow } from "../journal.ts";
import type { RunContext, VerificationCounts } from "./context.ts";
import type { AddCandidate } from "./types.ts";
import { failedEntry, fatalError, type Settled, writeAhead } from "./write-ahead.ts";

/**
 * Verification of one push wave's rows that need it, in write-ahead batches of `batch.verify` rows:
 * each batch's results are stored before the next batch is sent, so a kill loses the credits of one
 * batch at most. Inside a batch the calls run concurrently through p-queue; the client's rate budget
 * still paces every request. Returns the add action ids whose email may be pushed.
 */
export async function verifyWave(ctx: RunContext, rows: readonly AddCandidate[]): Promise<Set<string>> {
  const ok = new Set<string>();
  let stop: string | undefined;
  for (const batch of chunk(
    rows.filter((c) => c.verify),
    ctx.batch.verify,
  )) {
    if (stop) break;
    const actions = batch.map((c) => c.verify as PlannedAction);
    const byVerifyId = new Map(batch.map((c) => [(c.verify as PlannedAction).action_id, c.action.action_id]));
    let fatal: InstantlyOutcome<VerificationOutcome> | undefined;
    const { finals } = await writeAhead(
      ctx,
      actions,
      async () => {
        const queue = new PQueue({ concurrency: Math.min(ctx.verifyConcurrency, actions.length) });
        return Promise.all(
          actions.map(
            (action) =>
              queue.add(async (): Promise<InstantlyOutcome<VerificationOutcome>> => {
                if (stop) {
                  return {
                    status: "failed",
                    retryable: true,
                    code: "not_attempted",
                    message: `not attempted: ${stop}`,
                  };
                }
                const o = await settle(ctx.writer.verifyEmail(action.email));
                if (o.status === "fatal") {
                  fatal = o;
                  stop = "the run stopped on a fatal error";
                } else if (o.status === "failed" && o.code === "out_of_credits")
                  stop = "out of verification credits";
                else if (o.status === "failed" && o.code === "circuit_open") stop = "circuit open";
                return o;
              }) as Promise<InstantlyOutcome<VerificationOutcome>>,
          ),
        );
      },
      (o) => verifyFinals(actions, o, ctx.progress.verification),
    );
    for (const f of finals) {
      const add = byVerifyId.get(f.action.action_id);
      if (f.state === "succeeded" && add) ok.add(add);
    }
    if (fatal) throw fatalError(fatal);
  }
  if (stop) {
    ctx.warnings.push(`verification stopped: ${stop}`);
    // Out of credits: go on with candidates that need no verification. Circuit open: stop pushing.
    if (stop === "out of verification credits") ctx.progress.verificationStopped = true;
    else ctx.progress.stopPush = true;
  }
  return ok;
}

/** Each verification's outcome to its final row; the results themselves go to email_verifications. */
function verifyFinals(
  actions: readonly PlannedAction[],
  outcome: InstantlyOutcome<InstantlyOutcome<VerificationOutcome>[]>,
  counts: VerificationCounts,
): Settled {
  if (outcome.status !== "succeeded") return { finals: actions.map((a) => failedEntry(a, outcome)) };
  const finals: FinalEntry[] = [];
  const verifications: VerificationRow[] = [];
  actions.forEach((action, i) => {
    const one = outcome.value[i] as InstantlyOutcome<VerificationOutcome>;
    if (one.status !== "succeeded") {
      finals.push(failedEntry(action, one));
      return;
    }
    counts.attempted++;
    const v = one.value;
    counts.creditsUsed += v.creditsUsed ?? 0;
    verifications.push({ email: action.email, result: v.result, creditsUsed: v.creditsUsed });
    switch (v.result) {
      case "verified":
        counts.verified++;
        finals.push({ action, state: "succeeded", message: "verified" });
        break;
      case "catch_all":
        // The policy is the SQL's (push_queue.push_if_catch_all). Not suppressed (`skipped`, not
        // `invalid`): int_lead_eligibility lets the lead in again if a team allows catch-all.
        counts.catchAll++;
        finals.push(
          action.push_if_catch_all === true
            ? { action, state: "succeeded", message: "catch_all (allowed)" }
            : {
                action,
                state: "skipped",
                errorCode: "catch_all",
                message: "catch-all domain; not pushed (allow_catch_all is false)",
              },
        );
        break;
      case "invalid":
        counts.invalid++;
        finals.push({
          action,
          state: "invalid",
          errorCode: "invalid_email",
          message: "verification invalid; not pushed",
        });
        break;
      default:
        counts.pending++;
        finals.push({
          action,
          state: "failed",
          retryable: true,
          errorCode: "verification_pending",
          message: "verification still pending; not pushed this run",
        });
    }
  });
  return { finals, verifications };
}
