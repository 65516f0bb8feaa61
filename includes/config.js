/**
 * Settings the SQL reads, from the `vars` in workflow_settings.yaml (overridable per run with
 * `--vars=key=value`). Every var the SQL reads is parsed, checked and defaulted HERE once (the other
 * includes import the values from this module), so a typo in a threshold fails the compile with the
 * var's name instead of producing quietly wrong SQL. The names and defaults are those of the engine's
 * registry, engine/src/config/vars.ts (test/sql/sql-vars.test.ts keeps the two in step).
 *
 * The per-segment routing rules live in SEGMENT_RULES below: that is the one place to change how a
 * lead is routed to a campaign (see definitions/README.md, "Add a segment").
 *
 * CommonJS on purpose: Dataform evaluates includes in its own sandbox with `require`/`module.exports`.
 */

const sql = require("./sql");

const vars = (typeof dataform !== "undefined" && dataform.projectConfig.vars) || {};

/** Every var this module read, with the default it applied when unset (undefined: required). */
const read = {};

/** A required string var; fails the compile with the var's name when it is missing or empty. */
function text(name) {
  if (!(name in read)) read[name] = undefined;
  const value = vars[name];
  if (value === undefined || String(value).trim() === "") {
    throw new Error(`includes/config.js: vars.${name} is missing; set it in workflow_settings.yaml`);
  }
  return String(value).trim();
}

/** An optional string var: `fallback` (default "") when unset or empty. */
function optionalText(name, fallback = "") {
  read[name] = fallback;
  const value = vars[name] === undefined ? "" : String(vars[name]).trim();
  return value === "" ? fallback : value;
}

/** A numeric var, checked against an optional range; `fallback` is used when the var is unset. */
function num(name, opts = {}) {
  if (opts.fallback !== undefined) read[name] = String(opts.fallback);
  const raw = vars[name] === undefined && opts.fallback !== undefined ? String(opts.fallback) : text(name);
  const value = Number(raw);
  const bad =
    !Number.isFinite(value) ||
    (opts.int && !Number.isInteger(value)) ||
    (opts.min !== undefined && value < opts.min) ||
    (opts.max !== undefined && value > opts.max);
  if (bad) {
    throw new Error(
      `includes/config.js: vars.${name} must be ${opts.int ? "a whole number" : "a number"}` +
        `${opts.min !== undefined ? ` >= ${opts.min}` : ""}${opts.max !== undefined ? ` <= ${opts.max}` : ""}` +
        `, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** A boolean var ("true"/"false"); `fallback` when unset. */
function flag(name, fallback) {
  read[name] = String(fallback);
  const raw = vars[name] === undefined ? String(fallback) : String(vars[name]).trim().toLowerCase();
  if (raw !== "true" && raw !== "false") {
    throw new Error(`includes/config.js: vars.${name} must be "true" or "false", got ${JSON.stringify(raw)}`);
  }
  return raw === "true";
}

/** One of `values` (lower-cased); `fallback` when unset, required when there is none. */
function choice(name, values, fallback) {
  const raw = (fallback === undefined ? text(name) : optionalText(name, fallback)).toLowerCase();
  if (!values.includes(raw)) {
    throw new Error(
      `includes/config.js: vars.${name} must be ${values.map((v) => JSON.stringify(v)).join(" or ")}, got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

/** The SQL dialect the includes/sql.js helpers emit: bigquery (production) or duckdb (local, tests). */
const dialect = choice("dialect", ["bigquery", "duckdb"]);

/** Datasets (BigQuery) = schemas (DuckDB), by role. */
const datasets = {
  raw: text("raw_dataset"),
  ops: text("ops_dataset"),
  staging: text("staging_dataset"),
  output: text("output_dataset"),
  reporting: text("reporting_dataset"),
};

/** Names of the user-owned input tables (a team may point these at its own tables). */
const tables = {
  leads: text("leads_table"),
  dnc: text("dnc_table"),
};

const smbMaxRevenue = num("smb_max_revenue", { min: 0, fallback: 1000000 });

/**
 * The routing rule per segment NAME: a SQL boolean over a lead row (`l` is the row alias, columns as in
 * stg_leads). Segments are tried in the order of the `segments` var; the first match wins, so the last
 * segment is usually a catch-all (`true`). Leads whose revenue is unknown go to SMB: a store without a
 * revenue estimate is almost always small, and SMB is the high-volume sequence.
 */
const SEGMENT_RULES = {
  smb: (l) => `(${l}.estimated_sales_yearly < ${smbMaxRevenue} or ${l}.estimated_sales_yearly is null)`,
  midsize: (l) => `(${l}.estimated_sales_yearly >= ${smbMaxRevenue})`,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ordered segment list with each segment's campaign, rule and optional share of the slots. */
// `,` in workflow_settings.yaml; `|` in `--vars` (Dataform's --vars parser splits on every comma).
const segments = text("segments")
  .split(/[,|]/)
  .map((name) => name.trim())
  .filter(Boolean)
  .map((name) => {
    const rule = SEGMENT_RULES[name];
    if (!rule) {
      throw new Error(
        `includes/config.js: segment ${JSON.stringify(name)} (vars.segments) has no rule; add one to SEGMENT_RULES`,
      );
    }
    const campaignId = text(`${name}_campaign_id`).toLowerCase();
    if (!UUID.test(campaignId)) {
      throw new Error(
        `includes/config.js: vars.${name}_campaign_id must be an Instantly campaign id (a UUID), got ${JSON.stringify(campaignId)}`,
      );
    }
    const share = optionalText(`${name}_slot_share`);
    return {
      name,
      campaignId,
      rule,
      slotShare: share === "" ? null : num(`${name}_slot_share`, { min: 0, max: 1 }),
    };
  });

if (segments.length === 0) throw new Error("includes/config.js: vars.segments lists no segment");

/** True when at least one segment has a `<name>_slot_share`: slots are then split per campaign. */
const slotSplitConfigured = segments.some((s) => s.slotShare !== null);

const capacity = {
  inventoryCap: num("inventory_cap", { int: true, min: 0 }),
  maxAddsPerRun: num("max_adds_per_run", { int: true, min: 0 }),
  overfetchMultiplier: num("overfetch_multiplier", { min: 1, max: 100 }),
};

/**
 * Pacing (definitions/intermediate/int_send_capacity.sqlx): `capacity` feeds each campaign what its
 * mailboxes can start (new starts a day x first_touch_days, less the leads still waiting for their
 * first email); `cap` keeps one inventory ceiling for all campaigns (slots = min(max_adds_per_run,
 * headroom under inventory_cap)), optionally split by <segment>_slot_share.
 */
const pacing = (() => {
  return {
    mode: choice("pacing", ["capacity", "cap"], "capacity"),
    /** Days of new starts each campaign should hold waiting for their first email. */
    firstTouchDays: num("first_touch_days", { min: 0, max: 60, fallback: 2 }),
    /** Share of the mailboxes' limits the pacer counts on (deliverability and schedule slack). */
    headroom: num("pacing_headroom", { min: 0.05, max: 1, fallback: 0.9 }),
    /** Emails a day Instantly's slow ramp adds to an account's limit. */
    slowRampStep: num("slow_ramp_step", { int: true, min: 1, fallback: 2 }),
    /** Days of daily analytics the observed sends per new lead are measured over. */
    windowDays: num("pacing_window_days", { int: true, min: 1, max: 31, fallback: 14 }),
  };
})();

/** True when per-campaign slots apply: capacity pacing, or <segment>_slot_share vars under cap pacing. */
const perCampaignSlots = pacing.mode === "capacity" || slotSplitConfigured;

const contact = {
  cooldownDays: num("cooldown_days", { int: true, min: 0 }),
  staleDays: num("stale_days", { int: true, min: 1 }),
  maxActivePerDomain: num("max_active_per_domain", { int: true, min: 1 }),
  /** How long a real reply from anyone at a company keeps its colleagues from being added or kept. */
  companyReplyCooldownDays: num("cooldown_days_company_replied", { int: true, min: 0, fallback: 90 }),
  /** A paused (status 2) lead with no update in Instantly for this many days is drained as stuck. */
  stuckDays: num("stuck_days", { int: true, min: 1, fallback: 30 }),
  /** Completed pulls after a confirmed add that did not see the lead before it counts as lost_add. */
  lostAddPulls: num("lost_add_pulls", { int: true, min: 1, fallback: 3 }),
  /** Cooldown after a reply; interested and meeting_booked follow it unless they have their own var. */
  repliedCooldownDays: num("cooldown_days_replied", { int: true, min: 0, fallback: 365 }),
  /** Cooldown after a lost add: 0 queues it again at once (the retry). */
  lostAddCooldownDays: num("cooldown_days_lost_add", { int: true, min: 0, fallback: 0 }),
};

/**
 * Cooldown days after a sequence that ended with `reason`: var `cooldown_days_<reason>` when set, else
 * `fallbackDays` (the reason family's days, e.g. contact.repliedCooldownDays).
 */
function cooldownDaysFor(reason, fallbackDays) {
  const name = `cooldown_days_${reason}`;
  return vars[name] === undefined ? fallbackDays : num(name, { int: true, min: 0 });
}

/**
 * Retention (definitions/operations/prune_snapshots.sqlx): how long Instantly snapshot rows are kept
 * once the lead state has merged them.
 */
const retention = {
  snapshotRetentionDays: num("snapshot_retention_days", { int: true, min: 1, fallback: 30 }),
};

const eligibility = {
  excludeRoleAccounts: flag("exclude_role_accounts", true),
  excludeFreeMail: flag("exclude_free_mail", false),
  excludeDisposable: flag("exclude_disposable", true),
  allowCatchAll: flag("allow_catch_all", false),
  verifyBeforePush: flag("verify_before_push", true),
  verificationMaxAgeDays: num("verification_max_age_days", { int: true, min: 1, fallback: 90 }),
  catchAllRecheckDays: num("catch_all_recheck_days", { int: true, min: 1, fallback: 365 }),
};

/**
 * The lead columns sent to Instantly as custom_variables (includes/custom_variables.js); any other
 * column stays in the warehouse. The fallback is engine/src/config/vars.ts CUSTOM_VARIABLE_COLUMNS_DEFAULT.
 */
const customVariableColumns = (() => {
  const raw =
    vars.custom_variable_columns === undefined
      ? "merchant_name,platform_domain,state,country_code,estimated_sales_yearly,employee_count,product_count,avg_price,klaviyo_installed_at,source"
      : String(vars.custom_variable_columns);
  const names = raw
    .split(/[,|]/)
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name) || ["email", "first_name", "last_name"].includes(name)) {
      throw new Error(
        `includes/config.js: vars.custom_variable_columns lists ${JSON.stringify(name)}; list lower-case lead column names other than email, first_name and last_name (sent as their own fields)`,
      );
    }
  }
  return names;
})();

/**
 * The bounce guard (definitions/intermediate/int_campaign_health.sqlx): a campaign's bounce rate is
 * judged once it has contacted `bounceMinContacted` leads (a few bounces of ten contacts are noise);
 * over `bounceBlockPct` the campaign gets no adds.
 */
const guards = {
  bounceBlockPct: num("bounce_block_pct", { min: 0, max: 100 }),
  bounceMinContacted: num("bounce_min_contacted", { int: true, min: 0, fallback: 20 }),
};

/** Days of lead pool left under which rpt_attention says the pool runs dry (the pool_runway alert's threshold too). */
const alertRunwayMinDays = num("alert_runway_min_days", { min: 0, fallback: 14 });

/**
 * `as_of` pins "now" for the whole graph (tests, backfills, reproducing a past run); empty means the
 * warehouse's current time. Normalised to `YYYY-MM-DD HH:MM:SS.sss+00`, which both engines cast.
 */
const FULL_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?))?$/i;

/**
 * An ISO date, or a date and time with its zone, naming a real instant from 1970 on: the rule of
 * engine/src/config/var-values.ts `isFullTimestamp` (test/sql/sql-vars.test.ts keeps the two in step),
 * so a direct `dataform run` refuses what the engine refuses (`2026`, `2026-02-30`, a time without zone).
 */
function isFullTimestamp(text) {
  const m = FULL_TIMESTAMP.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m
    .slice(1, 7)
    .map((v) => (v === undefined ? 0 : Number(v)));
  if (year < 1970 || hour > 23 || minute > 59 || second > 59) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && !Number.isNaN(Date.parse(text));
}

const asOf = (() => {
  const raw = optionalText("as_of");
  if (raw === "") return "";
  if (!isFullTimestamp(raw)) {
    throw new Error(
      `includes/config.js: vars.as_of must be a full ISO timestamp with its zone (2026-06-01T00:00:00Z), a date (2026-06-01) or empty, got ${JSON.stringify(raw)}`,
    );
  }
  const date = new Date(raw);
  return `${date.toISOString().replace("T", " ").replace("Z", "")}+00`;
})();

/** SQL for "now": the pinned `as_of` or the current timestamp. Every rule that needs a time uses this. */
function now() {
  return asOf === "" ? sql.currentTs() : sql.cast(sql.str(asOf), "TIMESTAMP");
}

/** `('id1', 'id2')` for IN lists of the managed campaigns. */
function managedCampaignList() {
  return sql.strList([...new Set(segments.map((s) => s.campaignId))]);
}

/** A CASE expression routing a lead row (alias `l`) to its segment name (NULL when no rule matches). */
function segmentCase(l) {
  return `case\n${segments.map((s) => `      when ${s.rule(l)} then ${sql.str(s.name)}`).join("\n")}\n    end`;
}

/** A CASE expression mapping a segment name expression to its campaign id. */
function campaignOfSegment(expr) {
  return `case ${expr}\n${segments.map((s) => `      when ${sql.str(s.name)} then ${sql.str(s.campaignId)}`).join("\n")}\n    end`;
}

/** A CASE expression mapping a campaign id expression to its segment name. */
function segmentOfCampaign(expr) {
  return `case ${expr}\n${segments.map((s) => `      when ${sql.str(s.campaignId)} then ${sql.str(s.name)}`).join("\n")}\n    end`;
}

/**
 * The segment list as an inline table (segment, campaign_id, segment_order, slot_share), for joins:
 * `with segments as (${config.segmentsTable()})`.
 */
function segmentsTable() {
  return segments
    .map(
      (s, i) =>
        `select ${sql.str(s.name)} as segment, ${sql.str(s.campaignId)} as campaign_id, ${i + 1} as segment_order, ` +
        `${s.slotShare === null ? sql.cast("null", "FLOAT64") : sql.cast(String(s.slotShare), "FLOAT64")} as slot_share`,
    )
    .join("\n    union all\n    ");
}

module.exports = {
  vars,
  read,
  dialect,
  datasets,
  tables,
  smbMaxRevenue,
  SEGMENT_RULES,
  segments,
  slotSplitConfigured,
  perCampaignSlots,
  pacing,
  capacity,
  contact,
  cooldownDaysFor,
  retention,
  eligibility,
  guards,
  alertRunwayMinDays,
  customVariableColumns,
  asOf,
  isFullTimestamp,
  now,
  managedCampaignList,
  segmentCase,
  campaignOfSegment,
  segmentOfCampaign,
  segmentsTable,
};
