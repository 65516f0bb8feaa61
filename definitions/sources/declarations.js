/**
 * Declarations for every table the graph reads but does not build: the user-owned inputs (schema var
 * `raw_dataset`, names `leads_table` / `dnc_table`) and the engine-written ops tables (schema var
 * `ops_dataset`). Their columns are the warehouse contract in engine/src/warehouse/tables.ts.
 * Reference them by name: `${ref(config.tables.leads)}`, `${ref("instantly_leads")}`.
 */

const inputs = [
  {
    name: config.tables.leads,
    description:
      "Leads the team owns (one row per contact, possibly duplicated and messy); extra columns become custom variables.",
  },
  { name: config.tables.dnc, description: "Do-not-contact entries: single emails or whole domains." },
];

const opsTables = [
  {
    name: "instantly_leads",
    description: "Snapshot of every lead of the managed campaigns, one row per lead per pull (append-only).",
  },
  {
    name: "instantly_campaigns",
    description: "Snapshot of every managed campaign with its analytics, one row per campaign per pull.",
  },
  {
    name: "instantly_sending_accounts",
    description: "Snapshot of every sending account of the managed campaigns, one row per account per pull.",
  },
  {
    name: "instantly_campaign_sending",
    description: "Snapshot of every campaign's limits, senders and sequence, one row per campaign per pull.",
  },
  {
    name: "instantly_campaign_accounts",
    description: "Which sending accounts each campaign sends from, one row per campaign x account per pull.",
  },
  {
    name: "instantly_campaign_daily",
    description: "Recent daily analytics of each managed campaign, one row per campaign per day per pull.",
  },
  {
    name: "instantly_account_daily",
    description: "Recent daily analytics of each sending account, one row per account per day per pull.",
  },
  {
    name: "sync_changelog",
    description: "One row per lead x operation x state change; the last row per action_id is its state.",
  },
  {
    name: "sync_runs",
    description: "One row per engine run (pull, plan or apply) with its outcome and counts.",
  },
  { name: "email_verifications", description: "Results of Instantly email verification, one row per check." },
  { name: "alert_events", description: "Alert transitions (raised / cleared)." },
];

for (const t of inputs) declare({ schema: config.datasets.raw, name: t.name, description: t.description });
for (const t of opsTables) declare({ schema: config.datasets.ops, name: t.name, description: t.description });
