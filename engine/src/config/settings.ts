import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { UserError } from "../core/errors.ts";
import { projectDir } from "./paths.ts";

/**
 * The engine's settings come from the same `workflow_settings.yaml` vars Dataform compiles with, so
 * a campaign id or a threshold is written once. Vars are strings (Dataform's rule); this module turns
 * them into typed values and rejects a bad one with the var's name and value.
 */

const num = (name: string, opts: { min?: number; max?: number; int?: boolean } = {}) =>
  z
    .string({ error: `${name} is missing` })
    .trim()
    .transform((raw, ctx) => {
      const value = Number(raw);
      const bad =
        raw === "" ||
        !Number.isFinite(value) ||
        (opts.int && !Number.isInteger(value)) ||
        (opts.min !== undefined && value < opts.min) ||
        (opts.max !== undefined && value > opts.max);
      if (bad) {
        const range = [
          opts.int ? "a whole number" : "a number",
          opts.min !== undefined ? `>= ${opts.min}` : "",
          opts.max !== undefined ? `<= ${opts.max}` : "",
        ]
          .filter(Boolean)
          .join(" ");
        ctx.addIssue({ code: "custom", message: `must be ${range}, got ${JSON.stringify(raw)}` });
        return z.NEVER;
      }
      return value;
    });

const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a plain identifier (letters, digits, underscore)");
const campaignId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
  message: "must be an Instantly campaign id (a UUID)",
});

export const varsSchema = z
  .object({
    dialect: z.enum(["bigquery", "duckdb"]),
    raw_dataset: identifier,
    ops_dataset: identifier,
    staging_dataset: identifier,
    output_dataset: identifier,
    reporting_dataset: identifier,
    leads_table: identifier,
    dnc_table: identifier,
    segments: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*)*$/, "must be a comma-separated list of segment names"),
    inventory_cap: num("inventory_cap", { min: 0, int: true }),
    max_adds_per_run: num("max_adds_per_run", { min: 0, int: true }),
    overfetch_multiplier: num("overfetch_multiplier", { min: 1, max: 100 }),
    cooldown_days: num("cooldown_days", { min: 0, int: true }),
    stale_days: num("stale_days", { min: 1, int: true }),
    max_active_per_domain: num("max_active_per_domain", { min: 1, int: true }),
    bounce_block_pct: num("bounce_block_pct", { min: 0, max: 100 }),
    max_drain_fraction: num("max_drain_fraction", { min: 0, max: 1 }),
  })
  .catchall(z.string());

export type Vars = z.infer<typeof varsSchema>;

export interface Segment {
  /** Segment name as listed in the `segments` var, e.g. `smb`. */
  name: string;
  /** The Instantly campaign this segment's leads go to (`<name>_campaign_id`). */
  campaignId: string;
}

export interface Settings {
  /** The folder holding workflow_settings.yaml (the Dataform project). */
  projectDir: string;
  /** Raw string vars after overrides: what Dataform compiles with. */
  rawVars: Record<string, string>;
  vars: Vars;
  /** Ordered segment list: the first whose rule (includes/config.js) matches wins. */
  segments: Segment[];
  /** Campaign ids the engine manages: it never adds to or deletes from any other campaign. */
  managedCampaignIds: string[];
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
  vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)),
});

/** Parse `a=1,b=x` (the Dataform CLI's `--vars` syntax) into an object. */
export function parseVarsOverride(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(",")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UserError(`--vars entry ${JSON.stringify(pair)} is not key=value`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Read and validate workflow_settings.yaml. `overrides` win over the file, like `dataform --vars`.
 * Throws a UserError naming the file and every bad var.
 */
export function loadSettings(
  options: { projectDir?: string; overrides?: Record<string, string> } = {},
): Settings {
  const dir = options.projectDir ?? projectDir();
  const file = path.join(dir, "workflow_settings.yaml");
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
  const parsedFile = fileSchema.safeParse(doc);
  if (!parsedFile.success) throw new UserError(`${file}: ${formatIssues(parsedFile.error)}`);

  const rawVars = { ...parsedFile.data.vars, ...(options.overrides ?? {}) };
  const parsedVars = varsSchema.safeParse(rawVars);
  if (!parsedVars.success) {
    throw new UserError(`${file}: bad vars: ${formatIssues(parsedVars.error, "vars.")}`, {
      hint: "fix the value in workflow_settings.yaml (or in your --vars override)",
    });
  }
  const vars = parsedVars.data;

  const segments: Segment[] = [];
  const problems: string[] = [];
  for (const name of vars.segments.split(",")) {
    const key = `${name}_campaign_id`;
    const id = rawVars[key];
    const checked = campaignId.safeParse(id);
    if (!checked.success) {
      problems.push(
        `vars.${key} ${id === undefined ? "is missing (every segment needs one)" : `must be an Instantly campaign id (a UUID), got ${JSON.stringify(id)}`}`,
      );
      continue;
    }
    segments.push({ name, campaignId: checked.data.toLowerCase() });
  }
  if (problems.length > 0) throw new UserError(`${file}: ${problems.join("; ")}`);

  return {
    projectDir: dir,
    rawVars,
    vars,
    segments,
    managedCampaignIds: [...new Set(segments.map((s) => s.campaignId))],
    defaultProject: parsedFile.data.defaultProject,
    defaultLocation: parsedFile.data.defaultLocation,
    assertionDataset: parsedFile.data.defaultAssertionDataset ?? "dataform_assertions",
  };
}

function formatIssues(error: z.ZodError, prefix = ""): string {
  return error.issues
    .map((issue) => `${prefix}${issue.path.join(".") || "(root)"} ${issue.message}`)
    .join("; ");
}
