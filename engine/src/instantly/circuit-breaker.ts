/**
 * Circuit breaker over the last N request attempts (default: opens when ≥ 80% of the last 10 failed).
 *
 * What counts: a failure is a 5xx, a timeout or a network error: signs the API is unhealthy. A 2xx or a
 * terminal 4xx is a success (the API answered). 429s and 401/402/403 are not recorded: the budget and
 * the fatal path handle those. Attempts, not calls, are counted, so an API that is down opens the
 * breaker after ~10 requests instead of after 10 calls × their retries.
 *
 * States: closed → (threshold reached) open → after `coolDownMs` the next call is the single
 * half-open probe → success closes (and clears the window), failure re-opens for another cool-down.
 * While open, or while the probe is out, calls fail fast with `CircuitOpenError`.
 */
export interface CircuitBreakerOptions {
  /** Attempts remembered. @default 10 */
  window?: number;
  /** Failure fraction (0–1] that opens the breaker once the window is full. @default 0.8 */
  failureRatio?: number;
  /** How long it stays open before a probe is let through. @default 30000 */
  coolDownMs?: number;
}

export type CircuitState = "closed" | "open" | "half-open";

export class CircuitBreaker {
  readonly window: number;
  readonly failureRatio: number;
  readonly coolDownMs: number;
  #results: boolean[] = [];
  #state: CircuitState = "closed";
  #openedAt = 0;
  #probeOut = false;
  #opens = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.window = options.window ?? 10;
    this.failureRatio = options.failureRatio ?? 0.8;
    this.coolDownMs = options.coolDownMs ?? 30_000;
    if (!Number.isInteger(this.window) || this.window < 1) {
      throw new TypeError(`Expected circuit breaker \`window\` to be an integer ≥ 1, got \`${this.window}\``);
    }
    if (!(this.failureRatio > 0 && this.failureRatio <= 1)) {
      throw new TypeError(
        `Expected circuit breaker \`failureRatio\` in (0, 1], got \`${this.failureRatio}\``,
      );
    }
    if (!(this.coolDownMs >= 0)) {
      throw new TypeError(`Expected circuit breaker \`coolDownMs\` ≥ 0, got \`${this.coolDownMs}\``);
    }
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** How many times it has opened (for run summaries). */
  get opens(): number {
    return this.#opens;
  }

  /**
   * Asks to send one attempt. Returns 0 if allowed (possibly as the half-open probe), or the
   * milliseconds until a probe may be tried.
   */
  tryAcquire(now = performance.now()): number {
    if (this.#state === "closed") return 0;
    const remaining = this.#openedAt + this.coolDownMs - now;
    if (this.#state === "open" && remaining <= 0) {
      this.#state = "half-open";
      this.#probeOut = true;
      return 0;
    }
    return Math.max(1, remaining);
  }

  /** Records the result of an attempt that was allowed by `tryAcquire`. */
  record(ok: boolean, now = performance.now()): void {
    if (this.#state === "half-open" && this.#probeOut) {
      this.#probeOut = false;
      if (ok) {
        this.#state = "closed";
        this.#results = [];
      } else {
        this.#open(now);
      }
      return;
    }
    if (this.#state !== "closed") return;
    this.#results.push(ok);
    if (this.#results.length > this.window) this.#results.shift();
    const failures = this.#results.filter((r) => !r).length;
    if (this.#results.length >= this.window && failures >= this.failureRatio * this.window) this.#open(now);
  }

  /** A permitted attempt ended without a health signal (429, fatal): free the probe slot. */
  release(): void {
    if (this.#state === "half-open" && this.#probeOut) {
      this.#probeOut = false;
      this.#state = "open";
      this.#openedAt = performance.now() - this.coolDownMs;
    }
  }

  #open(now: number): void {
    this.#state = "open";
    this.#openedAt = now;
    this.#opens++;
    this.#results = [];
  }
}
