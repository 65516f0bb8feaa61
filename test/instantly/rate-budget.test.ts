/**
 * The rate budget's sliding windows, checked on send times from a virtual clock (so the per-minute
 * window can be exercised in milliseconds), and its option validation. The real-time behaviour
 * against the sandbox's limiter is in sandbox-contract.test.ts.
 */
import { describe, expect, it } from "vitest";
import { RateBudget, sharedRateBudget } from "../../engine/src/instantly/index.ts";

function virtualClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** Largest number of sends inside any window of `ms` (half-open: a send exactly `ms` later is a new window). */
function maxInWindow(stamps: number[], ms: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < stamps.length; hi++) {
    while ((stamps[hi] ?? 0) - (stamps[lo] ?? 0) >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

describe("RateBudget", () => {
  it("holds both the per-second and the per-minute limit at send time", async () => {
    const clock = virtualClock();
    const budget = new RateBudget({ perSecond: 100, perMinute: 250, guardMs: 0, clock });
    const stamps: number[] = [];
    await Promise.all(
      Array.from({ length: 700 }, () => budget.schedule(async () => stamps.push(clock.now()))),
    );
    expect(stamps).toHaveLength(700);
    expect(maxInWindow(stamps, 1000)).toBe(100);
    expect(maxInWindow(stamps, 60_000)).toBe(250);
    // Not slower than the limits require: 700 sends at 250/min need just over two minutes.
    expect(stamps.at(-1)).toBeLessThan(3 * 60_000);
  });

  it("pads each window with guardMs", async () => {
    const clock = virtualClock();
    const budget = new RateBudget({ perSecond: 10, perMinute: 6000, guardMs: 50, clock });
    const stamps: number[] = [];
    await Promise.all(
      Array.from({ length: 40 }, () => budget.schedule(async () => stamps.push(clock.now()))),
    );
    expect(maxInWindow(stamps, 1050)).toBe(10);
  });

  it("stops every send during a Retry-After pause", async () => {
    const clock = virtualClock();
    const budget = new RateBudget({ perSecond: 100, guardMs: 0, clock });
    clock.advance(5000);
    budget.pauseFor(2000);
    const stamps: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => budget.schedule(async () => stamps.push(clock.now()))));
    expect(Math.min(...stamps)).toBeGreaterThanOrEqual(7000);
  });

  it("validates its options with the bad value in the message", () => {
    expect(() => new RateBudget({ perSecond: 150 })).toThrow(
      /`perSecond` to be an integer from 1 to 100, got `150`/,
    );
    expect(() => new RateBudget({ perMinute: 0 })).toThrow(/perMinute/);
    expect(() => new RateBudget({ concurrency: 1.5 })).toThrow(/concurrency/);
  });

  it("is one instance per process, and refuses conflicting options", () => {
    const a = sharedRateBudget({ perSecond: 90 });
    expect(sharedRateBudget()).toBe(a);
    expect(sharedRateBudget({ perSecond: 90 })).toBe(a);
    expect(() => sharedRateBudget({ perSecond: 50 })).toThrow(/already exists with perSecond=90/);
  });
});

describe("RateBudget slot occupancy", () => {
  it("counts a request in flight, and for one window after its response", async () => {
    let t = 0;
    const clock = {
      now: () => t,
      sleep: async (ms: number) => {
        t += ms;
      },
    };
    const budget = new RateBudget({ perSecond: 2, guardMs: 0, burst: 2, clock });
    const release: (() => void)[] = [];
    const started: number[] = [];
    const hold = () =>
      budget.schedule(
        () =>
          new Promise<void>((resolve) => {
            started.push(t);
            release.push(resolve);
          }),
      );
    const a = hold();
    const b = hold();
    const c = hold();
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual([0, 0]);
    t = 5000; // both still in flight five (virtual) seconds later: c must still wait
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toHaveLength(2);
    release[0]?.();
    await a;
    await new Promise((r) => setTimeout(r, 20));
    expect(started[2]).toBeGreaterThanOrEqual(6000);
    release[1]?.();
    release[2]?.();
    await Promise.all([b, c]);
  });
});
