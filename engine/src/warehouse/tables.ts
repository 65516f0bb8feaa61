/**
 * The warehouse contract as data: every table the engine creates or writes,
 * defined once and rendered as DuckDB DDL here and as a BigQuery schema by the BigQuery adapter.
 * Types are BigQuery's names; `ddlType` maps them for DuckDB (BigQuery TIMESTAMP is an instant, so
 * DuckDB TIMESTAMPTZ, never the naive TIMESTAMP).
 */

export type ColumnType = "STRING" | "INT64" | "FLOAT64" | "BOOL" | "TIMESTAMP" | "DATE" | "JSON";

export interface Column {
  name: string;
  type: ColumnType;
  /** REQUIRED in BigQuery, NOT NULL in DuckDB. */
  required?: boolean;
  description: string;
}

export interface TableDef {
  /** Which dataset var holds it: raw (user-owned inputs) or ops (engine-written, append-only). */
  dataset: "raw" | "ops";
  /** Table name; for raw tables the name var (`leads_table`, `dnc_table`) may rename it. */
  name: string;
  description: string;
  columns: Column[];
  /** BigQuery partitioning column (DATE of a TIMESTAMP) and clustering, ignored on DuckDB. */
  partitionBy?: string;
  clusterBy?: string[];
}

const col = (name: string, type: ColumnType, description: string, required = false): Column => ({
  name,
  type,
  description,
  required,
});

export const leadsTable: TableDef = {
  dataset: "raw",
  name: "leads",
  description: "Leads the team owns (one row per contact, possibly duplicated and messy).",
  columns: [
    col("email", "STRING", "Contact email as received; normalised in staging.", true),
    col("first_name", "STRING", "Contact first name."),
    col("last_name", "STRING", "Contact last name."),
    col("merchant_name", "STRING", "Company / store name."),
    col("platform_domain", "STRING", "Store domain on the e-commerce platform (e.g. x.myshopify.com)."),
    col("state", "STRING", "State or region."),
    col("country_code", "STRING", "ISO 3166-1 alpha-2 country code."),
    col("estimated_sales_yearly", "FLOAT64", "Estimated yearly revenue in USD; drives the segment."),
    col("employee_count", "INT64", "Employees."),
    col("product_count", "INT64", "Products listed in the store."),
    col("avg_price", "FLOAT64", "Average product price in USD."),
    col("klaviyo_installed_at", "TIMESTAMP", "When Klaviyo was installed (a technology signal)."),
    col("source", "STRING", "Where the lead came from."),
    col("updated_at", "TIMESTAMP", "Last change of this row; the latest wins when an email repeats."),
  ],
};

export const dncTable: TableDef = {
  dataset: "raw",
  name: "dnc_list",
  description: "Do-not-contact entries: single emails or whole domains.",
  columns: [
    col("value", "STRING", "An email address or a domain.", true),
    col("kind", "STRING", "`email` or `domain`.", true),
    col("reason", "STRING", "Why it is on the list."),
    col("source", "STRING", "Who added it (a team, a tool, the engine)."),
    col("added_at", "TIMESTAMP", "When it was added."),
  ],
};

const runColumns = [
  col("run_id", "STRING", "The engine run that wrote the row.", true),
  col("recorded_at", "TIMESTAMP", "When the engine wrote the row.", true),
];

export const instantlyLeadsTable: TableDef = {
  dataset: "ops",
  name: "instantly_leads",
  description: "Snapshot of every lead of the managed campaigns, one row per lead per pull (append-only).",
  partitionBy: "recorded_at",
  clusterBy: ["campaign_id", "run_id"],
  columns: [
    ...runColumns,
    col("lead_id", "STRING", "Instantly lead id.", true),
    col("campaign_id", "STRING", "Campaign the lead belongs to."),
    col("email", "STRING", "Lead email as Instantly holds it."),
    col("status", "INT64", "1 active, 2 paused, 3 completed, -1 bounced, -2 unsubscribed, -3 skipped."),
    col(
      "lt_interest_status",
      "INT64",
      "0 out of office, 1 interested, 2 meeting booked, -1 not interested, -2 wrong person, …",
    ),
    col("email_open_count", "INT64", "Opens."),
    col("email_reply_count", "INT64", "Replies."),
    col("email_click_count", "INT64", "Clicks."),
    col(
      "verification_status",
      "INT64",
      "1 verified, 11/12 pending, -1 invalid, -2 risky, -3 catch-all, -4 job change.",
    ),
    col("timestamp_created", "TIMESTAMP", "When the lead was created in Instantly."),
    col("timestamp_updated", "TIMESTAMP", "Last update in Instantly."),
    col("timestamp_last_contact", "TIMESTAMP", "Last email sent to the lead."),
    col("timestamp_last_reply", "TIMESTAMP", "Last reply from the lead."),
    col("timestamp_last_interest_change", "TIMESTAMP", "Last change of lt_interest_status."),
    col("upload_method", "STRING", "manual, api or website-visitor."),
    col("company_domain", "STRING", "Company domain Instantly derived."),
    col("payload", "JSON", "Custom variables as Instantly returns them."),
  ],
};

export const instantlyCampaignsTable: TableDef = {
  dataset: "ops",
  name: "instantly_campaigns",
  description: "Snapshot of every managed campaign with its analytics, one row per campaign per pull.",
  partitionBy: "recorded_at",
  clusterBy: ["id"],
  columns: [
    ...runColumns,
    col("id", "STRING", "Instantly campaign id.", true),
    col("name", "STRING", "Campaign name."),
    col(
      "status",
      "INT64",
      "0 draft, 1 active, 2 paused, 3 completed, 4 running subsequences, negative = unhealthy.",
    ),
    col("daily_limit", "INT64", "Campaign daily send cap."),
    col("stop_on_reply", "BOOL", "Whether a reply stops the sequence."),
    col("stop_on_auto_reply", "BOOL", "Whether an auto-reply stops the sequence."),
    col("leads_count", "INT64", "Leads in the campaign (analytics)."),
    col("contacted_count", "INT64", "Leads contacted at least once (analytics)."),
    col("emails_sent_count", "INT64", "Emails sent (analytics)."),
    col("bounced_count", "INT64", "Bounces (analytics)."),
    col("reply_count", "INT64", "Replies (analytics)."),
    col("unsubscribed_count", "INT64", "Unsubscribes (analytics)."),
    col("completed_count", "INT64", "Leads that completed the sequence (analytics)."),
  ],
};

/**
 * Sending capacity (pacing): what the mailboxes of each campaign can send. Written by every pull
 * (engine/src/sync/pull-capacity.ts) and read by the pacing rules (int_send_capacity).
 */
export const instantlySendingAccountsTable: TableDef = {
  dataset: "ops",
  name: "instantly_sending_accounts",
  description:
    "Snapshot of every sending account (mailbox) a managed campaign sends from, one row per account per pull: limits and health, no other PII than the sending address.",
  partitionBy: "recorded_at",
  clusterBy: ["email"],
  columns: [
    ...runColumns,
    col("email", "STRING", "The sending address (lower case).", true),
    col("daily_limit", "INT64", "Emails a day the account may send, across all its campaigns."),
    col("status", "INT64", "1 active, 2 paused, -1/-2 soft bounce error, -3 sending error."),
    col(
      "warmup_status",
      "INT64",
      "0 paused, 1 active, -1 banned, -2 spam folder unknown, -3 permanent suspension.",
    ),
    col("setup_pending", "BOOL", "TRUE while the account is not set up to send yet."),
    col("enable_slow_ramp", "BOOL", "TRUE when Instantly raises the account's limit by 2 a day."),
  ],
};

export const instantlyCampaignSendingTable: TableDef = {
  dataset: "ops",
  name: "instantly_campaign_sending",
  description:
    "Snapshot of every campaign's sending set-up, one row per campaign per pull (all campaigns, so a shared account can be split between them): limits, senders, sequence, and for managed campaigns Instantly's sending-status diagnosis.",
  partitionBy: "recorded_at",
  clusterBy: ["campaign_id"],
  columns: [
    ...runColumns,
    col("campaign_id", "STRING", "Instantly campaign id (lower case).", true),
    col("is_managed", "BOOL", "TRUE for the campaigns workflow_settings.yaml manages.", true),
    col("status", "INT64", "Campaign status (1 active)."),
    col("daily_limit", "INT64", "The campaign's daily send cap across all its accounts (NULL = none)."),
    col("daily_max_leads", "INT64", "Most new leads the campaign starts a day (NULL = no limit)."),
    col(
      "step_delays_days",
      "JSON",
      "sequences[0]: per step, the wait in days before the NEXT step, as a JSON array (length = steps).",
    ),
    col("step_count", "INT64", "Emails in the sequence (steps of sequences[0])."),
    col(
      "sequence_days",
      "FLOAT64",
      "Days from a lead's first email to its last: the sum of the delays of every step but the last.",
    ),
    col(
      "sending_status",
      "STRING",
      "Instantly's diagnosis (GET /campaigns/{id}/sending-status), managed only.",
    ),
    col("follow_ups_waiting", "INT64", "Follow-ups waiting to be sent (the diagnosis), managed only."),
  ],
};

export const instantlyCampaignAccountsTable: TableDef = {
  dataset: "ops",
  name: "instantly_campaign_accounts",
  description:
    "Which sending accounts each campaign sends from (the campaign's email_list), one row per campaign x account per pull, for every campaign of the workspace.",
  partitionBy: "recorded_at",
  clusterBy: ["campaign_id"],
  columns: [
    ...runColumns,
    col("campaign_id", "STRING", "Instantly campaign id (lower case).", true),
    col("email", "STRING", "The sending address (lower case).", true),
  ],
};

export const instantlyCampaignDailyTable: TableDef = {
  dataset: "ops",
  name: "instantly_campaign_daily",
  description:
    "Recent daily analytics of each managed campaign, one row per campaign per day per pull (GET /campaigns/analytics/daily).",
  partitionBy: "recorded_at",
  clusterBy: ["campaign_id"],
  columns: [
    ...runColumns,
    col("campaign_id", "STRING", "Instantly campaign id (lower case).", true),
    col("date", "DATE", "The day (campaign time zone, as Instantly reports it).", true),
    col("sent", "INT64", "Emails sent that day."),
    col("contacted", "INT64", "Leads emailed that day."),
    col("new_leads_contacted", "INT64", "Leads that got their first email that day."),
  ],
};

export const instantlyAccountDailyTable: TableDef = {
  dataset: "ops",
  name: "instantly_account_daily",
  description:
    "Recent daily analytics of each sending account of the managed campaigns, one row per account per day per pull (GET /accounts/analytics/daily).",
  partitionBy: "recorded_at",
  clusterBy: ["email"],
  columns: [
    ...runColumns,
    col("email", "STRING", "The sending address (lower case).", true),
    col("date", "DATE", "The day.", true),
    col("sent", "INT64", "Emails the account sent that day (all campaigns)."),
    col("bounced", "INT64", "Bounces that day."),
    col("new_leads_contacted", "INT64", "First emails that day."),
  ],
};

export const syncChangelogTable: TableDef = {
  dataset: "ops",
  name: "sync_changelog",
  description: "One row per lead x operation x state change; the last row per action_id is its state.",
  partitionBy: "recorded_at",
  clusterBy: ["op", "state", "action_id"],
  columns: [
    ...runColumns,
    col("action_id", "STRING", "Deterministic hash of (op, email, campaign_id, pull run_id).", true),
    col("op", "STRING", "add, drain, block or verify.", true),
    col("email", "STRING", "The lead's email (warehouse only; never logged or notified)."),
    col("campaign_id", "STRING", "Target or source campaign."),
    col("lead_id", "STRING", "Instantly lead id when known."),
    col("reason", "STRING", "Why the action was taken (drain reason, segment, …)."),
    col("state", "STRING", "intent, succeeded, rejected, invalid, skipped or failed.", true),
    col("retryable", "BOOL", "Whether a later run may retry a failed action."),
    col("error_code", "STRING", "Machine-readable error class."),
    col("http_status", "INT64", "HTTP status of the call that decided the state."),
    col("message", "STRING", "Short human-readable detail (trimmed, no secrets, no PII)."),
  ],
};

export const syncRunsTable: TableDef = {
  dataset: "ops",
  name: "sync_runs",
  description: "One row per engine run (plan or apply) with its outcome and counts.",
  partitionBy: "started_at",
  clusterBy: ["status"],
  columns: [
    col("run_id", "STRING", "Run id.", true),
    col("mode", "STRING", "pull, plan or apply.", true),
    col("started_at", "TIMESTAMP", "Start of the run.", true),
    col("finished_at", "TIMESTAMP", "End of the run."),
    col("status", "STRING", "succeeded, partial, failed or skipped.", true),
    col("counts", "JSON", "Counts by op, state, reason and campaign."),
    col("error", "STRING", "The fatal error, if any (no secrets, no PII)."),
    col("ci_run_url", "STRING", "Link to the CI run that ran it."),
  ],
};

export const emailVerificationsTable: TableDef = {
  dataset: "ops",
  name: "email_verifications",
  description: "Results of Instantly email verification, one row per check.",
  partitionBy: "verified_at",
  clusterBy: ["result"],
  columns: [
    col("run_id", "STRING", "Run that asked for the check.", true),
    col("email", "STRING", "Checked email.", true),
    col("result", "STRING", "verified, invalid, catch_all or pending.", true),
    col("credits_used", "FLOAT64", "Credits Instantly charged."),
    col("verified_at", "TIMESTAMP", "When the result was received.", true),
  ],
};

export const alertStateTable: TableDef = {
  dataset: "ops",
  name: "alert_events",
  description:
    "Alert transitions (raised / cleared), so an alert fires once when it starts and once when it ends.",
  partitionBy: "recorded_at",
  clusterBy: ["alert"],
  columns: [
    ...runColumns,
    col("alert", "STRING", "Alert key, e.g. capacity_90 or bounce_rate:<campaign>.", true),
    col("state", "STRING", "raised or cleared.", true),
    col("value", "FLOAT64", "The measured value that crossed the threshold."),
    col("message", "STRING", "What was sent."),
  ],
};

export const syncPlansTable: TableDef = {
  dataset: "ops",
  name: "sync_plans",
  description:
    "Every `engine plan` (dry run) without emails or names: counts and the planned action ids, so a plan outlives the CI runner.",
  partitionBy: "recorded_at",
  clusterBy: ["run_id"],
  columns: [
    ...runColumns,
    col("pull_run_id", "STRING", "The pull the action tables were computed from.", true),
    col("only", "STRING", "drain or push when the plan was made with --only."),
    col("action_count", "INT64", "Actions in the plan.", true),
    col("counts", "JSON", "Actions by op, by op:reason and by campaign."),
    col("capacity", "JSON", "Adds allowed in total and per campaign."),
    col("actions", "JSON", "Every action as [action_id, op, campaign_id, reason, rank], in plan order."),
    col("ci_run_url", "STRING", "Link to the CI run that made the plan."),
  ],
};

export const rawTables: TableDef[] = [leadsTable, dncTable];
export const opsTables: TableDef[] = [
  instantlyLeadsTable,
  instantlyCampaignsTable,
  instantlySendingAccountsTable,
  instantlyCampaignSendingTable,
  instantlyCampaignAccountsTable,
  instantlyCampaignDailyTable,
  instantlyAccountDailyTable,
  syncChangelogTable,
  syncRunsTable,
  emailVerificationsTable,
  alertStateTable,
  syncPlansTable,
];

const duckTypes: Record<ColumnType, string> = {
  STRING: "VARCHAR",
  INT64: "BIGINT",
  FLOAT64: "DOUBLE",
  BOOL: "BOOLEAN",
  TIMESTAMP: "TIMESTAMPTZ",
  DATE: "DATE",
  JSON: "JSON",
};

/** The DuckDB type of a contract column. */
export function duckType(type: ColumnType): string {
  return duckTypes[type];
}

/** `CREATE TABLE IF NOT EXISTS` for DuckDB, in the given schema. */
export function duckCreateTable(def: TableDef, schema: string, name = def.name): string {
  const cols = def.columns.map((c) => `  "${c.name}" ${duckType(c.type)}${c.required ? " NOT NULL" : ""}`);
  return `CREATE TABLE IF NOT EXISTS "${schema}"."${name}" (\n${cols.join(",\n")}\n)`;
}
