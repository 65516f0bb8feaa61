import { rmSync } from "node:fs";
import path from "node:path";
import { loadSettings, type Settings } from "../config/settings.ts";
import { resetClock, setClock } from "../core/clock.ts";
import { UserError } from "../core/errors.ts";
import { compileProject } from "../dataform/compile.ts";
import { transformLocal } from "../dataform/transform.ts";
import { InstantlyClient } from "../instantly/index.ts";
import { writeReport } from "../report/write.ts";
import { type SandboxOptions, startSandbox } from "../sandbox/server.ts";
import type { AdvanceSummary } from "../sandbox/simulation.ts";
import { runApply } from "../sync/apply/run.ts";
import type { ApplyResult } from "../sync/apply/types.ts";
import { type PullResult, runPull } from "../sync/pull.ts";
import { notifyHook } from "../sync/session.ts";
import { formatApply } from "../sync/summary.ts";
import { DuckDbWarehouse } from "../warehouse/duckdb-warehouse.ts";
import { AS_OF_SENTINEL, pinAsOf } from "./demo-clock.ts";
import { seedWarehouse } from "./seed.ts";

/**
 * `engine demo`: the whole loop, offline, in one process. It seeds a fresh local warehouse with
 * synthetic merchants, starts the Instantly simulator on 127.0.0.1, and then, for each simulated day,
 * does what CI does in production — pull → transform (the Dataform rules on DuckDB) → apply — prints
 * the run's notification as Slack would get it, and moves the simulator's clock one day so leads
 * open, reply, bounce, unsubscribe and finish their sequences. The rules are compiled once and each
 * day's transform pins their "now" to the simulated day (demo-clock.ts), and the engine's clock
 * (core/clock.ts) is set to it too, so every run, changelog row, snapshot and verification is stamped
 * on its simulated day and the reporting views show seven days as seven days. The days lie in the
 * recent past, ending today. At the end it writes the HTML report (engine/src/report/) next to the
 * warehouse file.
 *
 * The demo uses the engine's own functions (runPull, transformLocal, runApply, notifyRun) — the code
 * the CLI commands run — with settings scaled down (cap, adds per run, stale days) so a few thousand
 * leads show drains and refills within a week.
 */

export interface DemoOptions {
  /** Leads in the synthetic pool. */
  leads: number;
  /** Simulated days (one pull → transform → apply each). */
  days: number;
  seed: number;
  /** The demo's own DuckDB file (replaced at start). */
  warehouseFile: string;
  /** Settings overrides on top of the demo's (e.g. from --vars). */
  vars?: Record<string, string>;
  /** Inject transient API faults (429 bursts, 5xx, resets) to show retries. */
  faults?: boolean;
  /**
   * Sending accounts per campaign (`engine demo` passes 3 by default); 0 or absent = no accounts, the
   * simulator's unlimited legacy world.
   */
  mailboxes?: number;
  /** Emails a day each sending account may send (default 30). */
  mailboxDailyLimit?: number;
  /** Where progress and summaries go. */
  write?: (text: string) => void;
  /** The HTML report to write at the end (default: report.html next to the warehouse file). */
  reportFile?: string;
}

export interface DemoDay {
  day: number;
  simDate: string;
  pull: PullResult;
  apply: ApplyResult;
  simulated: AdvanceSummary;
}

export interface DemoResult {
  days: DemoDay[];
  warehouseFile: string;
  settings: Settings;
  totals: Record<string, number>;
  apiCalls: number;
  /** The HTML report the demo wrote. */
  reportFile?: string;
}

/** Demo scale: a few thousand leads, a cap of 400, so the campaign fills in ~3 days and then churns. */
export const demoVars: Record<string, string> = {
  inventory_cap: "400",
  max_adds_per_run: "150",
  overfetch_multiplier: "2",
  stale_days: "10",
  max_drain_fraction: "1",
};

/** Simulation rates a few times livelier than a real campaign, so a week shows every outcome. */
export const demoSimulation: NonNullable<SandboxOptions["simulation"]> = {
  realTime: false,
  sequenceSteps: 3,
  sequenceLengthDays: 4,
  rates: {
    open: 0.3,
    reply: 0.02,
    autoReply: 0.01,
    interested: 0.006,
    meetingBooked: 0.003,
    notInterested: 0.006,
    wrongPerson: 0.003,
    unsubscribe: 0.015,
    bounce: 0.004,
  },
};

const DAY_MS = 86_400_000;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const line = (text = "") => write(`${text}\n`);
  check("leads", options.leads, 100, 2_000_000);
  check("days", options.days, 1, 365);
  const mailboxes = options.mailboxes ?? 0;
  const mailboxDailyLimit = options.mailboxDailyLimit ?? 30;
  check("mailboxes", mailboxes, 0, 100);
  check("mailbox-daily-limit", mailboxDailyLimit, 1, 1000);

  // Without mailboxes the simulator sends without limit, so there is no capacity to pace by: the demo
  // fills to the cap. With mailboxes, sequences run 14 days, so stale_days must outlast them.
  const worldVars: Record<string, string> = mailboxes > 0 ? { stale_days: "30" } : { pacing: "cap" };
  const settings = loadSettings({
    overrides: { ...demoVars, ...worldVars, ...options.vars, dialect: "duckdb" },
  });
  const file = path.resolve(options.warehouseFile);
  for (const suffix of ["", ".wal"]) rmSync(`${file}${suffix}`, { force: true });

  // Simulated days end today: day 1 is `days` days ago.
  const start = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - options.days * DAY_MS + 9 * 3600_000);
  const sandbox = await startSandbox({
    seed: `demo-${options.seed}`,
    // With mailboxes, each campaign sends what its accounts can, a 3-step sequence over 14 days.
    simulation: {
      ...demoSimulation,
      ...(mailboxes > 0 ? { sequenceLengthDays: 14 } : {}),
      startTime: start.toISOString(),
    },
    sending: { accountsPerCampaign: mailboxes, accountDailyLimit: mailboxDailyLimit },
    ...(options.faults
      ? { faults: { rate5xx: 0.02, rate429Burst: 0.02, resetRate: 0.01, partialBulkRate: 0.05 } }
      : {}),
  });
  const warehouse = await DuckDbWarehouse.open(file, settings);
  const result: DemoResult = { days: [], warehouseFile: file, settings, totals: {}, apiCalls: 0 };
  try {
    line(`demo: Instantly simulator on ${sandbox.url} (in this process, offline)`);
    line(
      `demo: cap ${settings.vars.inventory_cap} leads, up to ${settings.vars.max_adds_per_run} adds per run, campaigns ${settings.segments.map((s) => s.name).join(" + ")}`,
    );
    line(
      mailboxes > 0
        ? `demo: ${mailboxes} sending accounts per campaign, ${mailboxDailyLimit} emails a day each`
        : "demo: no sending accounts: the simulator sends without limit",
    );
    const seeded = await seedWarehouse(warehouse.conn, settings, {
      leads: options.leads,
      seed: options.seed,
      asOf: new Date(start.getTime() - DAY_MS),
    });
    line(
      `demo: seeded ${fmt(seeded.leads)} leads and ${fmt(seeded.dnc)} do-not-contact entries into ${file}`,
    );
    line("demo: compiling the Dataform rules for DuckDB (once)…");
    const graph = await compileProject({
      projectDir: settings.projectDir,
      vars: { ...settings.rawVars, dialect: "duckdb", as_of: AS_OF_SENTINEL },
    });

    const client = new InstantlyClient({
      apiKey: sandbox.apiKey,
      baseUrl: sandbox.url,
      verificationPoll: { firstMs: 50, maxMs: 250, totalMs: 10_000 },
    });
    // The CLI's own notify hook, pointed at the console whatever Echo/Slack variables are set:
    // a demo never posts to a real channel.
    const onReport = notifyHook(settings, warehouse, { NOTIFY_TIME_ZONE: "UTC" }, { write });

    for (let day = 1; day <= options.days; day++) {
      const simDate = sandbox.state.nowIso().slice(0, 10);
      setClock(sandbox.state.nowIso());
      line();
      line(`━━ Day ${day} of ${options.days} — ${simDate} ${"━".repeat(40)}`);
      const pull = await runPull({ settings, warehouse, client });
      line(
        `pull       ${fmt(pull.leads)} leads in ${pull.campaigns} campaigns snapshotted (${fmt(pull.apiCalls)} API calls)`,
      );
      // The rules' "now" is the simulated day (as `--vars as_of=<day>` would compile it).
      const t = await transformLocal({
        settings,
        conn: warehouse.conn,
        graph: pinAsOf(graph, sandbox.state.nowIso()),
      });
      if (!t.ok) {
        const failed = t.actions.filter((a) => a.status === "failed").map((a) => `${a.name}: ${a.error}`);
        throw new UserError(`the rules failed on day ${day}: ${failed.join("; ")}`);
      }
      const budget = await one(
        warehouse,
        `select active_inventory, draining, slots, candidates from "${settings.vars.output_dataset}".push_budget`,
      );
      line(
        `transform  ${t.actions.length} rules in ${Math.round(t.ms)} ms → inventory ${budget.active_inventory}, draining ${budget.draining}, slots ${budget.slots}, candidates ${budget.candidates}`,
      );
      line("apply      (the run's notifications, as the team's channel gets them:)");
      const apply = await runApply({ settings, warehouse, client, onReport });
      for (const l of formatApply(apply)) line(`           ${l}`);
      const simulated = sandbox.advance(1);
      line(
        `simulated  next day: ${fmt(simulated.sent)} emails sent, ${simulated.replied} replies, ${simulated.autoReplied} auto-replies, ${simulated.interested + simulated.meetingBooked} interested, ${simulated.bounced} bounces, ${simulated.unsubscribed} unsubscribes (${simulated.blocklisted} to the block list), ${simulated.completed} sequences completed`,
      );
      result.days.push({ day, simDate, pull, apply, simulated });
    }
    result.totals = await totals(warehouse, settings);
    result.apiCalls = sandbox.stats().apiRequests;
    resetClock(); // the report is generated now, not on the last simulated day
    const report = await writeReport({
      settings,
      warehouse,
      graph,
      out: options.reportFile ?? path.join(path.dirname(file), "report.html"),
      source: `DuckDB ${path.relative(process.cwd(), file) || file} · ${options.days} simulated days`,
    });
    result.reportFile = report.file;
    printWhereNext(line, result);
    return result;
  } finally {
    resetClock();
    await warehouse.close();
    await sandbox.close();
  }
}

async function one(warehouse: DuckDbWarehouse, sql: string): Promise<Record<string, unknown>> {
  const rows = (await warehouse.conn.runAndReadAll(sql)).getRowObjectsJS();
  return (rows[0] ?? {}) as Record<string, unknown>;
}

/** Final states across the demo (latest row per action), and the suppression size. */
async function totals(warehouse: DuckDbWarehouse, settings: Settings): Promise<Record<string, number>> {
  const ops = `"${settings.vars.ops_dataset}"`;
  const rows = (
    await warehouse.conn.runAndReadAll(
      `with final as (
         select op, reason, state, row_number() over (partition by action_id order by recorded_at desc) as rn
         from ${ops}.sync_changelog)
       select op || ':' || state as k, count(*)::integer as n from final where rn = 1 group by all
       union all
       select 'drain_reason:' || reason, count(*)::integer from final where rn = 1 and op = 'drain' and state = 'succeeded' group by all
       union all
       select 'runs:' || status, count(*)::integer from (
         select status, row_number() over (partition by run_id order by finished_at desc nulls last) as rn
         from ${ops}.sync_runs where mode = 'apply') where rn = 1 group by all`,
    )
  ).getRowObjectsJS() as Array<{ k: string; n: number }>;
  const out: Record<string, number> = {};
  for (const r of rows) out[r.k] = Number(r.n);
  try {
    const [s] = (
      await warehouse.conn.runAndReadAll(
        `select count(distinct suppressed_value)::integer as n from "${settings.vars.staging_dataset}".int_suppression`,
      )
    ).getRowObjectsJS() as Array<{ n: number }>;
    if (s) out.suppressed = Number(s.n);
  } catch {
    // The suppression table is an implementation detail of the rules; the totals do without it.
  }
  return out;
}

function printWhereNext(line: (text?: string) => void, result: DemoResult): void {
  const t = result.totals;
  const v = result.settings.vars;
  const drains = Object.entries(t)
    .filter(([k]) => k.startsWith("drain_reason:"))
    .map(([k, n]) => `${k.slice("drain_reason:".length)} ${n}`)
    .join(", ");
  line();
  line(`━━ Done: ${result.days.length} simulated days ${"━".repeat(46)}`);
  line(
    `  adds        ${t["add:succeeded"] ?? 0} succeeded, ${t["add:skipped"] ?? 0} skipped, ${(t["add:rejected"] ?? 0) + (t["add:invalid"] ?? 0)} rejected/invalid, ${t["add:failed"] ?? 0} failed`,
  );
  line(`  verify      ${t["verify:succeeded"] ?? 0} verified, ${t["verify:invalid"] ?? 0} invalid`);
  line(`  drains      ${t["drain:succeeded"] ?? 0} (${drains || "none"})`);
  line(`  block list  ${t["block:succeeded"] ?? 0} unsubscribes added`);
  if (t.suppressed !== undefined)
    line(`  suppressed  ${fmt(t.suppressed)} emails/domains never to be contacted`);
  line(
    `  runs        ${Object.entries(t)
      .filter(([k]) => k.startsWith("runs:"))
      .map(([k, n]) => `${n} ${k.slice(5)}`)
      .join(", ")} · ${fmt(result.apiCalls)} API calls to the simulator`,
  );
  line();
  line("Where to look next");
  if (result.reportFile)
    line(`  the report      ${result.reportFile}   (open it in a browser; works offline)`);
  line(
    `  the warehouse   ${result.warehouseFile}   (any DuckDB client; \`engine report\` redraws the report)`,
  );
  line(`  every run       select * from ${v.ops_dataset}.sync_runs order by started_at;`);
  line(
    `  every action    select op, state, reason, count(*) from ${v.ops_dataset}.sync_changelog group by all;`,
  );
  line(`  capacity/day    select * from ${v.reporting_dataset}.rpt_capacity_over_time;`);
  line(`  funnel          select * from ${v.reporting_dataset}.rpt_daily_funnel;`);
  line(
    `  queues          ${v.output_dataset}.push_queue, ${v.output_dataset}.drain_queue, ${v.output_dataset}.push_budget`,
  );
  line(`  status          ENGINE_WAREHOUSE=${result.warehouseFile} node engine/bin/engine.js status`);
  line(
    "  the rules       definitions/ (SQLX) and includes/ (config.js, rules.js) — edit, then run the demo again",
  );
}

function check(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UserError(
      `--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
}

const fmt = (n: number) => n.toLocaleString("en-US");
