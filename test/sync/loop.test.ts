import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { UserError } from "../../engine/src/core/errors.ts";
import { makeAction } from "../../engine/src/core/plan.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import type { ApplyOptions } from "../../engine/src/sync/apply/types.ts";
import { WarehouseJournal } from "../../engine/src/sync/journal.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { writeRunRow } from "../../engine/src/sync/run-record.ts";
import { gatherStatus } from "../../engine/src/sync/status.ts";
import { actionId } from "../setup/action-id.ts";
import { makeWorld, query, type World } from "./harness.ts";

/**
 * The loop on DuckDB + the sandbox, in one process: pull, transform, plan, apply, reconcile, guards.
 * The tests share one world and run in order (each builds on the state the previous one left).
 */
let world: World;
const writeRoutes = (w: World) =>
  Object.entries(w.sandbox.stats().byRoute)
    .filter(([k]) =>
      /^(POST \/leads\/add|DELETE \/leads|POST \/block-lists|POST \/email-verification)/.test(k),
    )
    .reduce((n, [, v]) => n + v, 0);
const managedLeads = (w: World) =>
  w.settings.managedCampaignIds.reduce((n, id) => n + w.sandbox.state.leadsInCampaign(id).length, 0);

beforeAll(async () => {
  world = await makeWorld({
    leads: 2000,
    // bounce_block_pct 10: the simulated sequences bounce about 3 % on 30 leads, which must not block a
    // campaign by chance here; the guard test below drives a 50 % bounce rate.
    vars: { max_drain_fraction: "1", bounce_block_pct: "10" },
    sandbox: { syntheticLeadsPerCampaign: 30 },
  });
});
afterAll(async () => world?.close());

const apply = (extra: Partial<ApplyOptions> = {}) =>
  runApply({ settings: world.settings, warehouse: world.warehouse, client: world.client(), ...extra });
const pull = () =>
  runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client(), batchRows: 25 });

describe("the loop on DuckDB + sandbox", () => {
  test("apply refuses before any pull and transform", async () => {
    await expect(apply()).rejects.toThrow(/push_budget does not exist yet/);
  });

  test("pull snapshots every lead of the managed campaigns, in batches, and records the pull", async () => {
    world.sandbox.advance(20); // sequences complete: there will be drains
    const r = await pull();
    expect(r.campaigns).toBe(2);
    expect(r.leads).toBe(60);
    const rows = await query(
      world,
      `select campaign_id, count(*)::int as n, count(distinct lead_id)::int as ids
       from cold_email_ops.instantly_leads where run_id = '${r.runId}' group by 1 order by 1`,
    );
    expect(rows.map((x) => x.n)).toEqual([30, 30]);
    expect(rows.map((x) => x.ids)).toEqual([30, 30]);
    const campaigns = await query(
      world,
      `select id, status from cold_email_ops.instantly_campaigns where run_id = '${r.runId}'`,
    );
    expect(campaigns.map((c) => c.id).sort()).toEqual([...world.settings.managedCampaignIds].sort());
    const runs = await query(
      world,
      `select mode, status from cold_email_ops.sync_runs where run_id = '${r.runId}'`,
    );
    expect(runs).toEqual([{ mode: "pull", status: "succeeded" }]);
  });

  test("apply refuses action tables computed from an older pull", async () => {
    await world.transform();
    await pull();
    await expect(apply()).rejects.toThrow(/action tables are stale/);
    await world.transform();
  });

  test("the SQL's action ids are the engine's formula", async () => {
    const [budget] = await query(world, "select pull_run_id from cold_email.push_budget");
    const pullId = String(budget?.pull_run_id);
    const drains = await query(world, "select action_id, email, campaign_id from cold_email.drain_queue");
    const adds = await query(world, "select action_id, email, campaign_id from cold_email.push_queue");
    expect(drains.length).toBeGreaterThan(0);
    expect(adds.length).toBeGreaterThan(0);
    for (const d of drains)
      expect(actionId("drain", String(d.email), String(d.campaign_id), pullId)).toBe(d.action_id);
    for (const a of adds)
      expect(actionId("add", String(a.email), String(a.campaign_id), pullId)).toBe(a.action_id);
    // Block and verify ids come from the SQL too (block_queue, push_queue.verify_action_id).
    const verifies = await query(
      world,
      "select verify_action_id, email, campaign_id from cold_email.push_queue",
    );
    for (const v of verifies)
      expect(actionId("verify", String(v.email), String(v.campaign_id), pullId)).toBe(v.verify_action_id);
    const blocks = await query(world, "select action_id, email, campaign_id from cold_email.block_queue");
    const blockedDrains = await query(
      world,
      "select count(*)::int as n from cold_email.drain_queue where block",
    );
    expect(blocks.length).toBe(blockedDrains[0]?.n);
    for (const b of blocks)
      expect(actionId("block", String(b.email), String(b.campaign_id), pullId)).toBe(b.action_id);
  });

  test("plan sends nothing to Instantly; apply --plan does exactly the plan", async () => {
    const before = world.sandbox.stats().writes;
    const writesBefore = writeRoutes(world);
    const planned = await apply({ mode: "plan" });
    expect(planned.status).toBe("succeeded");
    expect(world.sandbox.stats().writes).toBe(before);
    expect(writeRoutes(world)).toBe(writesBefore);
    const plan = planned.plan!;
    const changelog = await query(
      world,
      `select count(*)::int as n from cold_email_ops.sync_changelog where run_id = '${planned.runId}'`,
    );
    expect(changelog[0]?.n).toBe(0);
    const ops = (op: string) => plan.actions.filter((a) => a.op === op);
    const queued = await query(world, "select count(*)::int as n from cold_email.drain_queue");
    expect(ops("drain").length).toBe(queued[0]?.n);
    expect(ops("drain").length).toBeGreaterThan(50);
    expect(ops("add").length).toBe(40); // max_adds_per_run
    expect(ops("verify").length).toBeGreaterThan(0);
    expect(JSON.stringify(planned.counts)).not.toMatch(/@/);

    const done = await apply({ plan });
    expect(["succeeded", "partial"]).toContain(done.status);
    const rows = await query(
      world,
      `select action_id, op, state from cold_email_ops.sync_changelog where run_id = '${done.runId}'`,
    );
    const planned_ids = new Set(plan.actions.map((a) => a.action_id));
    for (const r of rows) expect(planned_ids.has(String(r.action_id))).toBe(true);
    const finals = new Map(
      rows.filter((r) => r.state !== "intent").map((r) => [String(r.action_id), String(r.state)]),
    );
    for (const a of [...ops("drain"), ...ops("block"), ...ops("verify")])
      expect(finals.has(a.action_id)).toBe(true);
    // An add is sent exactly when its verification (if any) passed.
    const verifiedOk = new Set(
      ops("verify")
        .filter((v) => finals.get(v.action_id) === "succeeded")
        .map((v) => `${v.campaign_id}|${v.email}`),
    );
    const needs = new Set(ops("verify").map((v) => `${v.campaign_id}|${v.email}`));
    for (const a of ops("add")) {
      const key = `${a.campaign_id}|${a.email}`;
      const expected = !needs.has(key) || verifiedOk.has(key);
      expect(finals.has(a.action_id)).toBe(expected);
    }
    expect(done.report.adds.added).toBe(
      [...finals.entries()].filter(
        ([id, s]) => s === "succeeded" && ops("add").some((a) => a.action_id === id),
      ).length,
    );
    expect(managedLeads(world)).toBe(60 - done.report.drain.deleted + done.report.adds.added);
    expect(managedLeads(world)).toBeLessThanOrEqual(world.settings.vars.inventory_cap);
    const runs = await query(
      world,
      `select status, finished_at from cold_email_ops.sync_runs where run_id = '${done.runId}' order by finished_at nulls first`,
    );
    expect(runs).toHaveLength(2); // start row + final row
    expect(runs[1]?.status).toBe(done.status);
  });

  test("more applies on the same action tables only top up: nothing twice, never past the slots", async () => {
    const writes = () => world.sandbox.stats().byRoute["DELETE /leads 200"] ?? 0;
    const deletes = writes();
    for (let i = 0; i < 3; i++) {
      const again = await apply();
      expect(again.status).toBe("succeeded");
      expect(again.report.drain.attempted).toBe(0);
    }
    expect(writes()).toBe(deletes);
    const [budget] = await query(world, "select pull_run_id, slots from cold_email.push_budget");
    const sent = await query(
      world,
      `select action_id, count(*)::int as intents from cold_email_ops.sync_changelog
       where op = 'add' and state = 'intent' and run_id in (
         select run_id from cold_email_ops.sync_runs where mode = 'apply' and started_at >= (
           select pull_started_at from cold_email_staging.stg_instantly_pulls where run_id = '${budget?.pull_run_id}'))
       group by 1`,
    );
    expect(sent.every((r) => r.intents === 1)).toBe(true);
    const added = await query(
      world,
      `select count(*)::int as n from cold_email_staging.stg_sync_actions where op = 'add' and state = 'succeeded'
       and action_id in (select action_id from cold_email.push_queue)`,
    );
    expect(added[0]?.n).toBeLessThanOrEqual(Number(budget?.slots));
    const emails = world.settings.managedCampaignIds.flatMap((id) =>
      world.sandbox.state.leadsInCampaign(id).map((l) => l.email),
    );
    expect(new Set(emails).size).toBe(emails.length);
  });

  test("pull reconciles intents that never got a final state", async () => {
    const crashed = "apply-crashed-run";
    const pullId = "pull-old";
    await writeRunRow(world.warehouse, {
      runId: crashed,
      mode: "apply",
      startedAt: new Date(),
      finishedAt: null,
      status: "failed",
      error: "test",
    });
    const [smb, midsize] = world.settings.managedCampaignIds as [string, string];
    const present = world.sandbox.state.leadsInCampaign(midsize)[0]!;
    const blocked = [...world.sandbox.state.blocklist.values()][0];
    const mk = (
      op: "add" | "drain" | "block" | "verify",
      email: string,
      campaign: string,
      leadId: string | null = null,
    ) =>
      makeAction({
        action_id: actionId(op, email, campaign, pullId),
        op,
        email,
        campaign_id: campaign,
        lead_id: leadId,
      });
    const intents = [
      mk("add", present.email!, midsize),
      mk("add", "nobody-here@example.org", smb),
      mk("drain", "gone@example.org", smb, "00000000-0000-7000-8000-000000000000"),
      mk("drain", present.email!, midsize, present.id),
      mk("verify", "v@example.org", smb),
      ...(blocked ? [mk("block", blocked.bl_value, midsize)] : []),
      mk("block", "not-blocked@example.org", midsize),
    ];
    await new WarehouseJournal(world.warehouse, crashed).intents(intents);
    const r = await pull();
    const states = await query(
      world,
      `select action_id, state, retryable, error_code, lead_id from cold_email_ops.sync_changelog where run_id = '${r.runId}'`,
    );
    const byId = new Map(states.map((s) => [String(s.action_id), s]));
    const st = (i: number) => byId.get(intents[i]!.action_id)?.state;
    expect(st(0)).toBe("succeeded");
    expect(byId.get(intents[0]!.action_id)?.lead_id).toBe(present.id);
    expect(st(1)).toBe("failed");
    expect(st(2)).toBe("succeeded");
    expect(st(3)).toBe("failed");
    expect(st(4)).toBe("failed");
    if (blocked) expect(st(5)).toBe("succeeded");
    expect(st(intents.length - 1)).toBe("failed");
    expect(states.every((s) => s.state === "succeeded" || s.retryable === true)).toBe(true);
    // Every action of the crashed run now has a final state.
    await world.transform();
    const open = await query(
      world,
      "select count(*)::int as n from cold_email_staging.stg_sync_actions where is_unresolved",
    );
    expect(open[0]?.n).toBe(0);
  });

  test("guards: an inactive campaign and a bouncing campaign get no adds", async () => {
    const [smb, midsize] = world.settings.managedCampaignIds as [string, string];
    const campaign = world.sandbox.state.campaigns.get(smb)!;
    campaign.status = 2;
    const counters = world.sandbox.state.counters(midsize, "2020-01-01");
    counters.contacted += 100;
    counters.bounced += 50;
    try {
      // The bounce verdict is int_campaign_health's, from the pull's campaign analytics; the status is live.
      await pull();
      await world.transform();
      const r = await apply();
      expect(r.guards?.blockedCampaigns[smb]?.reason).toBe("inactive");
      expect(r.guards?.blockedCampaigns[midsize]?.reason).toBe("bounce_rate");
      expect(r.report.adds.attempted).toBe(0);
      expect(r.capacity?.perCampaign).toEqual({ [smb]: 0, [midsize]: 0 });
      expect(r.warnings.join(" ")).toMatch(/no adds to it/);
    } finally {
      campaign.status = 1;
      counters.contacted -= 100;
      counters.bounced -= 50;
    }
  });

  test("guards: a drain over max_drain_fraction aborts unless --force", async () => {
    world.sandbox.advance(20);
    await pull();
    await world.transform();
    const drains = await query(world, "select count(*)::int as n from cold_email.drain_queue");
    expect(drains[0]?.n).toBeGreaterThan(0);
    const strict = loadSettings({ overrides: { ...world.settings.rawVars, max_drain_fraction: "0.01" } });
    const deletes = () => world.sandbox.stats().byRoute["DELETE /leads 200"] ?? 0;
    const before = deletes();
    const refused = await runApply({ settings: strict, warehouse: world.warehouse, client: world.client() });
    expect(refused.status).toBe("failed");
    expect(refused.exitCode).toBe(3);
    expect(refused.error).toMatch(/drain guard/);
    expect(deletes()).toBe(before);
    const forced = await runApply({
      settings: strict,
      warehouse: world.warehouse,
      client: world.client(),
      force: true,
      only: "drain",
    });
    expect(forced.status).toBe("succeeded");
    expect(forced.report.drain.deleted).toBe(drains[0]?.n);
    expect(forced.report.phases).toEqual({ drain: true, push: false });
    expect(forced.report.adds.attempted).toBe(0);
  });

  test("status reports capacity, runs, alerts and suppression from the warehouse", async () => {
    await world.transform();
    const s = await gatherStatus(world.warehouse, world.settings);
    expect(s.latestPull?.complete).toBe(true);
    expect(s.actionTables?.fresh).toBe(true);
    expect(s.campaigns.length).toBe(2);
    expect(s.runs.length).toBeGreaterThan(3);
    expect(
      s.runs.some((r) => r.mode === "apply" && r.status === "failed" && /drain guard/.test(r.error ?? "")),
    ).toBe(true);
    expect(s.suppressed).toBeGreaterThan(0);
    expect(s.unresolvedActions).toBe(0);
  });

  test("guards: an empty leads source aborts unless --force", async () => {
    await world.warehouse.conn.run("delete from cold_email_raw.leads");
    const r = await apply({ only: "push" });
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/empty-source guard/);
    expect(r.report.adds.attempted).toBe(0);
    await expect(apply({ only: "push", force: true })).resolves.toMatchObject({ status: "succeeded" });
  });

  test("action tables computed from a pull that died midway are refused", async () => {
    // A pull killed mid-snapshot leaves lead rows under its run id but no succeeded pull run.
    await world.warehouse.conn.run(
      `insert into cold_email_ops.instantly_leads (run_id, recorded_at, lead_id, campaign_id, email, status)
       values ('pull-killed', now(), 'lead-x', '${world.settings.managedCampaignIds[0]}', 'k@example.org', 1)`,
    );
    await world.transform();
    await expect(apply()).rejects.toThrow(/the latest pull pull-killed did not complete/);
    await pull();
    await world.transform();
    await expect(apply({ mode: "plan", force: true })).resolves.toMatchObject({ mode: "plan" });
  });

  test("errors are UserErrors with one clear message", async () => {
    await expect(
      apply({ plan: { ...(await apply({ mode: "plan" })).plan!, pull_run_id: "pull-gone" } }),
    ).rejects.toThrow(UserError);
  });
});
