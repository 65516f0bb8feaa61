import PQueue from "p-queue";
import { chunk } from "../../core/batching.ts";
import type { PlannedAction } from "../../core/plan.ts";
import { type InstantlyOutcome, settle, type VerificationOutcome } from "../../instantly/index.ts";
import { crashPoint } from "../crash-points.ts";
import { type FinalEntry, serialJournal, type VerificationRow } from "../journal.ts";
import type { RunContext } from "./context.ts";
import { describeFatal, fatalEnd, noVerifications, type VerificationCounts } from "./results.ts";
import type { AddCandidate } from "./types.ts";
import { failedEntry, fatalError, type Ledger, writeAhead, writeFinals } from "./write-ahead.ts";

/** Poll groups (one per batch with pending answers) still running before the next batch must wait. */
const MAX_POLL_GROUPS = 32;

type Outcome = InstantlyOutcome<VerificationOutcome>;

/**
 * Why verification stopped. Out of credits: the wave's rows are left for the next run and the push
 * goes on with candidates that need no verification. Circuit open: the API is failing, the push
 * stops. Fatal: the run stops (a fatal answer, or a write that failed).
 */
export type VerifyStop =
  | { kind: "out_of_credits" }
  | { kind: "circuit_open" }
  | { kind: "fatal"; error: string };

export interface VerifyWaveResult {
  /** The add action ids whose email passed verification and may be pushed. */
  ok: Set<string>;
  counts: VerificationCounts;
  stop: VerifyStop | null;
}

/** The words a stop is reported with (warnings, the message of a row not attempted). */
export function describeStop(stop: VerifyStop): string {
  switch (stop.kind) {
    case "out_of_credits":
      return "out of verification credits";
    case "circuit_open":
      return "circuit open";
    case "fatal":
      return "the run stopped on a fatal error";
  }
}

/** The stop an answer calls for, given the stop so far: a fatal answer wins, otherwise the first stop stays. */
export function nextStop(current: VerifyStop | null, o: Outcome): VerifyStop | null {
  if (o.status === "fatal") {
    return current?.kind === "fatal" ? current : { kind: "fatal", error: describeFatal(fatalError(o)) };
  }
  if (current) return current;
  if (o.status === "failed" && o.code === "out_of_credits") return { kind: "out_of_credits" };
  if (o.status === "failed" && o.code === "circuit_open") return { kind: "circuit_open" };
  return null;
}

/**
 * Verification of one push wave's rows that need it, in write-ahead batches of `batch.verify` rows.
 * Each batch's POSTs (which spend the credits) run concurrently through p-queue, and every answer,
 * `pending` ones included, is stored before the next batch is sent: a kill loses the credits of one
 * batch at most. A pending answer is then polled (GET, free) alongside the next batches instead of
 * holding them back, and its final result is stored when it comes (`pollGroup`). The client's rate
 * budget paces every request. Returns the add action ids whose email may be pushed, the counts, and
 * why it stopped, if it did (what was done before a fatal stop is still counted).
 */
export async function verifyWave(
  ctx: RunContext,
  ledger: Ledger,
  rows: readonly AddCandidate[],
): Promise<VerifyWaveResult> {
  const state: WaveState = {
    ctx,
    ledger: { journal: serialJournal(ledger.journal), tally: ledger.tally },
    ok: new Set(),
    counts: noVerifications(),
    polls: [],
    stop: null,
  };
  const queue = new PQueue({ concurrency: ctx.verifyConcurrency });
  try {
    try {
      await startBatches(state, queue, rows);
    } finally {
      // Even when a write fails: no poll may still be writing once the run moves on.
      await Promise.allSettled(state.polls);
    }
    // All settled above; this only rethrows a poll group's failed write.
    await Promise.all(state.polls);
  } catch (error) {
    return { ok: state.ok, counts: state.counts, stop: fatalEnd(error) };
  }
  return { ok: state.ok, counts: state.counts, stop: state.stop };
}

async function startBatches(state: WaveState, queue: PQueue, rows: readonly AddCandidate[]): Promise<void> {
  const { ctx, ok } = state;
  for (const batch of chunk(
    rows.filter((c) => c.verify),
    ctx.batch.verify,
  )) {
    if (state.stop) break;
    if (state.polls.length >= MAX_POLL_GROUPS) await state.polls[state.polls.length - MAX_POLL_GROUPS];
    const actions = batch.map((c) => c.verify as PlannedAction);
    const addOf = new Map(batch.map((c) => [(c.verify as PlannedAction).action_id, c.action.action_id]));
    let started: Outcome[] = [];
    const { finals } = await writeAhead(
      state.ledger,
      actions,
      async () =>
        Promise.all(actions.map((action) => queue.add(() => startOne(state, action)) as Promise<Outcome>)),
      (o) => {
        if (o.status === "succeeded") started = o.value;
        return startFinals(actions, o, state.counts);
      },
    );
    for (const f of finals) if (f.state === "succeeded") ok.add(addOf.get(f.action.action_id) as string);
    const pending = actions.flatMap((action, i) => {
      const s = started[i];
      return s?.status === "succeeded" && s.value.result === "pending" ? [{ action, started: s.value }] : [];
    });
    if (pending.length > 0) {
      const group = pollGroup(state, pending, addOf);
      // Handled here, awaited later: a failed write must not surface as an unhandled rejection.
      group.catch(() => undefined);
      state.polls.push(group);
    }
    // Set by the batch's answers while it ran (TypeScript cannot see that across the awaits).
    if ((state.stop as VerifyStop | null)?.kind === "fatal") break;
  }
}

/** One wave's progress, moved forward by its batches and their poll groups (which finish concurrently). */
interface WaveState {
  ctx: RunContext;
  /** The phase's ledger with a journal that writes one append at a time. */
  ledger: Ledger;
  ok: Set<string>;
  counts: VerificationCounts;
  polls: Promise<void>[];
  stop: VerifyStop | null;
}

/**
 * One POST (or, for a verification an earlier run left pending, a GET of its result), unless the wave
 * already stopped; a fatal, out-of-credits or open-circuit answer stops it.
 */
async function startOne(state: WaveState, action: PlannedAction): Promise<Outcome> {
  if (state.stop) {
    return {
      status: "failed",
      retryable: true,
      code: "not_attempted",
      message: `not attempted: ${describeStop(state.stop)}`,
    };
  }
  const { writer } = state.ctx;
  const o = await settle(
    action.verification_pending === true
      ? writer.resumeVerification(action.email)
      : writer.startVerification(action.email),
  );
  state.stop = nextStop(state.stop, o);
  return o;
}

/**
 * The pending answers of one batch, polled to their final results; those results (credits 0: a GET
 * spends none, the pending row already holds the credit) and the verify actions' final rows are then
 * stored together. A kill before that leaves the pending rows and open intents, as any kill after a call.
 */
async function pollGroup(
  state: WaveState,
  pending: { action: PlannedAction; started: VerificationOutcome }[],
  addOf: Map<string, string>,
): Promise<void> {
  const { ctx, ledger } = state;
  const outcomes = await Promise.all(
    pending.map(async (p) => {
      const o = await settle(ctx.writer.awaitVerification(p.action.email, p.started));
      state.stop = nextStop(state.stop, o);
      return o;
    }),
  );
  crashPoint("apply.after-poll");
  const finals: FinalEntry[] = [];
  const verifications: VerificationRow[] = [];
  pending.forEach((p, i) => {
    const o = outcomes[i] as Outcome;
    if (o.status !== "succeeded") {
      finals.push(failedEntry(p.action, o));
      return;
    }
    const final = classify(p.action, o.value, state.counts);
    if (o.value.result !== "pending") {
      verifications.push({ email: p.action.email, result: o.value.result, creditsUsed: 0 });
    }
    finals.push(final);
  });
  if (verifications.length > 0) await ledger.journal.verifications(verifications);
  await writeFinals(ledger, finals);
  for (const f of finals) if (f.state === "succeeded") state.ok.add(addOf.get(f.action.action_id) as string);
}

/**
 * The batch's answers: every one that came back is a stored result (credits spent); a final answer
 * also gets its action's final row now, a pending one when its polls end (`pollGroup`).
 */
function startFinals(
  actions: readonly PlannedAction[],
  outcome: InstantlyOutcome<Outcome[]>,
  counts: VerificationCounts,
): { finals: FinalEntry[]; verifications: VerificationRow[] } {
  if (outcome.status !== "succeeded")
    return { finals: actions.map((a) => failedEntry(a, outcome)), verifications: [] };
  const finals: FinalEntry[] = [];
  const verifications: VerificationRow[] = [];
  actions.forEach((action, i) => {
    const one = outcome.value[i] as Outcome;
    if (one.status !== "succeeded") {
      finals.push(failedEntry(action, one));
      return;
    }
    counts.attempted++;
    counts.creditsUsed += one.value.creditsUsed ?? 0;
    verifications.push({ email: action.email, result: one.value.result, creditsUsed: one.value.creditsUsed });
    if (one.value.result !== "pending") finals.push(classify(action, one.value, counts));
  });
  return { finals, verifications };
}

/** A final (or, after the poll budget, still pending) answer to the verify action's final row. */
function classify(action: PlannedAction, v: VerificationOutcome, counts: VerificationCounts): FinalEntry {
  switch (v.result) {
    case "verified":
      counts.verified++;
      return { action, state: "succeeded", message: "verified" };
    case "catch_all":
      // The policy is the SQL's (push_queue.push_if_catch_all). Not suppressed (`skipped`, not
      // `invalid`): int_lead_eligibility lets the lead in again if a team allows catch-all.
      counts.catchAll++;
      return action.push_if_catch_all === true
        ? { action, state: "succeeded", message: "catch_all (allowed)" }
        : {
            action,
            state: "skipped",
            errorCode: "catch_all",
            message: "catch-all domain; not pushed (allow_catch_all is false)",
          };
    case "invalid":
      counts.invalid++;
      return {
        action,
        state: "invalid",
        errorCode: "invalid_email",
        message: "verification invalid; not pushed",
      };
    default:
      counts.pending++;
      return {
        action,
        state: "failed",
        retryable: true,
        errorCode: "verification_pending",
        message: "verification still pending; not pushed this run",
      };
  }
}
