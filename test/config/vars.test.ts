import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings, parseVarsOverride } from "../../engine/src/config/settings.ts";
import { VARS } from "../../engine/src/config/vars.ts";

/**
 * Every var is parsed once against the registry (engine/src/config/vars.ts): a bad value of any
 * family, an unknown name or a YAML type error is refused with the var's name and value.
 */
const load = (overrides: Record<string, string>) => () => loadSettings({ projectDir: repoRoot(), overrides });

function projectWith(edit: (yaml: string) => string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "vars-"));
  const yaml = readFileSync(path.join(repoRoot(), "workflow_settings.yaml"), "utf8");
  writeFileSync(path.join(dir, "workflow_settings.yaml"), edit(yaml));
  return dir;
}

describe("typed vars", () => {
  it("types every var the engine reads, defaults included", () => {
    const s = loadSettings({ projectDir: repoRoot() });
    expect(s.vars.allow_catch_all).toBe(false);
    expect(s.vars.bounce_min_contacted).toBe(20);
    expect(s.vars.verify_before_push).toBe(true);
    expect(s.vars.segments).toEqual(["smb", "midsize"]);
    expect(s.alertThresholds).toEqual({
      capacityWarnPct: 80,
      capacityCriticalPct: 90,
      verificationMinPct: 80,
      rowFailureMaxPct: 10,
      bounceMaxPct: 2,
      bounceMinSent: 1,
      noSuccessHours: 6,
      runwayMinDays: 14,
    });
    const over = loadSettings({
      projectDir: repoRoot(),
      overrides: { allow_catch_all: "TRUE", bounce_min_contacted: "50", alert_bounce_max_pct: "4.5" },
    });
    expect([
      over.vars.allow_catch_all,
      over.vars.bounce_min_contacted,
      over.alertThresholds.bounceMaxPct,
    ]).toEqual([true, 50, 4.5]);
  });

  it("every registered var is documented in workflow_settings.yaml (set or commented)", () => {
    const yaml = readFileSync(path.join(repoRoot(), "workflow_settings.yaml"), "utf8");
    for (const name of Object.keys(VARS)) expect(yaml, name).toMatch(new RegExp(`^\\s*#?\\s*${name}:`, "m"));
  });
});

describe("a bad value is refused with its name and value, per family", () => {
  it.each([
    [
      "whole numbers",
      { inventory_cap: "lots" },
      'vars.inventory_cap must be a whole number >= 0, got "lots"',
    ],
    [
      "bounded numbers",
      { max_drain_fraction: "1.5" },
      'vars.max_drain_fraction must be a number >= 0 <= 1, got "1.5"',
    ],
    [
      "guard numbers",
      { bounce_min_contacted: "-1" },
      'vars.bounce_min_contacted must be a whole number >= 0, got "-1"',
    ],
    ["flags", { allow_catch_all: "yes" }, 'vars.allow_catch_all must be "true" or "false", got "yes"'],
    [
      "alert thresholds",
      { alert_capacity_warn_pct: "high" },
      'vars.alert_capacity_warn_pct must be a number >= 0, got "high"',
    ],
    ["lists", { segments: "SMB;x" }, "vars.segments must be a list of lower-case names"],
    ["enums", { dialect: "postgres" }, 'vars.dialect must be one of bigquery, duckdb, got "postgres"'],
    ["identifiers", { raw_dataset: "my-raw" }, "vars.raw_dataset must be a plain identifier"],
    [
      "timestamps",
      { as_of: "yesterday" },
      'vars.as_of must be a full ISO timestamp with its zone (2026-06-01T00:00:00Z) or a date (2026-06-01), years 1970 to 9999, or empty, got "yesterday"',
    ],
    [
      "campaign ids (per segment)",
      { smb_campaign_id: "abc" },
      'vars.smb_campaign_id must be an Instantly campaign id (a UUID), got "abc"',
    ],
    [
      "slot shares (per segment)",
      { smb_slot_share: "2" },
      'vars.smb_slot_share must be a number >= 0 <= 1, got "2"',
    ],
    [
      "cooldowns (per reason)",
      { cooldown_days_bounced: "soon" },
      'vars.cooldown_days_bounced must be a whole number >= 0, got "soon"',
    ],
  ])("%s", (_family, overrides, message) => {
    expect(load(overrides)).toThrow(message);
    expect(load(overrides)).toThrow(/\(from --vars\)/);
  });

  it("names every bad var at once, with where it came from", () => {
    const dir = projectWith((y) => y.replace('stale_days: "90"', 'stale_days: "0"'));
    expect(() => loadSettings({ projectDir: dir, overrides: { max_adds_per_run: "x" } })).toThrow(
      /vars\.max_adds_per_run must be a whole number >= 0, got "x" \(from --vars\); vars\.stale_days must be a whole number >= 1, got "0" \(from workflow_settings\.yaml\)/,
    );
  });
});

describe("unknown names", () => {
  it("refuses an unknown --vars name with the closest known one", () => {
    expect(load({ inventroy_cap: "5000" })).toThrow(
      "vars.inventroy_cap is not a known var (from --vars); did you mean inventory_cap?",
    );
    expect(load({ cooldown_days_repled: "3" })).toThrow("did you mean cooldown_days_replied?");
    expect(load({ alert_bounce_max: "3" })).toThrow("did you mean alert_bounce_max_pct?");
    expect(load({ zzz: "1" })).toThrow(/vars\.zzz is not a known var \(from --vars\)$/);
  });

  it("refuses a misspelt var in workflow_settings.yaml", () => {
    const dir = projectWith((y) => y.replace("stale_days:", "stael_days:"));
    expect(() => loadSettings({ projectDir: dir })).toThrow(
      /vars\.stael_days is not a known var \(from workflow_settings\.yaml\); did you mean stale_days\?/,
    );
  });

  it("knows the families from the segments and includes/rules.js, and a project's custom_vars", () => {
    expect(load({ cooldown_days_completed: "30", smb_slot_share: "0.5" })).not.toThrow();
    expect(load({ cooldown_days_nonsense: "30" })).toThrow(/cooldown_days_nonsense is not a known var/);
    expect(load({ enterprise_campaign_id: "8c46e0c9-c1f9-4201-a8d6-6221bafeada6" })).toThrow(
      /enterprise_campaign_id is not a known var/,
    );
    expect(load({ custom_vars: "min_score", min_score: "10" })).not.toThrow();
  });
});

describe("YAML and the command line", () => {
  it("an unquoted number or boolean in the YAML names the var and the fix", () => {
    const dir = projectWith((y) =>
      y
        .replace('inventory_cap: "24000"', "inventory_cap: 24000")
        .replace('allow_catch_all: "false"', "allow_catch_all: false"),
    );
    expect(() => loadSettings({ projectDir: dir })).toThrow(
      'vars.inventory_cap is a number in the YAML, not a string: write inventory_cap: "24000"; vars.allow_catch_all is a boolean in the YAML, not a string: write allow_catch_all: "false"',
    );
  });

  it("a list var is overridden with | on the command line (a form Dataform's --vars also carries)", () => {
    const s = loadSettings({
      projectDir: repoRoot(),
      overrides: parseVarsOverride("segments=midsize|smb,inventory_cap=5"),
    });
    expect(s.segments.map((x) => x.name)).toEqual(["midsize", "smb"]);
    expect(s.rawVars.segments).toBe("midsize|smb");
    expect(() => parseVarsOverride("segments=smb,midsize")).toThrow(/"midsize" is not key=value/);
  });
});
