/**
 * Number, percentage, duration and clock formatting for run messages, the way the team's existing run
 * messages show them (test/notify/render.test.ts pins them) ("1,342", "92.0%", "2m 8s", "2:30 PM EST"). Every function takes its time zone explicitly, so
 * a message renders the same on a laptop in Berlin and on a CI runner in UTC.
 */

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const credits = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** Whole number with thousands separators: 291469 → "291,469". */
export function formatCount(value: number): string {
  return integer.format(Math.round(value));
}

/** Credits keep up to two decimals (Instantly charges fractions): 6.25 → "6.25", 25 → "25". */
export function formatCredits(value: number): string {
  return credits.format(value);
}

/** One decimal and a percent sign: 92 → "92.0%". `undefined` (not measured) → "n/a". */
export function formatPercent(value: number | undefined): string {
  return value === undefined ? "n/a" : `${value.toFixed(1)}%`;
}

/** part / whole × 100, or undefined when there is nothing to divide (a rate that was not measured). */
export function percentOf(part: number, whole: number): number | undefined {
  return whole > 0 ? (part / whole) * 100 : undefined;
}

/** Round to one decimal for JSON payloads (one decimal, as the existing messages' payloads carry), keeping undefined as null. */
export function round1(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10) / 10;
}

/**
 * "14m 52s", rounding the total first so 127.5 s reads "2m 8s" (as the existing messages print it)
 * instead of truncating to "2m 7s".
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m ${total % 60}s`;
  return `${Math.floor(total / 3600)}h ${Math.floor((total % 3600) / 60)}m`;
}

/** Leads per minute, or undefined for a phase shorter than a second. */
export function perMinute(count: number, ms: number): number | undefined {
  // Under a second the rate is noise (210,000 leads/min for 7 deletes in 2 ms): leave it out.
  return ms >= 1000 ? (count / ms) * 60_000 : undefined;
}

/** Throws a RangeError when `timeZone` is not an IANA zone Intl knows. */
export function assertTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat("en-US", { timeZone });
}

/** The zone of this machine (CI runners: UTC). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "2:30 PM EST" (the Echo messages API title's 12-hour clock, with the real zone abbreviation). */
export function formatClock(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", {
    hour: "numeric",
    minute: "2-digit",
    hour12: true,
    timeZone,
    timeZoneName: "short",
  })
    .format(at)
    .replace(/\u202f/g, " ");
}

/** "14:30 EST" (the Echo external endpoint's 24-hour title clock). */
export function formatClock24(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone,
    timeZoneName: "short",
  })
    .format(at)
    .replace(/\u202f/g, " ");
}

/** "1 lead", "1,342 leads", "1 active lead": a count with its noun in the right number. */
export function formatLeads(value: number, adjective?: string): string {
  return `${formatCount(value)} ${adjective ? `${adjective} ` : ""}${Math.round(value) === 1 ? "lead" : "leads"}`;
}
