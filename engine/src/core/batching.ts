/**
 * Batching helpers for the loop: the Instantly bulk endpoints take at most 1,000 rows per call (add,
 * delete by ids, block-list create), and every batch is one write-ahead unit (intents, call, finals).
 */

/** Splits `items` into consecutive chunks of at most `size` (size ≥ 1). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new TypeError(`chunk size must be an integer >= 1, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Groups items by a key, keeping first-seen key order and item order inside a group. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Adds `n` to `counts[key]`. */
export function bump(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

/** `counts[key]`, created empty first when missing (nested counters). */
export function nested(counts: Record<string, Record<string, number>>, key: string): Record<string, number> {
  let inner = counts[key];
  if (!inner) {
    inner = {};
    counts[key] = inner;
  }
  return inner;
}
