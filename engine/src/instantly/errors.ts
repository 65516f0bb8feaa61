/**
 * Typed outcomes of Instantly calls. Every call either returns a value or throws one of these errors,
 * and `toOutcome` turns either into the shape a `sync_changelog` row needs:
 *
 * - `succeeded`  the call did what was asked.
 * - `rejected`   a terminal 4xx (400/404/409/413/422…): the request itself is wrong; retrying the same
 *                request cannot succeed. Carries the HTTP status and Instantly's message.
 * - `failed`     it did not work this time: 5xx, timeout, connection reset, circuit open, exhausted
 *                retries, a response that does not match the documented schema. `retryable` says
 *                whether a later run may try again (false only for responses we cannot read).
 * - `fatal`      401/402/403: the key is wrong, the workspace has no paid plan, or the key lacks a
 *                scope. Nothing else will work either, so the run must stop: `InstantlyFatalError`
 *                is a `UserError`, and the CLI prints its message and hint and exits with `failed`.
 *
 * Messages go through `safeMessage` (no API key, no email addresses, trimmed), and errors never keep
 * the raw ofetch error as `cause` (its request options carry the Authorization header).
 */
import { ExitCode, UserError } from "../core/errors.ts";
import { safeMessage } from "../core/redact.ts";

export type OutcomeStatus = "succeeded" | "rejected" | "failed" | "fatal";

export type InstantlyOutcome<T> =
  | { status: "succeeded"; value: T }
  | { status: "rejected"; code: string; message: string; httpStatus: number }
  | { status: "failed"; retryable: boolean; code: string; message: string; httpStatus?: number }
  | { status: "fatal"; code: string; message: string; httpStatus?: number };

/** Where an error happened, without anything that could identify a lead (paths are templates). */
export interface ErrorContext {
  /** Operation name, e.g. `bulkAddLeads`. */
  operation: string;
  /** Method and path template, e.g. `POST /leads/add` or `GET /email-verification/{email}`. */
  route: string;
  httpStatus?: number;
  /** Exit code when the error ends the process; default `failed` (a configuration mistake is `usage`). */
  exitCode?: number;
}

/** Base class: `code` is a stable machine-readable token (`http_404`, `timeout`, `circuit_open`…). */
export class InstantlyError extends Error {
  override readonly name: string = "InstantlyError";
  readonly code: string;
  readonly operation: string;
  readonly route: string;
  readonly httpStatus: number | undefined;

  constructor(code: string, message: string, context: ErrorContext) {
    super(safeMessage(`${context.route}: ${message}`));
    this.code = code;
    this.operation = context.operation;
    this.route = context.route;
    this.httpStatus = context.httpStatus;
  }
}

/** Terminal 4xx: the request is wrong (validation, unknown id). Never retried. */
export class InstantlyRejectedError extends InstantlyError {
  override readonly name = "InstantlyRejectedError";
}

/** The call did not complete; `retryable` tells a later run whether to try again. */
export class InstantlyFailedError extends InstantlyError {
  override readonly name: string = "InstantlyFailedError";
  readonly retryable: boolean;

  constructor(code: string, message: string, context: ErrorContext, retryable: boolean) {
    super(code, message, context);
    this.retryable = retryable;
  }
}

/** The breaker is open: the API failed on most recent calls, so we stop hammering it for a while. */
export class CircuitOpenError extends InstantlyFailedError {
  override readonly name = "CircuitOpenError";

  constructor(context: ErrorContext, retryInMs: number) {
    super(
      "circuit_open",
      `circuit breaker open after repeated failures; calls fail fast for ${Math.ceil(retryInMs / 1000)} s more`,
      context,
      true,
    );
  }
}

/** A 2xx whose body does not match the documented schema (names the field path). Not retryable. */
export class InstantlyResponseError extends InstantlyFailedError {
  override readonly name = "InstantlyResponseError";

  constructor(message: string, context: ErrorContext) {
    super("bad_response", message, context, false);
  }
}

const FATAL_HINTS: Record<number, string> = {
  401: "INSTANTLY_API_KEY is missing, revoked or not a V2 key: create one in Instantly under Settings → Integrations → API Keys.",
  402: "the Instantly workspace has no active paid plan; API access needs one.",
  403: "the API key lacks a scope this operation needs (e.g. leads:all, campaigns:read, block_list_entries:all, email_verifications:all), or Cloudflare blocked the request.",
};

/**
 * 401/402/403 (and a missing key): aborts the run. A `UserError`, so the CLI shows message + hint and
 * exits with code 3 (`failed`) instead of a stack trace.
 */
export class InstantlyFatalError extends UserError {
  readonly kind = "fatal" as const;
  readonly code: string;
  readonly operation: string;
  readonly route: string;
  readonly httpStatus: number | undefined;

  constructor(code: string, message: string, context: ErrorContext) {
    const hint = context.httpStatus === undefined ? undefined : FATAL_HINTS[context.httpStatus];
    super(safeMessage(`Instantly ${context.route}: ${message}`), {
      exitCode: context.exitCode ?? ExitCode.failed,
      ...(hint ? { hint } : {}),
    });
    this.code = code;
    this.operation = context.operation;
    this.route = context.route;
    this.httpStatus = context.httpStatus;
  }
}

/** Turns any error thrown by the client into an outcome. Unknown errors become non-retryable failures. */
export function toOutcome<T = never>(error: unknown): InstantlyOutcome<T> {
  if (error instanceof InstantlyFatalError) {
    return { status: "fatal", code: error.code, message: error.message, httpStatus: error.httpStatus };
  }
  if (error instanceof InstantlyRejectedError) {
    return {
      status: "rejected",
      code: error.code,
      message: error.message,
      httpStatus: error.httpStatus ?? 400,
    };
  }
  if (error instanceof InstantlyFailedError) {
    const out: InstantlyOutcome<T> = {
      status: "failed",
      retryable: error.retryable,
      code: error.code,
      message: error.message,
    };
    if (error.httpStatus !== undefined) out.httpStatus = error.httpStatus;
    return out;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: "failed", retryable: false, code: "internal_error", message: safeMessage(message) };
}

/** Awaits a client call and returns its outcome instead of throwing (fatal included: check for it). */
export async function settle<T>(promise: Promise<T>): Promise<InstantlyOutcome<T>> {
  try {
    return { status: "succeeded", value: await promise };
  } catch (error) {
    return toOutcome<T>(error);
  }
}
