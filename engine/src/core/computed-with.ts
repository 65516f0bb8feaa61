/**
 * The vars the action tables were computed with (push_budget.computed_with, written by the SQL) against
 * the vars this run was given. The SQL names the vars that matter for capacity and routing, so the
 * engine holds no list of them: every var the table recorded must have the same value now. Numbers
 * compare as numbers ("24000" = "24000.0"), campaign ids and names case-insensitively.
 */
export interface VarMismatch {
  name: string;
  computed: string;
  now: string;
}

export function varMismatches(
  computedWith: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string | undefined>>,
): VarMismatch[] {
  const out: VarMismatch[] = [];
  for (const [name, computed] of Object.entries(computedWith)) {
    const now = (current[name] ?? "").trim();
    if (!sameValue(computed.trim(), now)) out.push({ name, computed, now });
  }
  return out;
}

function sameValue(a: string, b: string): boolean {
  if (a !== "" && b !== "" && Number.isFinite(Number(a)) && Number.isFinite(Number(b))) {
    return Number(a) === Number(b);
  }
  return a.toLowerCase() === b.toLowerCase();
}
