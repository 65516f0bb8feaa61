import { z } from "zod";
import type { RouteContext } from "./router.ts";

/**
 * Cursor pagination as the real API does it (docs/instantly-api-v2.md §2): `limit` 1-100 and `starting_after` in,
 * `{items, next_starting_after?}` out, the cursor being the last item's key (id, or email with
 * distinct_contacts). The last page sometimes still carries a cursor (the follow-up fetch is then
 * empty), per the `lastPageCursor` toggle; an empty page never does.
 */

/** Query-string integer: "25" → 25, anything else left for zod to reject with AJV wording. */
export const queryInt = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v),
    integer().min(min).max(max),
  );

export const queryBool = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());

/** An integer schema that reports a non-integer the way AJV does. */
export const integer = () => z.int({ error: "must be integer" });

export const limitSchema = integer().min(1).max(100);

export interface Page<T> {
  items: T[];
  next_starting_after?: string;
}

/** Whether a page that exhausted the data still carries a cursor. */
export function cursorOnLastPage(ctx: RouteContext): boolean {
  const mode = ctx.options.unknown.lastPageCursor;
  if (mode === "always") return true;
  if (mode === "never") return false;
  return ctx.prng.chance(ctx.options.unknown.lastPageCursorRate);
}

/** Page over items already sorted by `key`, strictly after `startingAfter`. */
export function paginate<T>(
  ctx: RouteContext,
  sorted: readonly T[],
  key: (item: T) => string,
  startingAfter: string | undefined,
  limit: number,
): Page<T> {
  let lo = 0;
  if (startingAfter !== undefined) {
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (key(sorted[mid] as T) <= startingAfter) lo = mid + 1;
      else hi = mid;
    }
  }
  const items = sorted.slice(lo, lo + limit);
  return finishPage(ctx, items, key, lo + limit < sorted.length);
}

export function finishPage<T>(
  ctx: RouteContext,
  items: T[],
  key: (item: T) => string,
  more: boolean,
): Page<T> {
  const last = items[items.length - 1];
  if (last === undefined) return { items };
  if (more || cursorOnLastPage(ctx)) return { items, next_starting_after: key(last) };
  return { items };
}
