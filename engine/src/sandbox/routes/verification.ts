import { z } from "zod";
import { ApiError, notFound } from "../api-error.ts";
import { isValidEmail, normaliseEmail } from "../lead-model.ts";
import type { EmailVerification, VerificationRecord } from "../models.ts";
import { streamFor } from "../prng.ts";
import type { Route, RouteContext } from "../router.ts";
import { validate } from "../validate.ts";

/**
 * Single-address email verification (docs/instantly-api-v2.md §3.13). POST answers the final result at once, or
 * `pending` (as the real API does after 10 s); GET polls until the result is final after
 * `pollsUntilFinal` polls. `verification_status` is only pending/verified/invalid; catch-all domains
 * come back verified with `catch_all: true` (tri-state `"pending"` while pending, or a plain boolean
 * per `unknown.catchAllShape`). Each verification uses one credit; without credits the call fails.
 *
 * Outcomes are seeded per address, with fixed overrides for tests: a local part starting with
 * `invalid` → invalid, `pending` → pending first, a domain starting with `catchall` → catch-all.
 */

const createBody = z.object({ email: z.string().min(1), webhook_url: z.string().optional() });

function present(ctx: RouteContext, record: VerificationRecord): EmailVerification {
  const r = record.result;
  if (ctx.options.unknown.catchAllShape === "boolean" && r.catch_all === "pending")
    return { ...r, catch_all: false };
  return { ...r };
}

function create(ctx: RouteContext) {
  const { state, options } = ctx;
  const body = validate(createBody, ctx.body, "body");
  const email = normaliseEmail(body.email) ?? "";
  const cfg = options.verification;
  if (state.settings.verificationCredits <= 0) {
    throw new ApiError(cfg.outOfCreditsStatus, "Not enough verification credits");
  }
  const rng = streamFor(String(options.seed), "verify", email);
  const [local = "", domain = ""] = email.split("@");
  const syntaxOk = isValidEmail(email);
  const invalid = !syntaxOk || local.startsWith("invalid") || rng.chance(cfg.invalidRate);
  const catchAll = !invalid && (domain.startsWith("catchall") || rng.chance(cfg.catchAllRate));
  const pending = syntaxOk && (local.startsWith("pending") || rng.chance(cfg.pendingRate));
  state.settings.verificationCredits--;
  const final = {
    verification_status: invalid ? ("invalid" as const) : ("verified" as const),
    catch_all: catchAll,
  };
  const result: EmailVerification = {
    email,
    verification_status: pending ? "pending" : final.verification_status,
    status: "success",
    catch_all: pending ? "pending" : final.catch_all,
    credits: state.settings.verificationCredits,
    credits_used: 1,
  };
  const record: VerificationRecord = { result, final, pollsLeft: pending ? cfg.pollsUntilFinal : 0 };
  state.verifications.set(email, record);
  return { body: present(ctx, record) };
}

function getStatus(ctx: RouteContext) {
  const email = normaliseEmail(ctx.params.email) ?? "";
  const record = ctx.state.verifications.get(email);
  if (!record) throw notFound();
  if (record.result.verification_status === "pending") {
    record.pollsLeft--;
    if (record.pollsLeft <= 0) {
      record.result = { ...record.result, ...record.final };
    }
  }
  return { body: present(ctx, record) };
}

export const verificationRoutes: Route[] = [
  {
    method: "POST",
    path: "/email-verification",
    scope: ["email_verifications", "create"],
    write: true,
    handler: create,
  },
  {
    method: "GET",
    path: "/email-verification/:email",
    scope: ["email_verifications", "read"],
    write: false,
    handler: getStatus,
  },
];
