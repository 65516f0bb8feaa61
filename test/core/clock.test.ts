import { afterEach, describe, expect, it, vi } from "vitest";
import { now, nowMs, resetClock, setClock } from "../../engine/src/core/clock.ts";
import { MonotonicClock } from "../../engine/src/sync/journal.ts";

/** The engine's clock: shifted by an offset (the demo's simulated days), never slowed or sped up. */
describe("engine clock", () => {
  afterEach(() => {
    resetClock();
    delete process.env.ENGINE_CLOCK_START;
    vi.resetModules();
  });

  it("reads the instant it was set to, then runs forward at real speed", () => {
    const before = Date.now();
    setClock("2026-03-02T09:00:00.000Z");
    const t = now().getTime();
    const elapsed = Date.now() - before;
    const set = Date.parse("2026-03-02T09:00:00.000Z");
    expect(t).toBeGreaterThanOrEqual(set);
    expect(t).toBeLessThanOrEqual(set + elapsed);
    // The journal's monotonic clock stamps on the engine clock, strictly increasing.
    const journal = new MonotonicClock();
    const a = journal.next().getTime();
    const b = journal.next().getTime();
    expect(a).toBeGreaterThanOrEqual(set);
    expect(b).toBeGreaterThan(a);
    resetClock();
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
  });

  it("starts at ENGINE_CLOCK_START when set, and refuses a value that is not a timestamp", async () => {
    process.env.ENGINE_CLOCK_START = "2025-12-31T23:00:00Z";
    const fresh = await import("../../engine/src/core/clock.ts");
    expect(fresh.now().toISOString().slice(0, 10)).toBe("2025-12-31");
    vi.resetModules();
    process.env.ENGINE_CLOCK_START = "yesterday";
    await expect(import("../../engine/src/core/clock.ts")).rejects.toThrow(
      /ENGINE_CLOCK_START must be an ISO timestamp, got "yesterday"/,
    );
    expect(() => setClock("not a time")).toThrow(/not a timestamp/);
  });
});
