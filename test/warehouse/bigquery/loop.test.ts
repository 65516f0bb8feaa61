import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSettings, type Settings } from "../../../engine/src/config/settings.ts";
import { now, resetClock, setClock } from "../../../engine/src/core/clock.ts";
import { makeAction } from "../../../engine/src/core/plan.ts";
import type { CompiledGraph } from "../../../engine/src/dataform/graph.ts";
import { transformLocal } from "../../../engine/src/dataform/transform.ts";
import { InstantlyClient } from "../../../engine/src/instantly/index.ts";
import { seedWarehouse } from "../../../engine/src/local/seed.ts";
import { type Sandbox, startSandbox } from "../../../engine/src/sandbox/server.ts";
import { runApply } from "../../../engine/src/sync/apply/run.ts";
import { WarehouseJournal } from "../../../engine/src/sync/journal.ts";
import { runPull } from "../../../engine/src/sync/pull.ts";
import { writeRunRow } from "../../../engine/src/sync/run-record.ts";
import { BigQueryWarehouse } from "../../../engine/src/warehouse/bigquery-warehouse.ts";
import { actionId } from "../../setup/action-id.ts";
import { FakeBigQueryRest } from "./fake-bigquery-rest.ts";
import { FakeStorageWrite } from "./fake-storage-write.ts";

/**
 * The engine loop (pull → transform → apply → pull → plan) run UNCHANGED against the BigQuery adapter:
 * `runPull` / `runApply` get a `BigQueryWarehouse` whose REST calls go to the DuckDB-backed stub and
 * whose appends go through the real Storage Write client to the in-process fake, exactly as in
 * production. The settings keep `dialect: bigquery` (the loop never looks at it); only the transform,
 * which `dataform run` does on BigQuery, runs locally inside the stub's DuckDB with the same graph
 * compiled for DuckDB. Tests run in order on one shared world.
 */

// No GCE metadata server here: skip google-auth's probe (and its MetadataLookupWarning noise).
process.env.METADATA_SERVER_DETECTION = "none";

const PROJECT = "loop-test-project";

/**
 * The clock is pinned so the outcome never depends on today's date: the sandbox's world starts at
 * START, the synthetic leads are dated the day before, and after `advance(DAYS)` the engine's clock
 * (run stamps) and the rules' `as_of` read START + DAYS.
 */
const START = "2026-03-02T09:00:00.000Z";
const DAYS = 20;
const AFTER = new Date(Date.parse(START) + DAYS * 86_400_000 + 3_600_000).toISOString();

let rest: FakeBigQueryRest;
let write: FakeStorageWrite;
let sandbox: Sandbox;
let settings: Settings;
let warehouse: BigQueryWarehouse;
let graph: CompiledGraph | undefined;

const client = () =>
  new InstantlyClient({
    apiKey: sandbox.apiKey,
    baseUrl: sandbox.url,
    timeoutMs: 5000,
    backoff: { baseMs: 2, maxMs: 10 },
    verificationPoll: { firstMs: 5, maxMs: 10, totalMs: 200 },
    rateLimit: { perSecond: 100, perMinute: 6000 },
  });

/** What `dataform run` does in production: build staging/output/reporting, here in the stub's DuckDB. */
async function transform(): Promise<void> {
  const result = await transformLocal({ settings, conn: rest.duck.conn, ...(graph ? { graph } : {}) });
  graph = result.graph;
  if (!result.ok) {
    const failed = result.actions.filter((a) => a.status === "failed").map((a) => `${a.name}: ${a.error}`);
    throw new Error(`transform failed: ${failed.join("; ")}`);
  }
}

/** Test assertions only: SQL straight on the stub's DuckDB (what a BigQuery console would show). */
async function sql(text: string): Promise<Record<string, unknown>[]> {
  return (await rest.duck.conn.runAndReadAll(text)).getRowObjectsJS() as Record<string, unknown>[];
}

const ops = () => settings.vars.ops_dataset;
const output = () => settings.vars.output_dataset;
const staging = () => settings.vars.staging_dataset;

/** Requests that change Instantly (adds, deletes, block list, verifications). */
const writeRoutes = () =>
  Object.entries(sandbox.stats().byRoute)
    .filter(([k]) =>
      /^(POST \/leads\/add|DELETE \/leads|POST \/block-lists|POST \/email-verification)/.test(k),
    )
    .reduce((n, [, v]) => n + v, 0);
const managedLeads = () => settings.managedCampaignIds.flatMap((id) => sandbox.state.leadsInCampaign(id));

/** Storage Write appends per destination table name since `from`. */
const appendsByTable = (from: number) => {
  const out: Record<string, number> = {};
  for (const a of write.appends.slice(from)) {
    const table = a.stream.match(/\/tables\/([^/]+)\//)?.[1] ?? "?";
    out[table] = (out[table] ?? 0) + (a.outcome === "ok" ? a.rows : 0);
  }
  return out;
};

beforeAll(async () => {
  rest = new FakeBigQueryRest();
  write = new FakeStorageWrite();
  await Promise.all([rest.start(), write.start()]);
  // what the Storage Write fake commits becomes queryable through the REST stub, as in BigQuery
  write.onVisible = (table, rows) => rest.insertStorageRows(table, rows);
  sandbox = await startSandbox({
    rateLimit: false,
    seed: "bigquery-loop",
    verification: { pendingRate: 0, invalidRate: 0.1, catchAllRate: 0 },
    simulation: { realTime: false, startTime: START },
    syntheticLeadsPerCampaign: 30,
  });
  // The engine's clock is pinned before the vars are read: `as_of` is checked against it.
  setClock(AFTER);
  // The production settings (dialect bigquery), with a small cap so a run is quick.
  settings = loadSettings({
    overrides: {
      inventory_cap: "120",
      max_adds_per_run: "40",
      max_drain_fraction: "1",
      as_of: AFTER,
      pacing: "cap", // the sandbox has no mailboxes: it sends without limit
    },
  });
  warehouse = new BigQueryWarehouse(settings, {
    projectId: PROJECT,
    bigquery: { apiEndpoint: rest.endpoint },
    storage: write.clientOptions(),
  });
  // The adapter creates the datasets and the engine's tables (REST), then the raw leads are loaded
  // into the stub's DuckDB (in production they are the user's own BigQuery tables). This order matters
  // for the stub only: a table it did not create through tables.insert has no schema metadata.
  await warehouse.ensureContract();
  await seedWarehouse(rest.duck.conn, settings, {
    leads: 400,
    seed: 7,
    asOf: new Date(Date.parse(START) - 86_400_000),
  });
});

afterAll(async () => {
  resetClock();
  await warehouse?.close();
  await sandbox?.close();
  await Promise.all([rest?.stop(), write?.stop()]);
});

describe("the engine loop on the BigQuery adapter (REST stub + fake Storage Write + sandbox)", () => {
  let firstPull: string;

  test("pull appends the snapshot through Storage Write; the rows are queryable through REST", async () => {
    expect(settings.vars.dialect).toBe("bigquery");
    sandbox.advance(DAYS); // sequences complete: there will be drains
    const before = write.appends.length;
    const r = await runPull({ settings, warehouse, client: client(), batchRows: 25 });
    firstPull = r.runId;
    expect(r.campaigns).toBe(2);
    expect(r.leads).toBe(60);
    const appended = appendsByTable(before);
    expect(appended).toMatchObject({ instantly_campaigns: 2, instantly_leads: 60, sync_runs: 1 });
    // one append per campaign (a page of 30 ≥ batchRows 25 is flushed whole), on the default stream
    const leadAppends = write.appends.slice(before).filter((a) => a.stream.includes("/instantly_leads/"));
    expect(leadAppends.map((a) => a.rows)).toEqual([30, 30]);
    expect(leadAppends.every((a) => a.stream.endsWith("/_default") && a.outcome === "ok")).toBe(true);

    const leads = await sql(
      `select campaign_id, count(distinct lead_id)::int as n from "${ops()}".instantly_leads
       where run_id = '${r.runId}' group by 1 order by 1`,
    );
    expect(leads.map((x) => x.n)).toEqual([30, 30]);
    // and the adapter reads them back through the REST API
    const runs: Record<string, unknown>[] = [];
    for await (const b of warehouse.read(
      { dataset: "ops", name: "sync_runs" },
      { where: { run_id: r.runId } },
    ))
      runs.push(...b);
    expect(runs.map((x) => [x.mode, x.status])).toEqual([["pull", "succeeded"]]);
    expect(runs[0]?.started_at).toBeInstanceOf(Date);
  });

  test("apply refuses before the transform has built the action tables", async () => {
    await expect(runApply({ settings, warehouse, client: client() })).rejects.toThrow(
      /push_budget does not exist yet/,
    );
  });

  test("apply adds leads to Instantly and writes changelog + sync_runs through Storage Write", async () => {
    await transform();
    const [budget] = await sql(`select pull_run_id, slots from "${output()}".push_budget`);
    expect(budget?.pull_run_id).toBe(firstPull);
    const queued = await sql(`select count(*)::int as n from "${output()}".drain_queue`);
    expect(queued[0]?.n).toBeGreaterThan(0);

    const before = write.appends.length;
    const queriesBefore = rest.queries.length;
    const inCampaigns = managedLeads().length;
    const done = await runApply({ settings, warehouse, client: client(), mode: "apply" });
    expect(done.error).toBeUndefined();
    expect(done.status).toBe("succeeded");
    expect(done.exitCode).toBe(0);

    // The action tables were read through the REST API, as on BigQuery.
    const reads = rest.queries.slice(queriesBefore).join("\n");
    for (const t of ["push_budget", "drain_queue", "push_queue"])
      expect(reads).toContain(`\`${PROJECT}.${output()}.${t}\``);

    // Instantly got the drains and the adds.
    expect(done.report.drain.deleted).toBe(queued[0]?.n);
    expect(done.report.adds.added).toBeGreaterThan(0);
    expect(done.report.adds.added).toBeLessThanOrEqual(40);
    expect(managedLeads().length).toBe(inCampaigns - done.report.drain.deleted + done.report.adds.added);
    expect(managedLeads().length).toBeLessThanOrEqual(settings.vars.inventory_cap);
    expect(sandbox.stats().byRoute["POST /leads/add 200"] ?? 0).toBeGreaterThan(0);

    // Everything it wrote went through Storage Write, and is visible in the warehouse.
    const appended = appendsByTable(before);
    expect(appended.sync_changelog).toBeGreaterThan(0);
    expect(appended.sync_runs).toBe(2); // start row + final row
    expect(write.appends.slice(before).every((a) => a.outcome === "ok")).toBe(true);
    const changelog = await sql(
      `select action_id, op, state, lead_id from "${ops()}".sync_changelog where run_id = '${done.runId}'`,
    );
    expect(changelog.length).toBe(appended.sync_changelog);
    const intents = changelog.filter((r) => r.state === "intent");
    const finals = new Map(changelog.filter((r) => r.state !== "intent").map((r) => [r.action_id, r]));
    expect(intents.length).toBeGreaterThan(0);
    for (const i of intents) expect(finals.has(i.action_id)).toBe(true); // every action has a final state
    const addedIds = [...finals.values()].filter((r) => r.op === "add" && r.state === "succeeded");
    expect(addedIds.length).toBe(done.report.adds.added);
    const present = new Set(managedLeads().map((l) => l.id));
    for (const a of addedIds) expect(present.has(String(a.lead_id))).toBe(true);

    const runs = await sql(
      `select status, finished_at from "${ops()}".sync_runs where run_id = '${done.runId}'
       order by finished_at nulls first`,
    );
    expect(runs.map((r) => r.status)).toEqual(["failed", "succeeded"]); // start row, then the final row
    expect(runs[1]?.finished_at).not.toBeNull();
  });

  test("a second pull reconciles unresolved intents; a plan on fresh tables makes no Instantly writes", async () => {
    // A crashed apply (start row + intents, no finals) — written through the adapter like apply would.
    const crashed = "apply-crashed-run";
    await writeRunRow(warehouse, {
      runId: crashed,
      mode: "apply",
      startedAt: now(),
      finishedAt: null,
      status: "failed",
      error: "test",
    });
    // The first apply added the best-ranked leads, whichever segment they fall in: take a landed lead
    // from a campaign that holds one, and the other campaign for the add that never landed.
    const withLead = settings.managedCampaignIds.find((id) =>
      sandbox.state.leadsInCampaign(id).some((l) => l.email),
    );
    if (!withLead) throw new Error("no managed campaign holds a lead with an email after the first apply");
    const other = settings.managedCampaignIds.find((id) => id !== withLead) as string;
    const lead = sandbox.state.leadsInCampaign(withLead).find((l) => l.email);
    if (!lead?.email) throw new Error("unreachable: the campaign was chosen for holding a lead");
    const mk = (op: "add" | "drain", email: string, campaign: string, leadId: string | null = null) =>
      makeAction({
        action_id: actionId(op, email, campaign, "pull-old"),
        op,
        email,
        campaign_id: campaign,
        lead_id: leadId,
      });
    const open = [
      mk("add", lead.email, withLead), // landed: the lead is in the campaign
      mk("add", "nobody-here@example.org", other), // never landed
      mk("drain", "gone@example.org", other, "00000000-0000-7000-8000-000000000000"), // lead gone
    ];
    await new WarehouseJournal(warehouse, crashed).intents(open);
    await transform(); // stg_sync_actions now lists the three as unresolved: pull reads them over REST

    const r = await runPull({ settings, warehouse, client: client() });
    expect(r.leads).toBe(managedLeads().length);
    expect(r.reconciled).toEqual({ add: { succeeded: 1, failed: 1 }, drain: { succeeded: 1 } });
    const states = await sql(
      `select action_id, state from "${ops()}".sync_changelog where run_id = '${r.runId}'`,
    );
    const byId = new Map(states.map((s) => [s.action_id, s.state]));
    expect(open.map((a) => byId.get(a.action_id))).toEqual(["succeeded", "failed", "succeeded"]);

    await transform();
    const unresolved = await sql(
      `select count(*)::int as n from "${staging()}".stg_sync_actions where is_unresolved`,
    );
    expect(unresolved[0]?.n).toBe(0);
    const [budget] = await sql(`select pull_run_id from "${output()}".push_budget`);
    expect(budget?.pull_run_id).toBe(r.runId);

    const writesBefore = writeRoutes();
    const statsBefore = sandbox.stats().writes;
    const appendsBefore = write.appends.length;
    const planned = await runApply({ settings, warehouse, client: client(), mode: "plan" });
    expect(planned.status).toBe("succeeded");
    expect(writeRoutes()).toBe(writesBefore);
    expect(sandbox.stats().writes).toBe(statsBefore);
    // its only warehouse write is its own sync_runs row: no changelog
    expect(appendsByTable(appendsBefore)).toEqual({ sync_runs: 1 });
    const planRuns = await sql(
      `select mode, status from "${ops()}".sync_runs where run_id = '${planned.runId}'`,
    );
    expect(planRuns).toEqual([{ mode: "plan", status: "succeeded" }]);
    // Nothing the first apply added is planned again: the new snapshot has them in the campaigns.
    const inCampaigns = new Set(managedLeads().map((l) => `${l.campaign}|${l.email}`.toLowerCase()));
    const adds = planned.plan?.actions.filter((a) => a.op === "add") ?? [];
    expect(adds.length).toBeGreaterThan(0);
    for (const a of adds) expect(inCampaigns.has(`${a.campaign_id}|${a.email}`.toLowerCase())).toBe(false);
  });
});
