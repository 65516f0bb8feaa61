import { describe, expect, it } from "vitest";
import { isFullTimestamp } from "../../engine/src/config/var-values.ts";
import { familyOf, VARS, type VarSpec } from "../../engine/src/config/vars.ts";
import { loadIncludes } from "./includes.ts";

/**
 * The SQL side of the vars (includes/config.js, the one include that parses them) reads only vars the
 * engine's registry (engine/src/config/vars.ts) knows, and applies the registry's default when one is
 * unset: one name and one default per setting on both sides.
 */

interface Config {
  read: Record<string, string | undefined>;
  segments: Array<{ name: string }>;
}

function sqlSide(overrides: Record<string, string> = {}) {
  const load = loadIncludes({ dialect: "duckdb", ...overrides });
  const config = load("config") as unknown as Config;
  const rules = load("rules") as unknown as { SEQUENCE_END_REASONS: Array<{ code: string }> };
  return {
    read: config.read,
    ctx: {
      segments: config.segments.map((s) => s.name),
      endReasons: rules.SEQUENCE_END_REASONS.map((r) => r.code),
    },
  };
}

const registered = (name: string): VarSpec | undefined => (VARS as Record<string, VarSpec>)[name];

describe("SQL vars in step with engine/src/config/vars.ts", () => {
  it("every var includes/config.js reads is registered, with the registry's default (or required on both sides)", () => {
    // A per-reason cooldown and a slot share set, so the family vars are read too.
    const { read, ctx } = sqlSide({ cooldown_days_bounced: "7", smb_slot_share: "0.5" });
    const names = Object.keys(read);
    expect(names.length).toBeGreaterThan(30);
    expect(names).toContain("cooldown_days_bounced");
    expect(names.filter((n) => !registered(n) && !familyOf(n, ctx))).toEqual([]);
    const mismatched = names
      .filter((n) => registered(n))
      .filter((n) => read[n] !== registered(n)?.default)
      .map((n) => `${n}: sql ${JSON.stringify(read[n])}, registry ${JSON.stringify(registered(n)?.default)}`);
    expect(mismatched).toEqual([]);
  });

  it("an unset var takes the registry's default in the SQL too", () => {
    const { read } = sqlSide();
    // workflow_settings.yaml leaves these unset: the SQL's value is the registry default.
    for (const name of ["slow_ramp_step", "pacing_window_days"]) {
      expect(read[name], name).toBe(registered(name)?.default);
    }
    const load = loadIncludes({ dialect: "duckdb" });
    const config = load("config") as unknown as { pacing: { slowRampStep: number; windowDays: number } };
    expect(config.pacing.slowRampStep).toBe(Number(registered("slow_ramp_step")?.default));
    expect(config.pacing.windowDays).toBe(Number(registered("pacing_window_days")?.default));
  });
});

describe("as_of on both sides", () => {
  const inputs = [
    "2026-06-01",
    "2026-06-01T00:00:00Z",
    "2026-06-01 12:30:00.123+02:00",
    "2026-06-01T12:30+0200",
    "2028-02-29T00:00:00Z",
    "2026",
    "1",
    "2026-06",
    "2026-02-30",
    "2026-06-01T12:00:00",
    "2026-06-01T24:00:00Z",
    "1969-12-31T00:00:00Z",
    "yesterday",
  ];

  it("includes/config.js accepts exactly the timestamps the engine accepts", () => {
    const config = loadIncludes({ dialect: "duckdb" })("config") as unknown as {
      isFullTimestamp: (t: string) => boolean;
    };
    const verdicts = inputs.map((t) => [t, config.isFullTimestamp(t), isFullTimestamp(t)]);
    expect(verdicts.filter(([, sql, engine]) => sql !== engine)).toEqual([]);
    expect(verdicts.filter(([, , ok]) => ok).length).toBe(5);
  });

  it("a direct dataform compile refuses an as_of the engine would refuse, naming the var", () => {
    expect(() => loadIncludes({ dialect: "duckdb", as_of: "2026-02-30" })("config")).toThrow(/vars\.as_of/);
    expect(() => loadIncludes({ dialect: "duckdb", as_of: "2026-06-01T12:00:00" })("config")).toThrow(
      /with its zone/,
    );
  });
});
