import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  budget,
  changelog,
  daysAgo,
  leads,
  openScenario,
  pull,
  queuedEmails,
  resetInputs,
  rows,
  run,
  type Scenario,
} from "./harness.ts";

/** Capacity: slots = min(max_adds_per_run, cap - (active_inventory - draining)); overfetch. */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario({ inventory_cap: "4", max_adds_per_run: "2", overfetch_multiplier: "3.5" });
});
afterAll(() => s?.wh.close());
beforeEach(async () => {
  await resetInputs(s);
});

const tenLeads = Array.from({ length: 10 }, (_, i) => ({
  email: `lead${i}@co${i}.com`,
  // Distinct revenues give distinct scores: lead9 best ... lead0 worst.
  estimated_sales_yearly: [100, 600_000, 2_000_000, 6_000_000][i % 4] as number,
  product_count: i * 150,
  avg_price: i * 15,
}));

describe("capacity", () => {
  it("cap full: zero slots and an empty push queue", async () => {
    await leads(s, tenLeads);
    await pull(
      s,
      "pull-1",
      [1, 2, 3, 4].map((i) => ({ lead_id: `l${i}`, email: `held${i}@h${i}.com`, status: 1 })),
    );
    await run(s);
    expect(await budget(s)).toMatchObject({
      cap: 4,
      active_inventory: 4,
      draining: 0,
      slots: 0,
      candidates: 0,
      queued: 0,
    });
    expect(await queuedEmails(s)).toEqual([]);
  });

  it("pending adds count against the cap", async () => {
    await leads(s, tenLeads);
    await pull(
      s,
      "pull-1",
      [1, 2, 3].map((i) => ({ lead_id: `l${i}`, email: `held${i}@h${i}.com`, status: 1 })),
    );
    await changelog(s, [
      { action_id: "p", op: "add", email: "pending@p.com", state: "intent", recorded_at: daysAgo(0.001) },
    ]);
    await run(s);
    expect(await budget(s)).toMatchObject({ active_inventory: 4, slots: 0 });
  });

  it("drains free slots in the same run", async () => {
    await leads(s, tenLeads);
    await pull(s, "pull-1", [
      { lead_id: "l1", email: "held1@h1.com", status: 1 },
      { lead_id: "l2", email: "held2@h2.com", status: 1 },
      { lead_id: "l3", email: "held3@h3.com", status: 3 },
      { lead_id: "l4", email: "held4@h4.com", status: 1 },
    ]);
    await run(s);
    // cap 4 - (4 held - 1 draining) = 1 slot; 1 x 3.5 -> 4 candidates.
    expect(await budget(s)).toMatchObject({
      active_inventory: 4,
      draining: 1,
      slots: 1,
      candidates: 4,
      queued: 4,
    });
  });

  it("overfetch: candidates = slots x multiplier (rounded up), in rank order", async () => {
    await leads(s, tenLeads);
    await run(s);
    expect(await budget(s)).toMatchObject({ active_inventory: 0, slots: 2, candidates: 7, queued: 7 });
    const q = await rows(s, `select rank, email, score from "cold_email"."push_queue" order by rank`);
    expect(q.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const scores = q.map((r) => Number(r.score));
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    // The 7 queued are exactly the 7 best-scored eligible leads.
    const best = await rows(
      s,
      `select email from "cold_email_staging"."int_push_candidates" order by lead_rank limit 7`,
    );
    expect(q.map((r) => r.email)).toEqual(best.map((r) => r.email));
    expect(q[0]?.email).toBe("lead7@co7.com");
  });
});

describe("capacity split per campaign", () => {
  let split: Scenario;
  beforeAll(async () => {
    split = await openScenario({
      inventory_cap: "100",
      max_adds_per_run: "10",
      overfetch_multiplier: "2",
      smb_slot_share: "0.7",
      midsize_slot_share: "0.3",
    });
  });
  afterAll(() => split?.wh.close());

  it("splits slots by <segment>_slot_share and fills each campaign from its own ranking", async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      email: `l${i}@c${i}.com`,
      estimated_sales_yearly: i % 2 === 0 ? 50_000 : 3_000_000,
    }));
    await leads(split, many);
    await run(split);
    const [b] = await rows(split, `select slots, candidates, campaign_slots from "cold_email"."push_budget"`);
    expect(b?.slots).toBe(10);
    expect(b?.candidates).toBe(20); // smb 7 x 2 + midsize 3 x 2
    expect(JSON.parse(String(b?.campaign_slots))).toEqual({
      "8c46e0c9-c1f9-4201-a8d6-6221bafeada6": 7,
      "5ffbe8c3-dc0e-41e4-9999-48f00d2015df": 3,
    });
    const perSegment = await rows(
      split,
      `select segment, count(*) as n from "cold_email"."push_queue" group by segment order by segment`,
    );
    expect(perSegment).toEqual([
      { segment: "midsize", n: 6 },
      { segment: "smb", n: 14 },
    ]);
  });
});
