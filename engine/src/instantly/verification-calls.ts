import type { ClientCore } from "./client-core.ts";
import { InstantlyFailedError, InstantlyFatalError, InstantlyRejectedError } from "./errors.ts";
import { sleep } from "./rate-budget.ts";
import { type EmailVerification, emailVerificationSchema } from "./schemas.ts";
import { isFinal, toResult, type VerificationOutcome } from "./verification.ts";

/**
 * Single-address verification (docs/instantly-api-v2.md §3.13) in its three steps, so the loop can
 * store what a credit bought before it polls: `startVerification` (the POST, one credit; the answer
 * may be `pending`), `awaitVerification` (GET polls of a pending answer, free) and
 * `resumeVerification` (an earlier run's pending verification: GET first, a new POST only on a 404).
 */

/** Poll timing: the first wait, the ceiling it doubles up to, and the whole budget. */
export interface VerificationPoll {
  firstMs: number;
  maxMs: number;
  totalMs: number;
}

export async function startVerification(core: ClientCore, email: string): Promise<VerificationOutcome> {
  if (typeof email !== "string" || !email.includes("@")) {
    throw new TypeError("verifyEmail expects an email address (value not shown)");
  }
  const first = await core
    .json(emailVerificationSchema, {
      operation: "verifyEmail",
      method: "POST",
      path: "/email-verification",
      route: "/email-verification",
      body: { email },
      retryAmbiguous: false,
    })
    .catch((error: unknown) => {
      // Out of verification credits: the status is undocumented (402 is the usual guess, 400 and
      // 403 are seen too). It is no verdict on the address and not the workspace losing its plan:
      // it must neither reject the row nor abort the run. The verification phase stops, the rest of
      // the run goes on, and a later run retries once credits are topped up.
      if (
        (error instanceof InstantlyFatalError || error instanceof InstantlyRejectedError) &&
        /credit/i.test(error.message)
      ) {
        throw new InstantlyFailedError(
          "out_of_credits",
          error.message,
          {
            operation: error.operation,
            route: error.route,
            ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
          },
          true,
        );
      }
      throw error;
    });
  return outcomeOf(first, 0);
}

/** Polls a `pending` answer (backing off from `firstMs`) until final or `totalMs` is spent. */
export async function awaitVerification(
  core: ClientCore,
  poll: VerificationPoll,
  email: string,
  started: VerificationOutcome,
): Promise<VerificationOutcome> {
  if (started.result !== "pending") return started;
  let latest: EmailVerification | undefined;
  let polls = 0;
  let wait = poll.firstMs;
  const deadline = performance.now() + poll.totalMs;
  while ((latest === undefined || !isFinal(latest)) && performance.now() + wait <= deadline) {
    await sleep(wait);
    wait = Math.min(poll.maxMs, wait * 2);
    polls++;
    latest = await getVerification(core, email);
  }
  if (latest === undefined) return started;
  return {
    ...outcomeOf(latest, polls),
    credits: latest.credits ?? started.credits,
    creditsUsed: started.creditsUsed,
  };
}

/**
 * A verification an earlier run started and left pending (push_queue.verification_pending): its
 * result is asked for first, so the credit is not paid twice. The answer, pending or final, is
 * returned with no credit used; only when Instantly no longer knows the address (404) is a new
 * verification started (one credit).
 */
export async function resumeVerification(core: ClientCore, email: string): Promise<VerificationOutcome> {
  try {
    const latest = await getVerification(core, email);
    return { ...outcomeOf(latest, 1), creditsUsed: 0 };
  } catch (error) {
    if (error instanceof InstantlyRejectedError && error.httpStatus === 404)
      return startVerification(core, email);
    throw error;
  }
}

function getVerification(core: ClientCore, email: string): Promise<EmailVerification> {
  return core.json(emailVerificationSchema, {
    operation: "getEmailVerification",
    method: "GET",
    path: `/email-verification/${encodeURIComponent(email)}`,
    route: "/email-verification/{email}",
    retryAmbiguous: true,
  });
}

/** One answer as the loop sees it; `awaitVerification` keeps the credit the POST reported. */
function outcomeOf(v: EmailVerification, polls: number): VerificationOutcome {
  return {
    result: toResult(v),
    catchAll: v.catch_all ?? null,
    credits: v.credits ?? null,
    creditsUsed: v.credits_used ?? null,
    polls,
  };
}
