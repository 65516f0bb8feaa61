/**
 * Seeded pseudo-random numbers, the one generator of the project (sfc32: fast, passes PractRand,
 * four 32-bit integers of state, so it can be persisted). The sandbox and the synthetic data must be
 * reproducible from a seed on every machine and Node version, which `Math.random` is not: the same
 * seed and the same calls give the same ids, fault decisions, simulated replies and generated leads,
 * so a failing test or a benchmark can be replayed exactly.
 */

/** 32-bit FNV-1a hash of a string; used to derive independent streams from (seed, key) pairs. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A small, fast PRNG (sfc32) whose whole state is four numbers, so it can be persisted. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string | readonly number[]) {
    if (Array.isArray(seed)) {
      [this.a, this.b, this.c, this.d] = seed.map((n) => n >>> 0) as [number, number, number, number];
      return;
    }
    // Two independent 32-bit hashes in one pass over the seed text (FNV-1a and a murmur-style mix).
    const s = String(seed);
    let h1 = 0x811c9dc5;
    let h2 = 0x9e3779b9;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 0x01000193);
      h2 = Math.imul(h2 ^ ch, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    this.a = h1 >>> 0;
    this.b = h2 >>> 0;
    this.c = (h1 ^ (h2 << 7) ^ (h2 >>> 25)) >>> 0;
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /**
   * A generator seeded from one integer through splitmix32, which spreads a small or sequential seed
   * over the whole state (the synthetic lead generator's seeding: its data sets depend on it).
   */
  static fromInteger(seed: number): Prng {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    const prng = new Prng([next(), next(), next(), next()]);
    for (let i = 0; i < 12; i++) prng.nextUint32();
    return prng;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A log-normal value with the given median and log-space spread. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** True with probability p. Always consumes one draw so streams stay aligned. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `n` random hex digits. */
  hex(n: number): string {
    let out = "";
    while (out.length < n)
      out += Math.floor(this.next() * 0x10000)
        .toString(16)
        .padStart(4, "0");
    return out.slice(0, n);
  }

  /** Standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  state(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }
}

/** A throwaway stream for one decision keyed by strings (e.g. seed, lead, day): order-independent. */
export function streamFor(...keys: (string | number)[]): Prng {
  return new Prng(keys.join("|"));
}

/** Picks from a fixed list by weight in O(log n) with a precomputed cumulative table. */
export class Weighted<T> {
  private readonly values: T[];
  private readonly cumulative: number[];

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    if (entries.length === 0) throw new Error("Weighted needs at least one entry");
    this.values = entries.map(([v]) => v);
    let sum = 0;
    this.cumulative = entries.map(([, w]) => {
      sum += w;
      return sum;
    });
  }

  pick(rng: Prng): T {
    const total = this.cumulative[this.cumulative.length - 1] as number;
    const x = rng.next() * total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }
}
