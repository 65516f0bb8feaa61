import { UserError } from "./errors.ts";

/**
 * The engine's "now" for every timestamp it writes: sync_runs started_at/finished_at, sync_changelog
 * and snapshot recorded_at, email_verifications verified_at. It is the wall clock unless shifted:
 *
 * - `ENGINE_CLOCK_START=<ISO instant>` (read once, when this module loads): the process's clock reads
 *   that instant at start and runs forward at real speed, e.g. to replay a run on a past day;
 * - `setClock(at)` in-process: `engine demo` stamps each simulated day's runs with that day
 *   (engine/src/local/demo.ts), so the reporting views show seven simulated days as seven days.
 *
 * Only the offset is shifted, never the rate, so durations and the monotonic clocks built on it
 * (engine/src/sync/journal.ts) stay true.
 *
 * Each process has its own clock, so two processes given the same ENGINE_CLOCK_START (an exported
 * variable), or two machines whose clocks disagree, may stamp a later run before an earlier one.
 * Nothing orders runs by these stamps alone (engine/src/sync/apply/checks.ts orders an apply after
 * its pull by the pull's id); `notBefore` moves a process's clock forward past stamps the warehouse
 * already holds, so the stamps it writes still follow them.
 */
let offsetMs = parseStart(process.env.ENGINE_CLOCK_START);

function parseStart(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 0;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) {
    throw new UserError(`ENGINE_CLOCK_START must be an ISO timestamp, got ${JSON.stringify(raw)}`, {
      hint: "e.g. ENGINE_CLOCK_START=2026-03-02T09:00:00Z, or unset it for the wall clock",
    });
  }
  return at - Date.now();
}

/** Milliseconds since the epoch, on the engine's clock. */
export function nowMs(): number {
  return Date.now() + offsetMs;
}

/** The engine's clock as a Date. */
export function now(): Date {
  return new Date(nowMs());
}

/** From this moment on, the clock reads `at` and runs forward from there. */
export function setClock(at: Date | string): void {
  const ms = typeof at === "string" ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) throw new Error(`setClock: not a timestamp: ${JSON.stringify(String(at))}`);
  offsetMs = ms - Date.now();
}

/**
 * Moves the clock forward so that it reads strictly after `at` (never back). Returns how many
 * milliseconds it moved (0 when the clock was already past `at`).
 */
export function notBefore(at: Date): number {
  const behind = at.getTime() + 1 - nowMs();
  if (!(behind > 0)) return 0;
  offsetMs += behind;
  return behind;
}

/** Back to the wall clock. */
export function resetClock(): void {
  offsetMs = 0;
}
