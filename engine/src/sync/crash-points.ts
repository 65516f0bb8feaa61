/**
 * Crash points for the crash tests. When the environment variable `ENGINE_CRASH_AT` equals `name`
 * (first hit) or `name#n` (the n-th hit, 1-based) the process kills itself with SIGKILL at that
 * point: no `finally`, no flush, exactly like a machine dying. Without the variable a crash point costs
 * one string comparison.
 *
 * Names (where they sit):
 * - `pull.snapshot`            after each batch of lead snapshot rows is appended (mid-snapshot)
 * - `pull.before-reconcile`    snapshot written, before reconciling earlier intents
 * - `pull.before-run-row`      everything written except the pull's sync_runs row
 * - `apply.before-intents`     a batch (drain, block, verify or add) is ready; no intent row written yet
 * - `apply.after-intents`      intents appended, the Instantly call not made yet
 * - `apply.after-call`         the Instantly call returned, no final row written yet
 * - `apply.mid-writeback`      half of the batch's final rows appended, the other half not
 * - `apply.after-poll`         a batch's pending verifications polled to the end, their results unwritten
 * - `apply.before-run-row`     every action done and written, before the final sync_runs row
 *
 * Each name counts its own hits, e.g. `apply.after-call#3` dies after the third batch's call.
 */
export const CRASH_POINTS = [
  "pull.snapshot",
  "pull.before-reconcile",
  "pull.before-run-row",
  "apply.before-intents",
  "apply.after-intents",
  "apply.after-call",
  "apply.mid-writeback",
  "apply.after-poll",
  "apply.before-run-row",
] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];

const hits = new Map<string, number>();

export function crashPoint(
  name: CrashPointName,
  env: Record<string, string | undefined> = process.env,
): void {
  const wanted = env.ENGINE_CRASH_AT;
  if (!wanted) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  const [target, nth] = wanted.split("#");
  if (target !== name) return;
  if ((nth === undefined ? 1 : Number(nth)) !== n) return;
  process.kill(process.pid, "SIGKILL");
}

/** Parses `name` / `name#n` (for tests and the crash-test driver); throws on an unknown name. */
export function parseCrashTarget(value: string): { name: CrashPointName; nth: number } {
  const [name, nth] = value.split("#");
  if (!CRASH_POINTS.includes(name as CrashPointName)) {
    throw new Error(`unknown crash point ${JSON.stringify(name)}; known: ${CRASH_POINTS.join(", ")}`);
  }
  const n = nth === undefined ? 1 : Number(nth);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`crash point hit must be a whole number >= 1, got ${nth}`);
  return { name: name as CrashPointName, nth: n };
}
