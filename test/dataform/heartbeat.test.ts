import { describe, expect, it } from "vitest";
import { heartbeatWanted } from "../../engine/src/cli/transform.ts";
import { createHeartbeat, formatElapsed } from "../../engine/src/dataform/heartbeat.ts";
import type { ProgressEvent } from "../../engine/src/dataform/run-types.ts";

/** The terminal heartbeat for long actions, driven by a fake clock and a hand-fired interval. */
function harness() {
  let now = 0;
  const timers = new Map<number, () => void>();
  let nextId = 1;
  const written: string[] = [];
  const beat = createHeartbeat({
    write: (text) => written.push(text),
    afterMs: 3000,
    everyMs: 1000,
    now: () => now,
    setInterval: (tick) => {
      timers.set(nextId, tick);
      return nextId++;
    },
    clearInterval: (id) => timers.delete(id as number),
  });
  return {
    beat,
    written,
    timers,
    /** Move the clock and fire every armed interval once. */
    tickAt(ms: number) {
      now = ms;
      for (const tick of [...timers.values()]) tick();
    },
  };
}

const start = (name: string, index = 0): ProgressEvent => ({
  kind: "start",
  name,
  type: "table",
  index,
  total: 3,
});
const done = (name: string, index = 0): ProgressEvent => ({
  kind: "done",
  index,
  total: 3,
  result: { name, type: "table", status: "ok", ms: 1 },
});

describe("heartbeat", () => {
  it("stays quiet for a short action and arms no timer between actions", () => {
    const h = harness();
    h.beat.onProgress(start("s.quick"));
    h.tickAt(1000);
    h.tickAt(2999);
    h.beat.onProgress(done("s.quick"));
    expect(h.written).toEqual([]);
    expect(h.timers.size).toBe(0);
  });

  it("redraws one line with the elapsed time once an action passes the threshold, erases it when it ends", () => {
    const h = harness();
    h.beat.onProgress(start("cold_email_staging.stg_leads", 1));
    h.tickAt(3000);
    h.tickAt(65_000);
    expect(h.written).toEqual([
      "\r\u001b[2K[2/3] … cold_email_staging.stg_leads running 3 s",
      "\r\u001b[2K[2/3] … cold_email_staging.stg_leads running 1 min 05 s",
    ]);
    h.beat.onProgress(done("cold_email_staging.stg_leads", 1));
    expect(h.written.at(-1)).toBe("\r\u001b[2K");
    expect(h.timers.size).toBe(0);
    // The next action starts its own clock.
    h.beat.onProgress(start("s.next", 2));
    h.tickAt(66_000);
    expect(h.written).toHaveLength(3);
    h.beat.stop();
    expect(h.timers.size).toBe(0);
  });

  it("formats elapsed time in seconds, then minutes", () => {
    expect(formatElapsed(999)).toBe("0 s");
    expect(formatElapsed(59_999)).toBe("59 s");
    expect(formatElapsed(600_000)).toBe("10 min 00 s");
  });

  it("is wanted on a terminal only, and never with --json", () => {
    expect(heartbeatWanted({ json: false, isTTY: true })).toBe(true);
    expect(heartbeatWanted({ json: true, isTTY: true })).toBe(false);
    expect(heartbeatWanted({ json: false, isTTY: false })).toBe(false);
  });
});
