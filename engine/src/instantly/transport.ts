/**
 * One HTTP exchange with Instantly, made safe: every attempt goes through the workspace rate budget
 * and the circuit breaker, is counted in the stats, and ends as a response or one typed error.
 *
 * Retry rules (each with its reason):
 * - 429: wait `Retry-After` (seconds or HTTP date; the whole budget pauses, the limit is per workspace)
 *   or exponential backoff with jitter; NOT counted as an attempt (bounded by `max429Waits`). A 429 is
 *   a refusal before processing, so it is retried for every operation, writes included.
 * - 5xx, timeouts, connection resets: exponential backoff with jitter, up to `maxAttempts`, but only
 *   when the request is safe to repeat (`retryAmbiguous`: reads, naturally idempotent writes, writes
 *   carrying dedupe flags). Instantly has no idempotency keys, so a write whose first attempt may have
 *   been applied is otherwise returned as `failed` (retryable by a later run after reconciliation).
 * - Connection refused / DNS failure: the request never left, so it is retried for every operation.
 * - 400/404/409/422 and other 4xx: terminal → `InstantlyRejectedError`.
 * - 401/402/403: `InstantlyFatalError` (aborts the run).
 */
import { type $Fetch, ofetch } from "ofetch";
import { safeMessage } from "../core/redact.ts";
import type { CircuitBreaker } from "./circuit-breaker.ts";
import {
  CircuitOpenError,
  type ErrorContext,
  InstantlyFailedError,
  InstantlyFatalError,
  InstantlyRejectedError,
} from "./errors.ts";
import { type RateBudget, sleep } from "./rate-budget.ts";
import type { ClientStats } from "./stats.ts";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface RequestSpec {
  /** Client operation name, for stats and errors. */
  operation: string;
  method: HttpMethod;
  /** Concrete path below the base URL, e.g. `/leads/019c…`. Never shown in errors. */
  path: string;
  /** Path template shown in errors and stats, e.g. `/leads/{id}` (no ids, no emails). */
  route: string;
  query?: Record<string, string | number | boolean | string[] | undefined>;
  /** JSON body; omitted → no body and no Content-Type header (Fastify rejects empty JSON bodies). */
  body?: unknown;
  /** Safe to repeat after a 5xx/timeout/reset (see module doc). */
  retryAmbiguous: boolean;
  timeoutMs?: number;
  /** Non-2xx statuses that are a normal answer for this operation (e.g. 404 for delete-by-id). */
  acceptStatus?: readonly number[];
}

export interface HttpResult {
  status: number;
  data: unknown;
  /** Retries made after a 5xx/timeout/reset: a write may then have been applied by an earlier attempt. */
  ambiguousRetries: number;
}

export interface BackoffOptions {
  /** First retry delay before jitter. @default 500 */
  baseMs?: number;
  /** Upper bound of one delay. @default 30000 */
  maxMs?: number;
}

export interface TransportOptions {
  baseURL: string;
  apiKey: string;
  userAgent: string;
  budget: RateBudget;
  breaker: CircuitBreaker;
  stats: ClientStats;
  /** Deadline of one attempt, headers and body together. @default 30000 */
  timeoutMs?: number;
  /** Attempts for retryable failures (429s excluded). @default 5 */
  maxAttempts?: number;
  /** 429s one call may wait through before giving up. @default 30 */
  max429Waits?: number;
  /** A longer `Retry-After` is not waited for: the call fails (retryable). @default 120000 */
  maxRetryAfterMs?: number;
  backoff?: BackoffOptions;
}

type Attempt =
  | { kind: "response"; status: number; data: unknown; retryAfterMs: number | undefined }
  | { kind: "network"; code: NetworkCode; message: string };

type NetworkCode = "timeout" | "connection_reset" | "connection_refused" | "dns_error" | "network_error";
/** Failures where the request provably never reached the server. */
const NOT_SENT: ReadonlySet<NetworkCode> = new Set(["connection_refused", "dns_error"]);

export class Transport {
  readonly #o: Required<Omit<TransportOptions, "backoff">> & { backoff: Required<BackoffOptions> };
  readonly #fetch: $Fetch;

  constructor(options: TransportOptions) {
    this.#o = {
      timeoutMs: 30_000,
      maxAttempts: 5,
      max429Waits: 30,
      maxRetryAfterMs: 120_000,
      ...options,
      backoff: { baseMs: 500, maxMs: 30_000, ...options.backoff },
    };
    this.#fetch = ofetch.create({ baseURL: options.baseURL, retry: false, ignoreResponseError: true });
  }

  async request(spec: RequestSpec): Promise<HttpResult> {
    const { budget, breaker, stats } = this.#o;
    const context: ErrorContext = { operation: spec.operation, route: `${spec.method} ${spec.route}` };
    stats.call(spec.operation);
    let attempts = 0;
    let rateWaits = 0;
    let sentBefore = false;
    let ambiguousRetries = 0;
    for (;;) {
      const openFor = breaker.tryAcquire();
      if (openFor > 0) {
        stats.circuitRejected(spec.operation);
        throw new CircuitOpenError(context, openFor);
      }
      const result = await budget.schedule(() => this.#send(spec));
      const label = result.kind === "response" ? String(result.status) : result.code;
      stats.attempt(spec.operation, label, sentBefore);
      sentBefore = true;

      if (result.kind === "network") {
        breaker.record(false);
        attempts++;
        const retryable = spec.retryAmbiguous || NOT_SENT.has(result.code);
        if (retryable && attempts < this.#o.maxAttempts) {
          if (!NOT_SENT.has(result.code)) ambiguousRetries++;
          await sleep(this.#backoff(attempts));
          continue;
        }
        throw new InstantlyFailedError(
          result.code,
          this.#gaveUp(result.message, attempts, retryable),
          context,
          true,
        );
      }

      const { status, data } = result;
      const ctx: ErrorContext = { ...context, httpStatus: status };
      if ((status >= 200 && status < 300) || spec.acceptStatus?.includes(status)) {
        breaker.record(true);
        return { status, data, ambiguousRetries };
      }
      if (status === 429) {
        breaker.release();
        rateWaits++;
        if (rateWaits > this.#o.max429Waits) {
          throw new InstantlyFailedError(
            "rate_limited",
            `still rate limited after ${rateWaits - 1} waits`,
            ctx,
            true,
          );
        }
        if (result.retryAfterMs !== undefined) {
          if (result.retryAfterMs > this.#o.maxRetryAfterMs) {
            throw new InstantlyFailedError(
              "rate_limited",
              `Retry-After of ${Math.round(result.retryAfterMs / 1000)} s exceeds the ${Math.round(this.#o.maxRetryAfterMs / 1000)} s limit`,
              ctx,
              true,
            );
          }
          budget.pauseFor(result.retryAfterMs);
          await sleep(result.retryAfterMs + Math.random() * 50);
        } else {
          await sleep(this.#backoff(rateWaits));
        }
        continue;
      }
      const message = errorMessage(data, status);
      if (status === 401 || status === 402 || status === 403) {
        breaker.release();
        throw new InstantlyFatalError(`http_${status}`, message, ctx);
      }
      if (status >= 400 && status < 500 && status !== 408) {
        breaker.record(true);
        throw new InstantlyRejectedError(`http_${status}`, message, ctx);
      }
      // 5xx and 408: the server (or a proxy) failed; the request may or may not have been applied.
      breaker.record(false);
      attempts++;
      if (spec.retryAmbiguous && attempts < this.#o.maxAttempts) {
        ambiguousRetries++;
        await sleep(Math.max(this.#backoff(attempts), result.retryAfterMs ?? 0));
        continue;
      }
      throw new InstantlyFailedError(
        `http_${status}`,
        this.#gaveUp(message, attempts, spec.retryAmbiguous),
        ctx,
        true,
      );
    }
  }

  /**
   * One attempt under ONE deadline for headers and body together: ofetch's own `timeout` stops at the
   * headers, so a body trickling a byte at a time would hold the call forever.
   */
  async #send(spec: RequestSpec): Promise<Attempt> {
    const controller = new AbortController();
    const deadline = setTimeout(() => {
      const error = new Error("the request exceeded its deadline (headers and body)");
      error.name = "TimeoutError";
      controller.abort(error);
    }, spec.timeoutMs ?? this.#o.timeoutMs);
    try {
      const response = await this.#fetch.raw(spec.path, {
        method: spec.method,
        query: spec.query,
        ...(spec.body === undefined ? {} : { body: spec.body as Record<string, unknown> }),
        headers: {
          authorization: `Bearer ${this.#o.apiKey}`,
          "user-agent": this.#o.userAgent,
          accept: "application/json",
        },
        signal: controller.signal,
      });
      return {
        kind: "response",
        status: response.status,
        data: response._data,
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
      };
    } catch (error) {
      if (controller.signal.aborted)
        return { kind: "network", code: "timeout", message: "request timed out" };
      return { kind: "network", ...classifyNetworkError(error) };
    } finally {
      clearTimeout(deadline);
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, so waits never collapse to 0. */
  #backoff(n: number): number {
    const { baseMs, maxMs } = this.#o.backoff;
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, n - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  #gaveUp(message: string, attempts: number, retried: boolean): string {
    return retried
      ? `${message} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"})`
      : `${message} (not retried: the write may have been applied and has no dedupe flags)`;
  }
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent/invalid. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Instantly's message from any error body shape (envelope, `{error}`, `{message}`, text). */
function errorMessage(data: unknown, status: number): string {
  if (data && typeof data === "object") {
    const d = data as { message?: unknown; error?: unknown };
    const text = [d.error, d.message].filter((x) => typeof x === "string" && x !== "").join(": ");
    if (text) return safeMessage(`${status} ${text}`);
  }
  if (typeof data === "string" && data.trim() !== "") return safeMessage(`${status} ${data}`, 200);
  return `${status} (no error body)`;
}

function classifyNetworkError(error: unknown): { code: NetworkCode; message: string } {
  const chain: { name?: string; code?: unknown; message?: string }[] = [];
  let cur: unknown = error;
  for (let i = 0; i < 5 && cur && typeof cur === "object"; i++) {
    chain.push(cur as { name?: string; code?: unknown; message?: string });
    cur = (cur as { cause?: unknown }).cause;
  }
  const has = (test: (e: { name?: string; code?: unknown; message?: string }) => boolean) => chain.some(test);
  if (has((e) => e.name === "TimeoutError" || /timeout|aborted due to timeout/i.test(e.message ?? ""))) {
    return { code: "timeout", message: "request timed out" };
  }
  if (has((e) => e.code === "ECONNREFUSED"))
    return { code: "connection_refused", message: "connection refused" };
  if (has((e) => e.code === "ENOTFOUND" || e.code === "EAI_AGAIN")) {
    return { code: "dns_error", message: "host name could not be resolved" };
  }
  if (
    has(
      (e) =>
        e.code === "ECONNRESET" ||
        e.code === "EPIPE" ||
        e.code === "UND_ERR_SOCKET" ||
        e.code === "UND_ERR_CLOSED" ||
        /socket hang up|other side closed|ECONNRESET/i.test(e.message ?? ""),
    )
  ) {
    return { code: "connection_reset", message: "connection reset by peer" };
  }
  const last = chain[chain.length - 1];
  return { code: "network_error", message: `network error: ${safeMessage(last?.message ?? "unknown", 120)}` };
}
