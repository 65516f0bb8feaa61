/**
 * One-off scale check (a script, not a test): seed N synthetic leads (default 300,000), add a
 * synthetic Instantly pull of 20,000 of them in mixed states plus 5,000 earlier drains, run the whole
 * DuckDB graph with its assertions and unit tests, and print the time per step and peak memory.
 *
 *   npx tsx test/sql/run-at-scale.ts [leads]
 */

import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { runGraph } from "../../engine/src/dataform/runner.ts";
import { seedWarehouse } from "../../engine/src/local/seed.ts";
import { ensureContract, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";

const leads = Number(process.argv[2] ?? 300_000);
const asOf = "2025-06-02T12:00:00Z";
const overrides = { dialect: "duckdb", as_of: asOf };
const settings = loadSettings({ projectDir: repoRoot(), overrides });
const t = () => performance.now();

const wh = await openDuckDb(":memory:");
await ensureContract(wh.conn, settings);
let t0 = t();
await seedWarehouse(wh.conn, settings, { leads, asOf: new Date(asOf) });
console.log(`seeded ${leads} leads in ${Math.round(t() - t0)} ms`);

t0 = t();
const smb = settings.segments[0]?.campaignId;
const mid = settings.segments[1]?.campaignId;
await wh.conn.run(`
  insert into cold_email_ops.instantly_campaigns (run_id, recorded_at, id, name, status, contacted_count, bounced_count, reply_count)
  values ('pull-1', timestamptz '${asOf}' - interval 1 hour, '${smb}', 'SMB', 1, 9000, 120, 300),
         ('pull-1', timestamptz '${asOf}' - interval 1 hour, '${mid}', 'Midsize', 1, 3000, 30, 90)`);
await wh.conn.run(`
  insert into cold_email_ops.instantly_leads
    (run_id, recorded_at, lead_id, campaign_id, email, status, lt_interest_status, email_reply_count, timestamp_created, timestamp_last_reply)
  select
    'pull-1', timestamptz '${asOf}' - interval 1 hour, 'lead-' || n,
    case when estimated_sales_yearly >= 1000000 then '${mid}' else '${smb}' end,
    email,
    case when n % 10 = 0 then 3 when n % 47 = 0 then -1 when n % 97 = 0 then -2 else 1 end,
    case when n % 53 = 0 then 1 when n % 59 = 0 then 0 when n % 61 = 0 then -1 else null end,
    case when n % 13 = 0 then 1 else 0 end,
    timestamptz '${asOf}' - to_days(cast(n % 120 as integer)),
    case when n % 13 = 0 then timestamptz '${asOf}' - interval 2 day else null end
  from (select *, row_number() over (order by email) as n from cold_email_raw.leads) l
  where n % 15 = 0 and n <= 300000`);
await wh.conn.run(`
  insert into cold_email_ops.sync_changelog (run_id, recorded_at, action_id, op, email, campaign_id, reason, state)
  select 'apply-0', timestamptz '${asOf}' - to_days(cast(n % 200 as integer)), md5(email), 'drain', email, '${smb}',
         case when n % 3 = 0 then 'replied' else 'completed' end, 'succeeded'
  from (select *, row_number() over (order by email) as n from cold_email_raw.leads) l
  where n % 15 = 7 and n <= 75000`);
console.log(`synthetic Instantly pull + history in ${Math.round(t() - t0)} ms`);

t0 = t();
const graph = await compiledGraph(overrides);
console.log(`compiled in ${Math.round(t() - t0)} ms`);

t0 = t();
const result = await runGraph(wh.conn, graph, { runTests: true });
const ms = Math.round(t() - t0);
const slowest = [...result.actions].sort((a, b) => b.ms - a.ms).slice(0, 8);
console.log(`graph: ${result.actions.length} actions in ${ms} ms, ok=${result.ok}`, result.counts);
for (const a of slowest) console.log(`  ${a.name.padEnd(60)} ${a.ms} ms`);
const assertions = result.actions.filter((a) => a.type === "assertion");
console.log(
  `assertions: ${assertions.filter((a) => a.status === "ok").length}/${assertions.length} passed`,
  assertions.filter((a) => a.status !== "ok").map((a) => `${a.name}: ${a.error}`),
);
const [budget] = (await wh.conn.runAndReadAll(`select * from cold_email.push_budget`)).getRowObjectsJson();
const drains = (
  await wh.conn.runAndReadAll(
    `select reason, count(*) as n from cold_email.drain_queue group by 1 order by 2 desc`,
  )
).getRowObjectsJson();
const eligibility = (
  await wh.conn.runAndReadAll(`select * from cold_email_reporting.rpt_lead_eligibility order by leads desc`)
).getRowObjectsJson();
console.log("push_budget", budget);
console.log("drain_queue by reason", drains);
console.log("eligibility", eligibility);
console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
wh.close();
if (!result.ok) process.exitCode = 1;
