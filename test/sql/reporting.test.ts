import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  changelog,
  daysAgo,
  insert,
  MIDSIZE,
  openScenario,
  pull,
  resetInputs,
  rows,
  run,
  type Scenario,
  SMB,
} from "./harness.ts";

/** The reporting views count each action once (latest state per action_id) and by segment. */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario();
  await resetInputs(s);
  await insert(s, "cold_email_ops", "sync_runs", [
    {
      run_id: "apply-1",
      mode: "apply",
      started_at: "2025-06-01T10:00:00Z",
      finished_at: "2025-06-01T10:02:00Z",
      status: "partial",
    },
  ]);
  await changelog(s, [
    // An add written twice (at-least-once delivery) must count once.
    { action_id: "a1", op: "add", email: "x@r1.com", state: "intent", recorded_at: "2025-06-01T10:00:10Z" },
    {
      action_id: "a1",
      op: "add",
      email: "x@r1.com",
      state: "succeeded",
      recorded_at: "2025-06-01T10:00:20Z",
    },
    {
      action_id: "a1",
      op: "add",
      email: "x@r1.com",
      state: "succeeded",
      recorded_at: "2025-06-01T10:00:20Z",
    },
    {
      action_id: "a2",
      op: "add",
      email: "y@r2.com",
      campaign_id: MIDSIZE,
      state: "rejected",
      recorded_at: "2025-06-01T10:00:30Z",
    },
    {
      action_id: "d1",
      op: "drain",
      email: "z@r3.com",
      state: "succeeded",
      reason: "completed",
      recorded_at: "2025-06-01T10:01:00Z",
    },
    {
      action_id: "d2",
      op: "drain",
      email: "w@r4.com",
      state: "succeeded",
      reason: "bounced",
      recorded_at: "2025-06-01T10:01:00Z",
    },
  ]);
  await insert(s, "cold_email_ops", "email_verifications", [
    // A pending answer (the credit) and the result its polls found: one check, counted as verified.
    {
      run_id: "apply-1",
      email: "p@r1.com",
      result: "pending",
      credits_used: 1,
      verified_at: "2025-06-01T10:00:01Z",
    },
    {
      run_id: "apply-1",
      email: "p@r1.com",
      result: "verified",
      credits_used: 0,
      verified_at: "2025-06-01T10:00:04Z",
    },
    {
      run_id: "apply-1",
      email: "x@r1.com",
      result: "verified",
      credits_used: 0.25,
      verified_at: "2025-06-01T10:00:05Z",
    },
    {
      run_id: "apply-1",
      email: "q@r5.com",
      result: "invalid",
      credits_used: 0.25,
      verified_at: "2025-06-01T10:00:06Z",
    },
  ]);
  await pull(s, "pull-1", [{ lead_id: "1", email: "held@r6.com", status: 1 }], daysAgo(0.5));
  await run(s);
});
afterAll(() => s?.wh.close());

describe("reporting views", () => {
  it("rpt_sync_runs counts the latest state per action", async () => {
    const [r] = await rows(
      s,
      `select status, duration_seconds, adds_succeeded, drains_succeeded, rejected, unresolved from "cold_email_reporting"."rpt_sync_runs" where run_id = 'apply-1'`,
    );
    expect(r).toEqual({
      status: "partial",
      duration_seconds: 120,
      adds_succeeded: 1,
      drains_succeeded: 2,
      rejected: 1,
      unresolved: 0,
    });
  });

  it("rpt_daily_funnel splits by segment and drain reason", async () => {
    const r = await rows(
      s,
      `select segment, added, drained, drained_completed, drained_bounced, bounces
       from "cold_email_reporting"."rpt_daily_funnel" where day = date '2025-06-01' order by segment`,
    );
    expect(r).toEqual([
      { segment: "smb", added: 1, drained: 2, drained_completed: 1, drained_bounced: 1, bounces: 1 },
    ]);
  });

  it("rpt_verification_outcomes sums credits per result, a pending answer and its polled result being one check", async () => {
    const r = await rows(
      s,
      `select result, checks, credits_used from "cold_email_reporting"."rpt_verification_outcomes" order by result`,
    );
    expect(r).toEqual([
      { result: "invalid", checks: 1, credits_used: 0.25 },
      { result: "verified", checks: 2, credits_used: 1.25 },
    ]);
  });

  it("rpt_capacity_over_time and rpt_campaign_health show leads held against the cap", async () => {
    const cap = await rows(
      s,
      `select campaign_id, leads_held, total_held, inventory_cap from "cold_email_reporting"."rpt_capacity_over_time"`,
    );
    expect(cap).toEqual([{ campaign_id: SMB, leads_held: 1, total_held: 1, inventory_cap: 24000 }]);
    const health = await rows(
      s,
      `select campaign_id, segment, leads_held from "cold_email_reporting"."rpt_campaign_health" order by segment`,
    );
    expect(health).toEqual([
      { campaign_id: MIDSIZE, segment: "midsize", leads_held: 0 },
      { campaign_id: SMB, segment: "smb", leads_held: 1 },
    ]);
  });

  it("rpt_suppression_growth counts new suppressions per day and reason", async () => {
    const r = await rows(
      s,
      `select reason, new_suppressions, cumulative_suppressions from "cold_email_reporting"."rpt_suppression_growth" order by reason`,
    );
    // The drain the engine made for a bounce (d2) suppresses the email too, without any snapshot.
    expect(r).toEqual([
      { reason: "bounced", new_suppressions: 1, cumulative_suppressions: 1 },
      { reason: "rejected", new_suppressions: 1, cumulative_suppressions: 1 },
      { reason: "verification_invalid", new_suppressions: 1, cumulative_suppressions: 1 },
    ]);
  });
});
