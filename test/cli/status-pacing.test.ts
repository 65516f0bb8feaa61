import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runPull } from "../../engine/src/sync/pull.ts";
import { formatStatus, gatherStatus } from "../../engine/src/sync/status.ts";
import { makeWorld, query, type World } from "../sync/harness.ts";

/**
 * `engine status` shows int_send_capacity per campaign: a pull of a sandbox with mailboxes, the
 * transform, then status. Every figure must be the model's, as the SQL computed it.
 */
let world: World;

beforeAll(async () => {
  world = await makeWorld({
    leads: 300,
    vars: { pacing: "capacity" },
    sandbox: { sending: { accountsPerCampaign: 2, accountDailyLimit: 30 } },
  });
}, 240_000);
afterAll(async () => world?.close());

describe("engine status pacing", () => {
  test("before any transform: no pacing, said in words, never an error", async () => {
    const s = await gatherStatus(world.warehouse, world.settings);
    expect(s.pacing).toBeNull();
    expect(formatStatus(s)).toContain(
      "pacing: int_send_capacity not built yet (run `engine pull`, then the transform)",
    );
  });

  test("after pull + transform: the model's figures per campaign, in the table and in --json", async () => {
    await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
    await world.transform();
    const s = await gatherStatus(world.warehouse, world.settings);
    const sql = await query(
      world,
      `select segment, lower(campaign_id) as campaign_id, healthy_senders, senders, sends_per_day,
              new_starts_per_day, backlog, paced_slots, no_adds_reason
       from ${world.settings.vars.staging_dataset}.int_send_capacity order by segment_order`,
    );
    expect(sql.length).toBe(2);
    expect(s.pacing?.mode).toBe("capacity");
    expect(
      s.pacing?.campaigns.map((p) => ({
        segment: p.segment,
        campaign_id: p.campaignId,
        healthy_senders: p.healthySenders,
        senders: p.senders,
        sends_per_day: p.sendsPerDay,
        new_starts_per_day: p.newStartsPerDay,
        backlog: p.backlog,
        paced_slots: p.pacedSlots,
        no_adds_reason: p.noAddsReason,
      })),
    ).toEqual(sql.map((r) => ({ ...r, ...Object.fromEntries(numeric(r)) })));
    // Two mailboxes per campaign in this sandbox, both able to send.
    expect(s.pacing?.campaigns.map((p) => `${p.healthySenders}/${p.senders}`)).toEqual(["2/2", "2/2"]);

    const lines = formatStatus(s);
    const start = lines.indexOf("pacing (adds paced by sending capacity):");
    expect(start).toBeGreaterThan(0);
    expect(lines[start + 1]).toMatch(
      /segment\s+campaign\s+healthy mailboxes\s+sends\/day\s+new starts\/day\s+backlog\s+backlog days\s+slots\s+runway days\s+Instantly says\s+no adds because/,
    );
    for (const [i, p] of (s.pacing?.campaigns ?? []).entries()) {
      const row = lines[start + 3 + i] ?? "";
      expect(row).toContain(p.segment);
      expect(row).toContain(`${p.healthySenders}/${p.senders}`);
      if (p.noAddsReasonWords) expect(row).toContain(p.noAddsReasonWords.slice(0, 20));
    }
    // The "needs attention" block reads rpt_attention: each segment's runway is int_send_capacity's.
    const pools = await query(
      world,
      `select segment, pool_left, runway_days from ${world.settings.vars.staging_dataset}.int_send_capacity order by segment`,
    );
    expect(
      (s.attention ?? [])
        .filter((i) => i.kind === "pool_runway")
        .map((i) => [i.segment, i.eligibleLeft, i.runwayDays])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(
      pools.map((r) => [
        r.segment,
        Number(r.pool_left),
        r.runway_days === null ? null : Number(r.runway_days),
      ]),
    );
    expect(lines[0]).toMatch(/^needs attention/);
    const json = JSON.parse(JSON.stringify(s));
    expect(json.pacing.campaigns[0]).toMatchObject({
      segment: sql[0]?.segment,
      newStartsPerDay: Number(sql[0]?.new_starts_per_day),
    });
  }, 240_000);
});

/** DuckDB's BIGINTs arrive as bigint: compare them as numbers. */
function numeric(r: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(r)
    .filter(([, v]) => typeof v === "bigint")
    .map(([k, v]) => [k, Number(v)]);
}
