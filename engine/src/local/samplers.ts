import type { Prng } from "../sandbox/prng.ts";

/** Small fixed-memory samplers the synthetic generator streams through (no I/O, seeded draws only). */

/** A fixed-size ring of recent items, used for "same store again" and cross-case duplicates. */
export class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;
  constructor(private readonly size: number) {}
  push(item: T): void {
    if (this.items.length < this.size) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.size;
  }
  pick(rng: Prng): T | undefined {
    return this.items.length === 0 ? undefined : rng.pick(this.items);
  }
}

/** Uniform sample of at most `size` items from a stream of unknown length (algorithm R). */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  constructor(
    private readonly size: number,
    private readonly rng: Prng,
  ) {}
  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.size) this.items.push(item);
    else if (this.size > 0) {
      const j = Math.floor(this.rng.next() * this.seen);
      if (j < this.size) this.items[j] = item;
    }
  }
}

export const capitalise = (w: string) => (w.length === 0 ? w : w[0]?.toUpperCase() + w.slice(1));
export const round2 = (x: number) => Math.round(x * 100) / 100;
export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Streams leads; afterwards `dncRows()` streams a DNC list partly matching what was generated. */
