/**
 * `npm run bench -- pacing`: the same pool, mailboxes and seed, one run a day for DAYS simulated days,
 * under `pacing: cap` (production's 24,000 cap scaled to the pool) and `pacing: capacity`, side by side.
 * Each policy runs the real loop (engine demo: pull → transform → apply, the sandbox sending what its
 * mailboxes can, follow-ups first) into its own warehouse; the figures are read back from it.
 *
 *   PACING_DAYS=150 PACING_LEADS=12000 PACING_MAILBOXES=1 PACING_MAILBOX_LIMIT=30 npm run bench -- pacing
 *   PACING_ONLY=cap npm run bench -- pacing      (one policy; run the other in a second shell)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { runDemo } from "../src/local/demo.ts";

const DAYS = Number(process.env.PACING_DAYS ?? 150);
const LEADS = Number(process.env.PACING_LEADS ?? 12_000);
const MAILBOXES = Number(process.env.PACING_MAILBOXES ?? 1);
const MAILBOX_LIMIT = Number(process.env.PACING_MAILBOX_LIMIT ?? 30);
const SEED = Number(process.env.PACING_SEED ?? 1);
/** Production's cap (24,000 for a 120,000-lead pool) scaled to this pool. */
const CAP = Math.round(LEADS * 0.2);

/** Production defaults for everything the demo scales down. */
const production = {
  inventory_cap: String(CAP),
  max_adds_per_run: "100",
  overfetch_multiplier: "3.5",
  stale_days: "90",
  max_drain_fraction: "1",
};

interface Figures {
  emails_sent: number;
  leads_added: number;
  drained_unfinished: number;
  mean_days_to_first_email: number;
  p90_days_to_first_email: number;
  still_waiting: number;
  /** Credits ÷ leads contacted (each lead added and emailed; a lead re-added after its cooldown is contacted again). */
  credits_per_contacted_lead: number;
  /** Credits ÷ distinct people contacted (a person contacted in two sequences counts once). */
  credits_per_contacted_person: number;
  peak_leads_held: number;
  replies: number;
  interested: number;
  wall_s: number;
}

async function runPolicy(pacing: "cap" | "capacity"): Promise<Figures> {
  const dir = mkdtempSync(path.join(tmpdir(), `pacing-${pacing}-`));
  const file = path.join(dir, "warehouse.duckdb");
  const started = performance.now();
  let day = 0;
  const result = await runDemo({
    leads: LEADS,
    days: DAYS,
    seed: SEED,
    warehouseFile: file,
    mailboxes: MAILBOXES,
    mailboxDailyLimit: MAILBOX_LIMIT,
    vars: { ...production, pacing },
    reportFile: path.join(dir, "report.html"),
    write: (text) => {
      if (text.startsWith("━━ Day ")) {
        day++;
        if (day % 10 === 0) process.stderr.write(`  ${pacing}: day ${day}/${DAYS}\n`);
      }
    },
  });
  const wall_s = (performance.now() - started) / 1000;
  const sum = (f: (d: (typeof result.days)[number]) => number) => result.days.reduce((n, d) => n + f(d), 0);

  const db = await DuckDBInstance.create(file);
  const conn = await db.connect();
  const one = async (sql: string) =>
    (await conn.runAndReadAll(sql)).getRowObjectsJS()[0] as Record<string, number | null>;
  const ops = result.settings.vars.ops_dataset;
  const staging = result.settings.vars.staging_dataset;
  try {
    const waits = await one(
      `select avg(d) as mean, quantile_cont(d, 0.9) as p90
       from (select date_diff('second', timestamp_created, first_contact_at) / 86400.0 as d
             from "${staging}".stg_instantly_lead_state where first_contact_at is not null)`,
    );
    const waiting = await one(
      `select count(*) as n from "${staging}".stg_instantly_leads
       where is_in_latest_pull and status = 1 and first_contact_at is null`,
    );
    const drained = await one(
      `with last as (select *, row_number() over (partition by action_id order by recorded_at desc) as rn
                     from "${ops}".sync_changelog where op = 'drain')
       select count(*) as n from last where rn = 1 and state = 'succeeded' and reason in ('stale', 'stuck')`,
    );
    const credits = await one(`select coalesce(sum(credits_used), 0) as n from "${ops}".email_verifications`);
    // An Instantly lead is one add: a person re-added after the cooldown is a new lead (a new lead_id),
    // whose verification is older than verification_max_age_days by then, so it buys a new credit.
    const contacted = await one(
      `select count(distinct lead_id) as n, count(distinct email) as people
       from "${staging}".stg_instantly_lead_state where first_contact_at is not null`,
    );
    return {
      emails_sent: sum((d) => d.simulated.sent),
      leads_added: result.totals["add:succeeded"] ?? 0,
      drained_unfinished: Number(drained.n),
      mean_days_to_first_email: Number(waits.mean ?? 0),
      p90_days_to_first_email: Number(waits.p90 ?? 0),
      still_waiting: Number(waiting.n),
      credits_per_contacted_lead: Number(credits.n) / Math.max(1, Number(contacted.n)),
      credits_per_contacted_person: Number(credits.n) / Math.max(1, Number(contacted.people)),
      peak_leads_held: Math.max(...result.days.map((d) => d.pull.leads)),
      replies: sum((d) => d.simulated.replied),
      interested: sum((d) => d.simulated.interested + d.simulated.meetingBooked),
      wall_s,
    };
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

const label = `${LEADS} leads, ${DAYS} days, ${MAILBOXES}x${MAILBOX_LIMIT}/day per campaign`;
/** PACING_ONLY=cap|capacity runs one policy (two processes can then run side by side). */
const only = process.env.PACING_ONLY;
if (only === "cap" || only === "capacity") {
  const f = await runPolicy(only);
  console.log(`BENCH ${JSON.stringify({ bench: "pacing", case: `${only}: ${label}`, metrics: f })}`);
  process.exit(0);
}
const cap = await runPolicy("cap");
const capacity = await runPolicy("capacity");
for (const [name, f] of [
  ["cap", cap],
  ["capacity", capacity],
] as const) {
  console.log(`BENCH ${JSON.stringify({ bench: "pacing", case: `${name}: ${label}`, metrics: f })}`);
}
console.log(
  `BENCH ${JSON.stringify({
    bench: "pacing",
    case: "capacity vs cap",
    metrics: {
      emails_sent_ratio: capacity.emails_sent / Math.max(1, cap.emails_sent),
      peak_held_ratio: capacity.peak_leads_held / Math.max(1, cap.peak_leads_held),
    },
  })}`,
);
