/**
 * The vars the action tables were computed with (push_budget.computed_with, written by the SQL) against
 * the vars this run was given. The SQL names the vars that matter (every var the rules were compiled
 * with but the dialect and the engine's own guards and alert thresholds, as_of always), so the engine holds no list of them:
 * every var the table recorded must have the same value now, and a var this run was given that the
 * transform was not (it used its default) must not be set here either. Numbers compare as numbers
 * ("24000" = "24000.0"), campaign ids and names case-insensitively, lists whatever their separator.
 *
 * `as_of` is the rules' "now": an empty one means the time the transform ran. Both set: the same
 * instant. One empty: the other must be within a day of this run's clock (a transform pinned to
 * another day — a replay, a typo — is refused; one pinned to the simulated day the engine's clock is
 * on is not).
 */
export interface VarMismatch {
  name: string;
  computed: string;
  now: string;
}

const DAY_MS = 86_400_000;

/**
 * Vars the SQL does not record (definitions/outputs/push_budget.sqlx): never compared. The engine's own
 * guards and thresholds (max_drain_fraction, alert_*) may differ per run: the rules never read them.
 */
const notRecorded = (name: string) =>
  ["dialect", "max_drain_fraction", "custom_vars"].includes(name) || name.startsWith("alert_");

export function varMismatches(
  computedWith: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string | undefined>>,
  clockMs: number = Date.now(),
): VarMismatch[] {
  const out: VarMismatch[] = [];
  for (const [name, computed] of Object.entries(computedWith)) {
    const now = (current[name] ?? "").trim();
    const same = name === "as_of" ? sameAsOf(computed.trim(), now, clockMs) : sameValue(computed.trim(), now);
    if (!same) out.push({ name, computed, now });
  }
  // Tables recorded before as_of was (capacity vars only) say nothing of the other vars.
  if (!("as_of" in computedWith)) return out;
  for (const [name, value] of Object.entries(current)) {
    if (name in computedWith || notRecorded(name) || value === undefined || value.trim() === "") continue;
    out.push({ name, computed: "(not set: its default)", now: value.trim() });
  }
  return out;
}

function sameValue(a: string, b: string): boolean {
  if (a !== "" && b !== "" && Number.isFinite(Number(a)) && Number.isFinite(Number(b))) {
    return Number(a) === Number(b);
  }
  const list = (s: string) => s.toLowerCase().replaceAll("|", ",");
  return list(a) === list(b);
}

function sameAsOf(computed: string, now: string, clockMs: number): boolean {
  if (computed === now) return true;
  const at = (s: string) => (s === "" ? clockMs : Date.parse(s));
  const a = at(computed);
  const b = at(now);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  if (computed !== "" && now !== "") return a === b;
  return Math.abs(a - b) <= DAY_MS;
}
