/**
 * The registry of every var the engine or the rules read: THE one place to add a var. Each entry says
 * its type, its bounds and its default; settings.ts parses all of them once at start, so a bad value
 * or a misspelt name stops a command (exit 2) before anything is read or written.
 *
 * To add a var: add an entry to `VARS` (and the same var, as a string with a comment, to
 * workflow_settings.yaml). Its typed value is then `settings.vars.<name>`.
 *
 * Three families are matched by pattern instead (see `familyOf`): `<segment>_campaign_id` and
 * `<segment>_slot_share` for each segment of the `segments` var, and `cooldown_days_<reason>` for each
 * sequence-end reason of includes/rules.js. A team's own SQLX may read more vars: it lists their names
 * in `custom_vars`.
 */

export type VarSpec =
  | { kind: "text"; default?: string; description: string }
  | { kind: "identifier"; default?: string; description: string }
  | { kind: "enum"; values: readonly string[]; default?: string; description: string }
  | { kind: "int"; min?: number; max?: number; default?: string; description: string }
  | { kind: "number"; min?: number; max?: number; default?: string; description: string }
  | { kind: "flag"; default?: string; description: string }
  | { kind: "list"; default?: string; description: string }
  | { kind: "timestamp"; default?: string; description: string }
  | { kind: "campaign_id"; default?: string; description: string };

const dataset = (role: string) => ({
  kind: "identifier" as const,
  description: `Dataset (BigQuery) = schema (DuckDB) for ${role}`,
});
const int = (min: number, description: string, fallback?: string) => ({
  kind: "int" as const,
  min,
  description,
  ...(fallback === undefined ? {} : { default: fallback }),
});
const pct = (fallback: string, description: string) => ({
  kind: "number" as const,
  min: 0,
  default: fallback,
  description,
});
const flag = (fallback: string, description: string) => ({
  kind: "flag" as const,
  default: fallback,
  description,
});

/**
 * The lead columns the campaigns use as custom variables today (the contract columns of
 * engine/src/warehouse/tables.ts leadsTable other than email, names and updated_at). includes/config.js
 * falls back to the same list when the var is unset; test/sql/custom-variables.test.ts checks both agree.
 */
export const CUSTOM_VARIABLE_COLUMNS_DEFAULT =
  "merchant_name,platform_domain,state,country_code,estimated_sales_yearly,employee_count,product_count,avg_price,klaviyo_installed_at,source";

/** Every named var. No `default` = required (workflow_settings.yaml must set it). */
export const VARS = {
  dialect: { kind: "enum", values: ["bigquery", "duckdb"], description: "SQL dialect the includes emit" },
  raw_dataset: dataset("your inputs"),
  ops_dataset: dataset("what the engine writes"),
  staging_dataset: dataset("staging and intermediate models"),
  output_dataset: dataset("the action tables"),
  reporting_dataset: dataset("reporting views"),
  leads_table: { kind: "identifier", description: "Leads table in raw_dataset" },
  dnc_table: { kind: "identifier", description: "Do-not-contact table in raw_dataset" },
  segments: { kind: "list", description: "Ordered segment names; each needs <name>_campaign_id" },
  smb_max_revenue: {
    kind: "number",
    min: 0,
    default: "1000000",
    description: "SMB is estimated_sales_yearly below this",
  },
  as_of: { kind: "timestamp", default: "", description: "Pin 'now' for every rule (empty = now)" },
  inventory_cap: int(0, "Most leads held in Instantly at once"),
  max_adds_per_run: int(0, "Most adds per run"),
  overfetch_multiplier: {
    kind: "number",
    min: 1,
    max: 100,
    description: "Candidates per slot (verification losses)",
  },
  pacing: {
    kind: "enum",
    values: ["capacity", "cap"],
    default: "capacity",
    description: "capacity: adds paced per campaign by what its mailboxes send; cap: fill to inventory_cap",
  },
  first_touch_days: {
    kind: "number",
    min: 0,
    max: 60,
    default: "2",
    description: "Days of new starts a campaign holds waiting for their first email (pacing capacity)",
  },
  pacing_headroom: {
    kind: "number",
    min: 0.05,
    max: 1,
    default: "0.9",
    description: "Share of the mailboxes' daily limits the pacer counts on",
  },
  slow_ramp_step: int(1, "Emails a day Instantly's slow ramp adds to an account's limit", "2"),
  pacing_window_days: {
    kind: "int",
    min: 1,
    max: 31,
    default: "14",
    description: "Days of daily analytics behind the observed sends per new lead",
  },
  cooldown_days: int(0, "Days before an ended sequence may start again"),
  cooldown_days_replied: int(0, "Cooldown after a reply", "365"),
  cooldown_days_company_replied: int(0, "Cooldown of colleagues after a reply at their company", "90"),
  stale_days: int(1, "Drain leads active this many days"),
  stuck_days: int(1, "Drain leads paused (status 2) with no update in Instantly for this many days", "30"),
  lost_add_pulls: int(1, "Completed pulls that must miss a confirmed add before it is lost_add", "3"),
  cooldown_days_lost_add: int(0, "Cooldown after a lost add (0: queued again at once)", "0"),
  snapshot_retention_days: int(
    1,
    "Keep Instantly snapshot rows this many days once merged into the state tables",
    "30",
  ),
  max_active_per_domain: int(1, "Most active leads per company domain"),
  exclude_role_accounts: flag("true", "Keep info@, sales@ ... out"),
  exclude_free_mail: flag("false", "Keep free-mail addresses out"),
  exclude_disposable: flag("true", "Keep disposable domains out"),
  allow_catch_all: flag("false", "Push catch-all verified addresses"),
  verify_before_push: flag("true", "Verify emails before adding them"),
  verification_max_age_days: int(1, "A verification older than this is redone", "90"),
  catch_all_recheck_days: int(
    1,
    "A catch-all answer holds a lead back this long before it is verified again (catch-all is the domain's mail server: it rarely changes, and each check costs a credit)",
    "365",
  ),
  bounce_block_pct: {
    kind: "number",
    min: 0,
    max: 100,
    description: "No adds to a campaign bouncing over this %",
  },
  bounce_min_contacted: int(0, "Contacted leads a campaign needs before its bounce rate is judged", "20"),
  max_drain_fraction: {
    kind: "number",
    min: 0,
    max: 1,
    description: "Abort a drain over this share of inventory",
  },
  alert_capacity_warn_pct: pct("80", "Capacity warning, % of cap"),
  alert_capacity_critical_pct: pct("90", "Capacity critical, % of cap"),
  alert_verification_min_pct: pct("80", "Verification success floor, %"),
  alert_row_failure_max_pct: pct("10", "Row failure ceiling, %"),
  alert_bounce_max_pct: pct("2", "Campaign bounce ceiling, %"),
  alert_bounce_min_sent: pct("1", "Sent emails before a campaign's bounce rate alerts"),
  alert_no_success_hours: pct("6", "Hours without a completed run before alerting"),
  alert_runway_min_days: pct("14", "Days of lead pool left before it counts as running dry"),
  custom_vars: { kind: "list", default: "", description: "Names of extra vars your own SQLX reads" },
  custom_variable_columns: {
    kind: "list",
    default: CUSTOM_VARIABLE_COLUMNS_DEFAULT,
    description:
      "Lead columns sent to Instantly as custom_variables (any other column stays in the warehouse)",
  },
} as const satisfies Record<string, VarSpec>;

export type VarName = keyof typeof VARS;

/** The typed value of a spec kind. */
type ValueOf<S> = S extends { kind: "int" | "number" }
  ? number
  : S extends { kind: "flag" }
    ? boolean
    : S extends { kind: "list" }
      ? string[]
      : S extends { kind: "enum"; values: readonly (infer V)[] }
        ? V
        : string;

/** `settings.vars`: every registered var, typed, defaults applied. */
export type TypedVars = { -readonly [K in VarName]: ValueOf<(typeof VARS)[K]> };

/** What the pattern families need to know: the segment names and the sequence-end reasons. */
export interface FamilyContext {
  segments: readonly string[];
  endReasons: readonly string[];
}

/** The spec of a var matched by a family pattern, or undefined. */
export function familyOf(name: string, ctx: FamilyContext): VarSpec | undefined {
  for (const segment of ctx.segments) {
    if (name === `${segment}_campaign_id`) {
      return { kind: "campaign_id", description: `Instantly campaign of segment ${segment}` };
    }
    if (name === `${segment}_slot_share`) {
      return { kind: "number", min: 0, max: 1, description: `Share of the slots for segment ${segment}` };
    }
  }
  for (const reason of ctx.endReasons) {
    if (name === `cooldown_days_${reason}`) {
      return { kind: "int", min: 0, description: `Cooldown after a sequence ended with ${reason}` };
    }
  }
  return undefined;
}

/** Every name a var may have in this project, for "did you mean". */
export function knownVarNames(ctx: FamilyContext, custom: readonly string[] = []): string[] {
  return [
    ...Object.keys(VARS),
    ...ctx.segments.flatMap((s) => [`${s}_campaign_id`, `${s}_slot_share`]),
    ...ctx.endReasons.map((r) => `cooldown_days_${r}`),
    ...custom,
  ];
}
