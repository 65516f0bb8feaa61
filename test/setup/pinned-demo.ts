import { vi } from "vitest";
import { type DemoOptions, type DemoResult, runDemo } from "../../engine/src/local/demo.ts";

/** The "today" every pinned demo ends on. */
export const DEMO_TODAY = "2026-03-09T15:00:00Z";

/**
 * `runDemo` with today pinned: the demo's simulated days end "today", so Date is faked (still ticking,
 * timers untouched) for its run and the outcome never depends on the real date.
 */
export async function pinnedDemo(options: DemoOptions): Promise<DemoResult> {
  vi.useFakeTimers({ toFake: ["Date"], now: new Date(DEMO_TODAY), shouldAdvanceTime: true });
  try {
    return await runDemo(options);
  } finally {
    vi.useRealTimers();
  }
}
