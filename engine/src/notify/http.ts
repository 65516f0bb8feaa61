import { FetchError, ofetch } from "ofetch";
import { redactDeep, redactText } from "./pii.ts";

/**
 * The one way a notifier talks HTTP: a JSON POST through ofetch with its retry machinery (3 attempts,
 * exponential backoff with jitter, Retry-After honoured up to `maxDelayMs`), the PII guard applied
 * to the body, and a result instead of an exception — a notification must never fail a run.
 * Errors are described by `label` (never the URL: a Slack webhook URL is itself the secret).
 */
export interface RetryPolicy {
  /** Total tries including the first (3 by default: a short outage passes, a dead endpoint costs seconds, not minutes). */
  attempts: number;
  /** First backoff; doubles each retry, ±25 % jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  timeoutMs: 15_000,
};

/** Statuses worth another try: timeouts, throttling, server errors. 4xx otherwise is final. */
const RETRY_STATUSES = [408, 425, 429, 500, 502, 503, 504];

export type PostResult<T> =
  | { ok: true; data: T; status: number; attempts: number; redactions: number }
  | { ok: false; error: string; status?: number; attempts: number; redactions: number };

export interface PostOptions {
  /** "Echo POST /api/v1/messages": used in warnings. */
  label: string;
  headers?: Record<string, string>;
  body?: unknown;
  policy: RetryPolicy;
  /** Secret values to redact from the body and from error text. */
  secrets: readonly string[];
  responseType?: "json" | "text";
}

/** Backoff before retry number `retry` (1-based): base × 2^(retry−1) ± 25 %, capped. */
export function backoffMs(policy: RetryPolicy, retry: number, retryAfterHeader?: string | null): number {
  const retryAfter = retryAfterHeader ? Number(retryAfterHeader) : Number.NaN;
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return Math.min(retryAfter * 1000, policy.maxDelayMs);
  const base = policy.baseDelayMs * 2 ** (retry - 1);
  const jitter = base * 0.25 * (Math.random() * 2 - 1);
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(base + jitter)));
}

function describeFailure(error: unknown): { text: string; status?: number } {
  if (error instanceof FetchError) {
    const status = error.response?.status ?? error.statusCode;
    if (status) return { text: `HTTP ${status}`, status };
    // fetch wraps the socket error: FetchError → TypeError("fetch failed") → Error{code: ECONNREFUSED}.
    let cause: unknown = error.cause;
    for (let depth = 0; cause && depth < 4; depth++) {
      const code = (cause as { code?: unknown }).code;
      if (typeof code === "string") return { text: code };
      if ((cause as { name?: string }).name === "TimeoutError") return { text: "timeout" };
      cause = (cause as { cause?: unknown }).cause;
    }
    return { text: "network error" };
  }
  return { text: error instanceof Error ? error.name : "unknown error" };
}

export async function postJson<T>(url: string, options: PostOptions): Promise<PostResult<T>> {
  const { policy } = options;
  const guarded =
    options.body === undefined
      ? { value: undefined, redactions: 0 }
      : redactDeep(options.body, options.secrets);
  let attempts = 0;
  try {
    const response = await ofetch.raw(url, {
      method: "POST",
      headers: { "User-Agent": "cold-email-pipeline-notifier", ...(options.headers ?? {}) },
      ...(guarded.value === undefined ? {} : { body: guarded.value as Record<string, unknown> }),
      responseType: options.responseType ?? "json",
      timeout: policy.timeoutMs,
      retry: Math.max(0, policy.attempts - 1),
      retryStatusCodes: RETRY_STATUSES,
      retryDelay: (ctx) => backoffMs(policy, attempts, ctx.response?.headers.get("retry-after")),
      onRequest: () => {
        attempts++;
      },
    });
    return {
      ok: true,
      data: response._data as T,
      status: response.status,
      attempts,
      redactions: guarded.redactions,
    };
  } catch (error) {
    const failure = describeFailure(error);
    const text = redactText(
      `${options.label} failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${failure.text}`,
      options.secrets,
    ).value;
    return {
      ok: false,
      error: text,
      ...(failure.status === undefined ? {} : { status: failure.status }),
      attempts,
      redactions: guarded.redactions,
    };
  }
}
