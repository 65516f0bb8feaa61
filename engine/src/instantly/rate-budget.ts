/**
 * The workspace-wide request budget. Instantly blocks a workspace that exceeds ANY of 100 requests per
 * second or 6,000 per minute, shared by every key and by API v1 + v2 (docs/instantly-api-v2.md §1.4). One budget must
 * therefore gate every request this process sends; `sharedRateBudget()` returns that single instance.
 *
 * Composition (two limits, both checked at send time):
 * - a p-queue with `concurrency` (max requests in flight) and `intervalCap`/`interval` in `strict`
 *   (sliding-window) mode for the per-second limit: it shapes the backlog so that at most a second's
 *   worth of tasks is released at once;
 * - inside each queued task, a FIFO sliding-window gate that checks BOTH windows (per second and per
 *   minute) immediately before the request is sent. Checking both at the last moment matters: a gate
 *   for only the minute window, placed after the per-second queue, could release a backlog of tasks
 *   the queue had already spread out, in one burst.
 *
 * The server counts a request when it ARRIVES, which we never observe: only that it lies between our
 * send and our receipt of the response. So a request occupies a slot of a window from the moment it
 * is sent until one window length after its response came back (in flight = occupied). Then, for any
 * set of requests the server sees inside one window, the last one we sent saw all the others counted,
 * so the limit holds whatever the network or event-loop jitter (a fixed guard could not promise that:
 * against the sandbox, stalls of 100–500 ms under load were measured). The price is one response time
 * per window (≈ 5% at 50 ms latency). `guardMs` adds a few ms for clock granularity.
 *
 * Sends are also paced (GCRA, a leaky bucket): at most `burst` back-to-back, then one per
 * (1000 + guardMs) / perSecond ms, so a full window does not leave in the same millisecond.
 *
 * `pauseFor(ms)` (a 429 with `Retry-After`) stops every send of the workspace until the time passes,
 * since the limit is workspace-wide, not per call.
 */
import PQueue from "p-queue";

export interface RateBudgetOptions {
  /** Requests per second; 1–100. @default 100 */
  perSecond?: number;
  /** Requests per minute; 1–6000. @default 6000 */
  perMinute?: number;
  /** Requests in flight at once. @default 32 */
  concurrency?: number;
  /** Extra milliseconds added to each window (clock granularity, server-side rounding). @default 25 */
  guardMs?: number;
  /** Requests that may leave back-to-back before pacing applies. @default 10 */
  burst?: number;
  /**
   * Time source for the sliding-window gate (tests use a virtual clock to check the minute window in
   * milliseconds). With a custom clock the p-queue interval pre-shaping is off (it runs on real time);
   * the gate alone still enforces both limits exactly.
   */
  clock?: BudgetClock;
}

export interface BudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: BudgetClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/** Documented Instantly limits (docs/instantly-api-v2.md §1.4). Lower values are allowed, higher are not. */
export const INSTANTLY_LIMITS = { perSecond: 100, perMinute: 6000 } as const;

interface Window {
  cap: number;
  ms: number;
  /** Completion times of finished requests, in completion order (so ascending), from `head` on. */
  done: number[];
  head: number;
}

export class RateBudget {
  readonly perSecond: number;
  readonly perMinute: number;
  readonly concurrency: number;
  readonly guardMs: number;
  readonly #queue: PQueue;
  readonly #windows: Window[];
  /** Serialises gate acquisitions so sends are admitted strictly in FIFO order. */
  #tail: Promise<void> = Promise.resolve();
  #pausedUntil = 0;
  /** Requests sent whose response has not come back: they occupy a slot in every window. */
  #inFlight = 0;
  /** Wakes the gate when a request completes while every slot is held by requests in flight. */
  #wake: (() => void) | undefined;
  /** GCRA "theoretical arrival time": when the next paced send is due. */
  #tat = 0;
  readonly #spacing: number;
  readonly #tolerance: number;
  readonly #clock: BudgetClock;

  constructor(options: RateBudgetOptions = {}) {
    this.perSecond = intOption("perSecond", options.perSecond ?? INSTANTLY_LIMITS.perSecond, 1, 100);
    this.perMinute = intOption("perMinute", options.perMinute ?? INSTANTLY_LIMITS.perMinute, 1, 6000);
    this.concurrency = intOption("concurrency", options.concurrency ?? 32, 1, 1000);
    this.guardMs = intOption("guardMs", options.guardMs ?? 25, 0, 10_000);
    const burst = intOption("burst", options.burst ?? 10, 1, 100);
    this.#spacing = (1000 + this.guardMs) / this.perSecond;
    this.#tolerance = this.#spacing * (burst - 1);
    this.#clock = options.clock ?? realClock;
    this.#queue = new PQueue(
      options.clock
        ? { concurrency: this.concurrency }
        : {
            concurrency: this.concurrency,
            intervalCap: this.perSecond,
            interval: 1000 + this.guardMs,
            strict: true,
          },
    );
    this.#windows = [
      { cap: this.perSecond, ms: 1000 + this.guardMs, done: [], head: 0 },
      { cap: this.perMinute, ms: 60_000 + this.guardMs, done: [], head: 0 },
    ];
  }

  /** Runs `send` once both windows allow it; it holds its slots until a window after it settles. */
  schedule<T>(send: () => Promise<T>): Promise<T> {
    return this.#queue.add(async () => {
      await this.#acquire();
      try {
        return await send();
      } finally {
        this.#release();
      }
    });
  }

  /** Stops all sends until `ms` from now (a `Retry-After`). Never shortens an existing pause. */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + Math.max(0, ms));
  }

  /** Requests waiting for a slot (queued, not yet sent). */
  get waiting(): number {
    return this.#queue.size;
  }

  /** Requests holding a concurrency slot (waiting at the gate or in flight). */
  get active(): number {
    return this.#queue.pending;
  }

  /** Resolves when nothing is queued or in flight. */
  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }

  #acquire(): Promise<void> {
    const turn = this.#tail.then(() => this.#waitForSlot());
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  async #waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.#clock.now();
      let wait = Math.max(this.#pausedUntil - now, this.#tat - this.#tolerance - now);
      let blockedByInFlight = false;
      for (const w of this.#windows) {
        while (w.head < w.done.length && (w.done[w.head] ?? 0) <= now - w.ms) w.head++;
        if (w.head > 1024 && w.head * 2 > w.done.length) {
          w.done = w.done.slice(w.head);
          w.head = 0;
        }
        const finished = w.done.length - w.head;
        const free = w.cap - this.#inFlight;
        if (free <= 0) blockedByInFlight = true;
        else if (finished >= free) {
          // Oldest completions must leave the window until one slot is free.
          const mustExpire = w.done[w.head + finished - free] ?? now;
          wait = Math.max(wait, mustExpire + w.ms - now);
        }
      }
      if (!blockedByInFlight && wait <= 0) {
        this.#tat = Math.max(this.#tat, now) + this.#spacing;
        this.#inFlight++;
        return;
      }
      if (blockedByInFlight) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      } else {
        await this.#clock.sleep(Math.ceil(wait));
      }
    }
  }

  #release(): void {
    const now = this.#clock.now();
    this.#inFlight--;
    for (const w of this.#windows) w.done.push(now);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

let shared: RateBudget | undefined;

/**
 * The one budget of this process (created on first use). Every client built without an explicit
 * `budget` uses it, so two clients in one process can never together exceed the workspace limit.
 * Options apply only on first creation; later calls with different options throw, so a silent
 * mismatch cannot happen.
 */
export function sharedRateBudget(options?: RateBudgetOptions): RateBudget {
  if (!shared) {
    shared = new RateBudget(options);
    return shared;
  }
  if (options) {
    const want = new RateBudget(options);
    const same =
      want.perSecond === shared.perSecond &&
      want.perMinute === shared.perMinute &&
      want.concurrency === shared.concurrency &&
      want.guardMs === shared.guardMs;
    if (!same) {
      throw new TypeError(
        `the process-wide Instantly rate budget already exists with perSecond=${shared.perSecond}, perMinute=${shared.perMinute}, concurrency=${shared.concurrency}; got different options`,
      );
    }
  }
  return shared;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function intOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(
      `Expected rate budget \`${name}\` to be an integer from ${min} to ${max}, got \`${String(value)}\` (${typeof value})`,
    );
  }
  return value;
}
