/**
 * The simulated clock. Lead timestamps, ids and analytics dates come from it; `advance(days)` jumps
 * it forward while the simulation moves leads through their sequences. With `realTime` it also runs
 * with the wall clock (a realistic demo); frozen, it makes runs byte-for-byte reproducible.
 */
export const DAY_MS = 86_400_000;

export class SimClock {
  private wallStart = Date.now();

  constructor(
    private baseMs: number,
    readonly realTime: boolean,
  ) {}

  now(): number {
    return this.baseMs + (this.realTime ? Date.now() - this.wallStart : 0);
  }

  iso(ms = this.now()): string {
    return new Date(ms).toISOString();
  }

  /** Simulated day index (UTC days since the epoch). */
  day(ms = this.now()): number {
    return Math.floor(ms / DAY_MS);
  }

  advance(ms: number): void {
    this.baseMs += ms;
  }

  /** Re-anchor (after loading a persisted state). */
  set(ms: number): void {
    this.baseMs = ms;
    this.wallStart = Date.now();
  }
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
