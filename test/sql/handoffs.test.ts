import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoResult } from "../../engine/src/local/demo.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { pinnedDemo } from "../setup/pinned-demo.ts";
import {
  changelog,
  daysAgo,
  leads,
  MIDSIZE,
  openScenario,
  pull,
  rows,
  run,
  type Scenario,
  SMB,
} from "./harness.ts";

/**
 * rpt_handoffs (definitions/reporting): one row per lead and campaign drained with a hand-off reason,
 * with the lead's own fields, including the drains of the run that ended after the last transform.
 */

const isoOf = (v: unknown) => (v instanceof Date ? v.toISOString() : null);

const HANDOFFS = `select * from "cold_email_reporting"."rpt_handoffs" order by email, campaign_id`;

describe("rpt_handoffs on hand-built fixtures", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await openScenario();
    await leads(s, [
      { email: "ana@shop-a.com", first_name: "Ana", merchant_name: "Shop A" },
      { email: "bo@shop-b.com", first_name: "Bo", merchant_name: "Shop B" },
      { email: "cy@shop-c.com", first_name: "Cy" },
      { email: "di@shop-d.com", first_name: "Di" },
      { email: "ed@shop-e.com", first_name: "Ed" },
    ]);
    await pull(s, "pull-1", [
      {
        lead_id: "L-ana",
        email: "ana@shop-a.com",
        status: 1,
        lt_interest_status: 1,
        email_reply_count: 1,
        timestamp_last_reply: daysAgo(0.5),
        timestamp_last_interest_change: daysAgo(0.4),
      },
      {
        lead_id: "L-bo",
        email: "bo@shop-b.com",
        campaign_id: MIDSIZE,
        lt_interest_status: 2,
        email_reply_count: 1,
        timestamp_last_interest_change: daysAgo(0.3),
      },
      { lead_id: "L-cy", email: "cy@shop-c.com", status: 3 },
      { lead_id: "L-di", email: "di@shop-d.com", email_reply_count: 1, timestamp_last_reply: daysAgo(0.2) },
    ]);
    await s.conn.run(
      `update "cold_email_ops"."instantly_campaigns" set name = 'SMB outreach' where id = '${SMB}'`,
    );
    const drain = (id: string, email: string, reason: string, state: string, at: number, campaign = SMB) => [
      {
        action_id: id,
        op: "drain" as const,
        email,
        campaign_id: campaign,
        reason,
        state: "intent",
        recorded_at: daysAgo(at + 0.001),
      },
      {
        action_id: id,
        op: "drain" as const,
        email,
        campaign_id: campaign,
        reason,
        state,
        recorded_at: daysAgo(at),
      },
    ];
    await changelog(s, [
      // an older hand-off of the same lead and campaign (added again later): only the latest is listed
      ...drain("d-ana-old", "ana@shop-a.com", "replied", "succeeded", 40),
      ...drain("d-ana", "ana@shop-a.com", "interested", "succeeded", 0.005),
      ...drain("d-bo", "bo@shop-b.com", "meeting_booked", "succeeded", 0.005, MIDSIZE),
      ...drain("d-cy", "cy@shop-c.com", "completed", "succeeded", 0.005),
      // a hand-off drain that failed: the lead is still in Instantly, not handed off
      ...drain("d-di", "di@shop-d.com", "replied", "failed", 0.005),
    ]);
    await run(s);
  }, 120_000);

  it("lists the succeeded hand-off drains only, one row per lead and campaign", async () => {
    const got = await rows(s, HANDOFFS);
    expect(got.map((r) => [r.email, r.campaign_id, r.handoff_reason])).toEqual([
      ["ana@shop-a.com", SMB, "interested"],
      ["bo@shop-b.com", MIDSIZE, "meeting_booked"],
    ]);
  });

  it("carries the campaign, segment, interest label, reply time and the lead's own fields", async () => {
    const [ana, bo] = await rows(s, HANDOFFS);
    expect(ana).toMatchObject({
      campaign_name: "SMB outreach",
      segment: "smb",
      interest_status: 1,
      interest_label: "interested",
      lead_id: "L-ana",
      first_name: "Ana",
      company_name: "Shop A",
      domain: "shop-a.com",
      drain_run_id: "apply-1",
    });
    expect(isoOf(ana?.replied_at)).toBe(daysAgo(0.5));
    expect(isoOf(ana?.drained_at)).toBe(daysAgo(0.005));
    expect(JSON.parse(String(ana?.custom_variables))).toMatchObject({ merchant_name: "Shop A" });
    // no reply timestamp: the interest change is the answer
    expect(bo).toMatchObject({ segment: "midsize", interest_label: "meeting_booked", first_name: "Bo" });
    expect(isoOf(bo?.replied_at)).toBe(daysAgo(0.3));
  });

  it("includes a drain written after the last transform (the run that just ended)", async () => {
    await changelog(s, [
      {
        action_id: "d-ed",
        op: "drain",
        email: "ed@shop-e.com",
        reason: "replied",
        state: "intent",
        recorded_at: daysAgo(0.0011),
      },
      {
        action_id: "d-ed",
        op: "drain",
        email: "ed@shop-e.com",
        reason: "replied",
        state: "succeeded",
        recorded_at: daysAgo(0.001),
      },
    ]);
    const got = await rows(s, HANDOFFS);
    const ed = got.find((r) => r.email === "ed@shop-e.com");
    // never pulled: no snapshot, so the drain is the reply time and there is no interest label
    expect(ed).toMatchObject({ handoff_reason: "replied", interest_label: null, first_name: "Ed" });
    expect(isoOf(ed?.replied_at)).toBe(daysAgo(0.001));
    expect(got).toHaveLength(3);
  });
});

/** Latest row per action in the raw changelog (ties: a final state beats intent, as the rules order them). */
const LATEST = `
  select * from (
    select
      *,
      row_number() over (
        partition by action_id
        order by recorded_at desc, case when state = 'intent' then 1 else 0 end, state
      ) as rn
    from cold_email_ops.sync_changelog
  ) where rn = 1`;

describe("rpt_handoffs after a demo (sandbox, pull → transform → apply per day)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "handoffs-"));
  const file = path.join(dir, "demo.duckdb");
  let demo: DemoResult;
  let warehouse: DuckDbWarehouse;
  const q = async (sql: string) =>
    (await warehouse.conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];

  beforeAll(async () => {
    demo = await pinnedDemo({ leads: 1200, days: 5, seed: 11, warehouseFile: file, write: () => {} });
    warehouse = await DuckDbWarehouse.open(file, demo.settings);
  }, 600_000);

  afterAll(async () => {
    await warehouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("equal the changelog's interested, meeting_booked and replied drains, the last apply's included", async () => {
    const expected = await q(`
      select lower(email) as email, lower(campaign_id) as campaign_id, reason, recorded_at, run_id
      from (${LATEST})
      where op = 'drain' and state = 'succeeded' and reason in ('interested', 'meeting_booked', 'replied')
      order by 1, 2`);
    const got = await q(
      `select email, campaign_id, handoff_reason as reason, drained_at as recorded_at, drain_run_id as run_id
       from cold_email_reporting.rpt_handoffs order by 1, 2`,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(got).toEqual(expected);
    const lastApply = demo.days.at(-1)?.apply.runId;
    // The last apply's hand-offs are there although no transform ran after it (the live view).
    expect(got.filter((r) => r.run_id === lastApply).length).toBeGreaterThan(0);
  });

  it("every hand-off carries its lead's own fields from the leads table, its campaign and segment", async () => {
    const [check] = await q(`
      select
        count(*)::integer as n,
        count(*) filter (where leads.email is null)::integer as no_lead,
        count(*) filter (
          where h.first_name is distinct from leads.first_name
            or h.last_name is distinct from leads.last_name
            or h.company_name is distinct from leads.company_name
            or cast(h.custom_variables as varchar) is distinct from cast(leads.custom_variables as varchar)
        )::integer as differ,
        count(*) filter (where h.campaign_name is null or h.segment is null)::integer as no_campaign
      from cold_email_reporting.rpt_handoffs as h
      left join cold_email_staging.stg_leads as leads on h.email = leads.email`);
    expect(check).toEqual({ n: expect.any(Number), no_lead: 0, differ: 0, no_campaign: 0 });
    expect(Number(check?.n)).toBeGreaterThan(0);
  });
});
