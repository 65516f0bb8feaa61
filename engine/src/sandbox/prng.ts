/**
 * Seeded pseudo-random numbers. The sandbox must be reproducible: the same seed and the same calls
 * give the same ids, the same fault decisions and the same simulated replies, so a failing test or a
 * benchmark can be replayed exactly. Math.random() is never used in the sandbox.
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

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
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
