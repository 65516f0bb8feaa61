import { resetClock, setClock } from "../../engine/src/core/clock.ts";

/**
 * The clock each "process" (a plan, an apply, a pull) of an in-process property test starts with, per
 * seed: the real clock; one instant X for every process (ENGINE_CLOCK_START exported once); or X shifted
 * by up to two hours either way, drawn per process (machines whose clocks disagree).
 */
const HOUR = 3_600_000;
const X = Math.floor(Date.now() / 60_000) * 60_000;

export type ClockMode = "real" | "pinned" | "skewed";

export const clockModeOf = (seed: number): ClockMode =>
  (["real", "pinned", "skewed"] as const)[seed % 3] ?? "real";

export function startProcessClock(mode: ClockMode, r: () => number): void {
  if (mode === "real") resetClock();
  else setClock(new Date(mode === "pinned" ? X : X + Math.round((r() * 4 - 2) * HOUR)));
}
