import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings, parseVarsOverride } from "../../engine/src/config/settings.ts";
import { UserError } from "../../engine/src/core/errors.ts";

function projectWith(transform: (yaml: string) => string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "settings-"));
  const yaml = readFileSync(path.join(repoRoot(), "workflow_settings.yaml"), "utf8");
  writeFileSync(path.join(dir, "workflow_settings.yaml"), transform(yaml));
  return dir;
}

describe("loadSettings", () => {
  it("reads the repository's settings into typed values", () => {
    const s = loadSettings({ projectDir: repoRoot() });
    expect(s.vars.inventory_cap).toBe(24000);
    expect(s.vars.overfetch_multiplier).toBe(3.5);
    expect(s.segments.map((x) => x.name)).toEqual(["smb", "midsize"]);
    expect(s.managedCampaignIds).toHaveLength(2);
  });

  it("lets --vars overrides win over the file", () => {
    const s = loadSettings({
      projectDir: repoRoot(),
      overrides: parseVarsOverride("dialect=duckdb,inventory_cap=10"),
    });
    expect(s.vars.dialect).toBe("duckdb");
    expect(s.vars.inventory_cap).toBe(10);
    expect(s.rawVars.inventory_cap).toBe("10");
  });

  it("names the bad var and shows its value", () => {
    const dir = projectWith((y) => y.replace('inventory_cap: "24000"', 'inventory_cap: "lots"'));
    expect(() => loadSettings({ projectDir: dir })).toThrow(
      /vars\.inventory_cap must be a whole number >= 0, got "lots"/,
    );
  });

  it("requires a campaign id per segment", () => {
    const dir = projectWith((y) => y.replace("segments: smb,midsize", "segments: smb,midsize,enterprise"));
    expect(() => loadSettings({ projectDir: dir })).toThrow(/vars\.enterprise_campaign_id is missing/);
  });

  it("rejects malformed YAML with the file name", () => {
    const dir = projectWith(() => "vars: [unclosed");
    expect(() => loadSettings({ projectDir: dir })).toThrow(UserError);
    expect(() => loadSettings({ projectDir: dir })).toThrow(/workflow_settings\.yaml is not valid YAML/);
  });

  it("rejects a malformed --vars override", () => {
    expect(() => parseVarsOverride("dialect")).toThrow(/not key=value/);
  });
});
