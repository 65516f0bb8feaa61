import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openScenario, resetInputs, rows, run, type Scenario, SMB } from "./harness.ts";
import { buildLeadScenarios } from "./lead-scenarios.ts";

/**
 * lead_status: one row per lead with its state, built from the models the action tables use. The
 * scenario set holds one lead per state; the table must agree with push_queue and drain_queue.
 */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario({ max_adds_per_run: "2", overfetch_multiplier: "1" });
  await resetInputs(s);
  await buildLeadScenarios(s);
  await run(s);
});
afterAll(() => s?.wh.close());

async function status(): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const r of await rows(s, `select * from "cold_email"."lead_status"`)) out[String(r.email)] = r;
  return out;
}

describe("lead_status", () => {
  it("gives each lead its state, the rule that keeps it out and the detail behind it", async () => {
    const st = await status();
    const pick = (email: string) => {
      const r = st[email];
      return r && { state: r.lead_state, keptOut: r.kept_out_by, detail: r.state_detail };
    };
    expect(Object.keys(st)).toHaveLength(11);
    expect(pick("best@q1.com")).toMatchObject({ state: "queued", keptOut: null });
    expect(pick("not-an-email")).toMatchObject({ state: "invalid_email", keptOut: "invalid_email" });
    expect(pick("blocked@dnc.com")).toEqual({
      state: "suppressed",
      keptOut: "suppressed",
      detail: "suppressed by dnc_email",
    });
    expect(pick("active@seq.com")).toMatchObject({ state: "in_sequence", keptOut: "in_instantly" });
    expect(st["active@seq.com"]?.current_campaign_id).toBe(SMB);
    expect(pick("done@seq2.com")).toMatchObject({ state: "in_sequence" });
    expect(st["done@seq2.com"]?.pending_drain_reason).toBe("completed");
    expect(pick("finished@old.com")).toMatchObject({ state: "completed", keptOut: "cooling_down" });
    expect(String(pick("finished@old.com")?.detail)).toMatch(
      /^sequence completed; cooling down until 2025-08-/,
    );
    expect(pick("answered@old2.com")).toMatchObject({ state: "replied", keptOut: "cooling_down" });
    expect(pick("info@role.com")).toEqual({
      state: "ineligible",
      keptOut: "role_account",
      detail: "ineligible (role_account)",
    });
    expect(pick("colleague@q1.com")).toMatchObject({ state: "eligible", keptOut: "domain_limit" });
    // max_adds_per_run 2 with overfetch 1: the third eligible lead waits for capacity.
    expect(pick("third@q3.com")).toMatchObject({ state: "eligible", keptOut: "over_capacity" });
    expect(st["finished@old.com"]).toMatchObject({
      sequences_so_far: 1,
      sequences_ended: 1,
      last_end_reason: "completed",
      last_action_op: "drain",
      last_action_state: "succeeded",
      last_action_reason: "completed",
    });
  });

  it("agrees with push_queue and drain_queue", async () => {
    const st = await status();
    const queue = await rows(s, `select email, rank from "cold_email"."push_queue"`);
    const drains = await rows(s, `select email, reason from "cold_email"."drain_queue"`);
    expect(queue.length).toBe(2);
    expect(drains.length).toBe(1);
    const queued = Object.values(st).filter((r) => r.lead_state === "queued");
    expect(queued.map((r) => [r.email, r.queue_rank]).sort()).toEqual(
      queue.map((r) => [r.email, r.rank]).sort(),
    );
    for (const d of drains) expect(st[String(d.email)]?.pending_drain_reason).toBe(d.reason);
    const draining = Object.values(st).filter((r) => r.pending_drain_reason !== null);
    expect(draining).toHaveLength(drains.length);
  });
});
