/**
 * Every `engine` command and its one-line help, in the order `engine --help` lists them. A leaf: the
 * top-level help renders from this list alone, so it never loads a command's module (DuckDB, Dataform,
 * zod); each command file takes its own meta from here (`commandMeta`), so the text has one home.
 */
export const COMMAND_DESCRIPTIONS = {
  compile:
    "Compile the Dataform project (definitions/, includes/) offline and summarise the graph; --json prints the compiled graph, --dot the dependency graph for Graphviz.",
  transform:
    "Run the Dataform rules on the local DuckDB warehouse (compile with dialect=duckdb, then views, tables, incrementals, assertions).",
  seed: "Replace the local warehouse's raw leads and dnc_list with realistic synthetic data (deterministic from --seed).",
  load: "Load your own leads or DNC list (CSV or Parquet) into the local warehouse; columns are checked first, a bad file changes nothing.",
  sandbox:
    'Run a local Instantly API V2 simulator on 127.0.0.1 (campaigns from workflow_settings.yaml, rate limits, faults, a simulated clock). Admin routes: POST /__sandbox/advance {"days":n}, GET /__sandbox/stats, POST /__sandbox/faults, POST /__sandbox/reset.',
  demo: "Run the whole pipeline offline: seed a local warehouse, start the Instantly simulator, and run pull → transform → apply over several simulated days.",
  pull: "Snapshot the managed Instantly campaigns (with analytics) and all their leads into the warehouse, then reconcile unfinished actions of earlier runs.",
  plan: "Show exactly what apply would do (nothing is sent to Instantly) and save it as a plan file for `apply --plan`. Same as `engine apply --dry-run`.",
  apply:
    "Execute the action tables against Instantly: drain, block-list unsubscribes, verify, push; write every outcome back. --dry-run plans instead (writes nothing to Instantly). Exit 0 succeeded, 1 partial, 2 bad input (nothing done), 3 failed, 4 another run holds the lock, 130 interrupted.",
  run: "Local convenience: pull → transform (DuckDB) → apply, with progress per phase and a summary. --dry-run plans instead of applying (nothing is written to Instantly).",
  status:
    "Where the pipeline stands (from the warehouse only, read-only: it reads even while a run is in progress, and says so): what needs attention first (rpt_attention: open alerts, failed or unfinished runs, blocked campaigns, orphans, hand-offs, the pool's runway), inventory per campaign now (the latest pull plus adds and drains confirmed since), campaign status, pacing per campaign (int_send_capacity: healthy mailboxes, sends and new starts a day, backlog days, why no adds), last runs, open alerts, suppression size.",
  runs: "Run history, newest first: status, duration, adds, drains, failures by error class, CI link. `engine show RUN_ID` breaks one run down.",
  show: "One run in detail: outcomes by op / reason / campaign / error class, unresolved actions, and a sample of failed rows without PII. Run ids come from `engine runs`.",
  handoffs:
    "Leads handed off to sales (replied, interested, meeting booked), newest first, with their campaign and own fields. Prints emails and names: keep the output private.",
  explain:
    "One lead's story from the warehouse: its state, each eligibility rule passed or failed with the data behind it, suppression, cooldowns, every Instantly sequence and every engine action. Printed here only.",
  report:
    "Write a self-contained HTML report (daily funnel, capacity, campaign health, runs, verification, eligibility, suppression, lineage) from the rpt_* views. Opens offline.",
  "looker-url":
    "Print Looker Studio Linking API URLs that open a report on the rpt_* views of your BigQuery project (one per view, or one for a template report with --template).",
} as const;

export type CommandName = keyof typeof COMMAND_DESCRIPTIONS;

/** A command's citty meta: its name and its description from the list above. */
export function commandMeta(name: CommandName): { name: string; description: string } {
  return { name, description: COMMAND_DESCRIPTIONS[name] };
}
