import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { now } from "../core/clock.ts";
import { UserError } from "../core/errors.ts";
import { closest } from "./did-you-mean.ts";
import { sequenceEndReasons } from "./includes.ts";
import { projectDir } from "./paths.ts";
import { parseVarValue, splitList } from "./var-values.ts";
import { familyOf, knownVarNames, type TypedVars, VARS, type VarSpec } from "./vars.ts";

/**
 * The engine's settings come from the same `workflow_settings.yaml` vars Dataform compiles with, so
 * a campaign id or a threshold is written once. Vars are strings (Dataform's rule); this module parses
 * every one of them once, at start, against the registry in vars.ts: a bad value, a misspelt name or a
 * YAML number where a string belongs is refused with the var's name and value (exit 2) before any
 * command reads or writes anything.
 */

export type { TypedVars as Vars } from "./vars.ts";

export interface Segment {
  /** Segment name as listed in the `segments` var, e.g. `smb`. */
  name: string;
  /** The Instantly campaign this segment's leads go to (`<name>_campaign_id`). */
  campaignId: string;
}

/** Alert thresholds (the `alert_*` vars), in the shape notify/alerts.ts measures with. */
export interface AlertThresholdSettings {
  capacityWarnPct: number;
  capacityCriticalPct: number;
  verificationMinPct: number;
  rowFailureMaxPct: number;
  bounceMaxPct: number;
  bounceMinSent: number;
  noSuccessHours: number;
  runwayMinDays: number;
}

export interface Settings {
  /** The folder holding workflow_settings.yaml (the Dataform project). */
  projectDir: string;
  /** Raw string vars after overrides: what Dataform compiles with. */
  rawVars: Record<string, string>;
  /** Every registered var (vars.ts), typed, defaults applied. */
  vars: TypedVars;
  /** Ordered segment list: the first whose rule (includes/config.js) matches wins. */
  segments: Segment[];
  /** Campaign ids the engine manages: it never adds to or deletes from any other campaign. */
  managedCampaignIds: string[];
  /** The `alert_*` vars, typed. */
  alertThresholds: AlertThresholdSettings;
  defaultProject: string;
  defaultLocation: string;
  /** Where Dataform writes assertion views (`defaultAssertionDataset`). */
  assertionDataset: string;
}

const fileSchema = z.object({
  defaultProject: z.string().min(1),
  defaultLocation: z.string().min(1).default("US"),
  defaultDataset: z.string().min(1),
  defaultAssertionDataset: z.string().optional(),
  vars: z.record(z.string(), z.unknown()).default({}),
});

/**
 * Parse `a=1,b=x` (the Dataform CLI's `--vars` syntax) into an object. Dataform splits on every `,`
 * and `=`, so a list value is written with `|` on the command line (`segments=smb|midsize`): the
 * same string then works for `dataform run --vars` too.
 */
export function parseVarsOverride(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new UserError(`--vars entry ${JSON.stringify(pair)} is not key=value`, {
        hint: "a list value is written with | on the command line, e.g. --vars 'segments=smb|midsize' (Dataform's --vars splits on every comma)",
      });
    }
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Read and validate workflow_settings.yaml. `overrides` win over the file, like `dataform --vars`.
 * Throws a UserError naming the file and every bad or unknown var.
 */
export function loadSettings(
  options: { projectDir?: string; overrides?: Record<string, string> } = {},
): Settings {
  const dir = options.projectDir ?? projectDir();
  const file = path.join(dir, "workflow_settings.yaml");
  const parsedFile = readSettingsFile(file);
  const overrides = options.overrides ?? {};
  const problems: string[] = [];
  const fileVars: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsedFile.vars)) {
    if (typeof value === "string") fileVars[name] = value;
    else if (!(name in overrides)) problems.push(yamlTypeProblem(name, value));
  }
  if (problems.length > 0) {
    throw new UserError(`${file}: ${problems.join("; ")}`, {
      hint: "every var is a string in workflow_settings.yaml (Dataform's rule): put the value in quotes",
    });
  }
  const rawVars = { ...fileVars, ...overrides };
  const source = (name: string) => (name in overrides ? "--vars" : "workflow_settings.yaml");

  const typed: Record<string, unknown> = {};
  const check = (name: string, spec: VarSpec) => {
    const raw = rawVars[name] ?? spec.default;
    if (raw === undefined) {
      problems.push(`vars.${name} is missing (${spec.description})`);
      return;
    }
    const parsed = parseVarValue(spec, raw);
    if ("error" in parsed) problems.push(`vars.${name} ${parsed.error} (from ${source(name)})`);
    else typed[name] = parsed.value;
  };
  for (const [name, spec] of Object.entries(VARS) as Array<[string, VarSpec]>) check(name, spec);
  const asOfProblem = typeof typed.as_of === "string" ? asOfAhead(typed.as_of) : undefined;
  if (asOfProblem) problems.push(`vars.as_of ${asOfProblem} (from ${source("as_of")})`);

  // Names outside the registry: a segment's family, a cooldown per end reason, or a project's custom_vars.
  const segmentNames = (typed.segments as string[] | undefined) ?? splitList(rawVars.segments ?? "");
  const custom = (typed.custom_vars as string[] | undefined) ?? splitList(rawVars.custom_vars ?? "");
  const unknown = (name: string, known: string[]) => {
    const near = closest(name, known);
    problems.push(
      `vars.${name} is not a known var (from ${source(name)})${near ? `; did you mean ${near}?` : ""}`,
    );
  };
  const perReason: string[] = [];
  for (const name of Object.keys(rawVars)) {
    if (name in VARS || custom.includes(name)) continue;
    const spec = familyOf(name, { segments: segmentNames, endReasons: [] });
    if (spec) check(name, spec);
    else if (name.startsWith("cooldown_days_")) perReason.push(name);
    else unknown(name, knownVarNames({ segments: segmentNames, endReasons: [] }, custom));
  }
  if (perReason.length > 0) {
    // Values first (a whole number of days); then which reasons exist, which is includes/rules.js's to
    // say and can only be evaluated over valid vars.
    for (const name of perReason) check(name, { kind: "int", min: 0, description: "cooldown days" });
    if (problems.length === 0) {
      const endReasons = includeReasons(dir, rawVars);
      for (const name of perReason) {
        if (!familyOf(name, { segments: segmentNames, endReasons })) {
          unknown(name, knownVarNames({ segments: segmentNames, endReasons }, custom));
        }
      }
    }
  }
  const segments: Segment[] = [];
  for (const name of segmentNames) {
    const id = typed[`${name}_campaign_id`];
    if (typeof id === "string") segments.push({ name, campaignId: id.toLowerCase() });
    else if (rawVars[`${name}_campaign_id`] === undefined) {
      problems.push(`vars.${name}_campaign_id is missing (every segment needs one)`);
    }
  }
  if (problems.length > 0) throw badVars(file, problems);

  const vars = typed as TypedVars;
  return {
    projectDir: dir,
    rawVars,
    vars,
    segments,
    managedCampaignIds: [...new Set(segments.map((s) => s.campaignId))],
    alertThresholds: {
      capacityWarnPct: vars.alert_capacity_warn_pct,
      capacityCriticalPct: vars.alert_capacity_critical_pct,
      verificationMinPct: vars.alert_verification_min_pct,
      rowFailureMaxPct: vars.alert_row_failure_max_pct,
      bounceMaxPct: vars.alert_bounce_max_pct,
      bounceMinSent: vars.alert_bounce_min_sent,
      noSuccessHours: vars.alert_no_success_hours,
      runwayMinDays: vars.alert_runway_min_days,
    },
    defaultProject: parsedFile.defaultProject,
    defaultLocation: parsedFile.defaultLocation,
    assertionDataset: parsedFile.defaultAssertionDataset ?? "dataform_assertions",
  };
}

const DAY_MS = 86_400_000;

/**
 * `as_of` pins the rules' "now"; one more than a day after the engine's clock would age every
 * snapshot, cooldown and retention by the difference. (Its lower bound, the first pull, needs the
 * warehouse: engine/src/sync/apply/checks.ts.)
 */
function asOfAhead(asOf: string): string | undefined {
  if (asOf === "") return undefined;
  const at = Date.parse(asOf);
  const clock = now();
  if (at <= clock.getTime() + DAY_MS) return undefined;
  return `is ${JSON.stringify(asOf)}, more than a day after the engine's clock (${clock.toISOString()}): it must not be in the future`;
}

function readSettingsFile(file: string): z.infer<typeof fileSchema> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new UserError(`cannot read ${file}`, {
      hint: "run the engine from the project folder, or set ENGINE_PROJECT_DIR",
      cause,
    });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
    throw new UserError(`${file} is not valid YAML: ${reason}`, { cause });
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message}`);
    throw new UserError(`${file}: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** "vars.inventory_cap is a number in the YAML …": Dataform would fail later without naming it. */
function yamlTypeProblem(name: string, value: unknown): string {
  const shown = value === null ? "empty" : `a ${Array.isArray(value) ? "list" : typeof value}`;
  const example = value === null ? '""' : `"${Array.isArray(value) ? value.join(",") : String(value)}"`;
  return `vars.${name} is ${shown} in the YAML, not a string: write ${name}: ${example}`;
}

function includeReasons(dir: string, rawVars: Record<string, string>): string[] {
  try {
    return sequenceEndReasons(dir, rawVars);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new UserError(`the project's includes refused the vars: ${message}`, { cause });
  }
}

function badVars(file: string, problems: string[]): UserError {
  return new UserError(`${file}: bad vars: ${problems.join("; ")}`, {
    hint: "fix the value in workflow_settings.yaml (or in your --vars override); every var is listed in engine/src/config/vars.ts",
  });
}
