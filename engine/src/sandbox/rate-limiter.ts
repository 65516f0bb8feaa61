import type { RateLimitConfig } from "./options.ts";

/**
 * The workspace-wide limit of the real API (docs/instantly-api-v2.md §1.4): no more than 100 requests per second
 * AND 6,000 per minute, shared by every key. Only accepted requests count. `sliding` (default) is the
 * strict reading - any 1,000 ms span holds at most 100 - so a client that is safe here is safe
 * against any windowing the real API might use; `fixed` resets at second/minute boundaries.
 */
export class RateLimiter {
  private times: number[] = [];
  private head = 0;
  private fixedSecond = { window: -1, count: 0 };
  private fixedMinute = { window: -1, count: 0 };

  constructor(private readonly config: RateLimitConfig) {}

  /** Record the request and return null, or return the seconds until a slot frees (not recorded). */
  take(now: number): number | null {
    const { perSecond, perMinute } = this.config;
    if (this.config.window === "fixed") {
      const sec = Math.floor(now / 1000);
      const min = Math.floor(now / 60_000);
      if (this.fixedSecond.window !== sec) this.fixedSecond = { window: sec, count: 0 };
      if (this.fixedMinute.window !== min) this.fixedMinute = { window: min, count: 0 };
      if (this.fixedMinute.count >= perMinute)
        return Math.max(1, Math.ceil(((min + 1) * 60_000 - now) / 1000));
      if (this.fixedSecond.count >= perSecond) return 1;
      this.fixedSecond.count++;
      this.fixedMinute.count++;
      return null;
    }
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - 60_000) this.head++;
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    const inMinute = this.times.length - this.head;
    let waitMs = 0;
    if (inMinute >= perMinute) {
      waitMs = (this.times[this.times.length - perMinute] as number) + 60_000 - now;
    }
    if (inMinute >= perSecond) {
      const nth = this.times[this.times.length - perSecond] as number;
      if (nth > now - 1000) waitMs = Math.max(waitMs, nth + 1000 - now);
    }
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    this.times.push(now);
    return null;
  }

  reset(): void {
    this.times = [];
    this.head = 0;
    this.fixedSecond = { window: -1, count: 0 };
    this.fixedMinute = { window: -1, count: 0 };
  }
}
