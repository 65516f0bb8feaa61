import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { varMismatches } from "../../engine/src/core/computed-with.ts";
import { UserError } from "../../engine/src/core/errors.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { makeWorld, query, type World } from "./harness.ts";

/**
 * Capacity comes from push_budget, which the transform computed with ITS vars: apply and plan given
 * other capacity vars must refuse (exit 2, the var and both values named), never ignore them.
 */
let world: World;

beforeAll(async () => {
  world = await makeWorld({ leads: 300 });
  await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
  await world.transform();
}, 120_000);
afterAll(async () => world?.close());

const withVars = (overrides: Record<string, string>) =>
  loadSettings({
    // as the world (test/sync/harness.ts) was transformed: no mailboxes, so pacing cap
    overrides: {
      dialect: "duckdb",
      inventory_cap: "120",
      max_adds_per_run: "40",
      pacing: "cap",
      ...overrides,
    },
  });

describe("vars at apply", () => {
  test("push_budget records the capacity vars it was computed with", async () => {
    const [row] = await query(world, "select computed_with from cold_email.push_budget");
    const recorded = JSON.parse(String(row?.computed_with)) as Record<string, string>;
    expect(recorded).toMatchObject({
      inventory_cap: "120",
      max_adds_per_run: "40",
      overfetch_multiplier: "3.5",
    });
    for (const s of world.settings.segments) {
      expect(recorded[`${s.name}_campaign_id`]?.toLowerCase()).toBe(s.campaignId);
    }
    expect(recorded.segments).toBe(world.settings.segments.map((s) => s.name).join(","));
  });

  test.each([
    ["inventory_cap", "150", "120"],
    ["max_adds_per_run", "10", "40"],
    ["overfetch_multiplier", "2", "3.5"],
    // The bounce guard's vars, recorded by int_campaign_health.
    ["bounce_block_pct", "5", "3"],
    ["bounce_min_contacted", "50", "20"],
  ])("apply and plan refuse %s=%s (computed with %s), nothing written", async (name, value, computed) => {
    const settings = withVars({ [name]: value });
    const runsBefore = await query(world, "select count(*)::int as n from cold_email_ops.sync_runs");
    for (const mode of ["apply", "plan"] as const) {
      const attempt = runApply({ settings, warehouse: world.warehouse, client: world.client(), mode });
      await expect(attempt).rejects.toBeInstanceOf(UserError);
      const error = (await attempt.catch((e: unknown) => e)) as UserError;
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(name);
      expect(error.message).toContain(JSON.stringify(value));
      expect(error.message).toContain(JSON.stringify(computed));
    }
    const runsAfter = await query(world, "select count(*)::int as n from cold_email_ops.sync_runs");
    expect(runsAfter).toEqual(runsBefore);
    expect(world.sandbox.stats().writes).toBe(0);
  });

  test("the same vars (numbers written differently) are accepted", async () => {
    const result = await runApply({
      settings: withVars({ inventory_cap: "120.0" }),
      warehouse: world.warehouse,
      client: world.client(),
      mode: "plan",
    });
    expect(result.status).toBe("succeeded");
  });

  test("the comparison: numbers as numbers, ids case-insensitively, an unset var as empty", () => {
    expect(varMismatches({ a: "3.5", b: "ABC", c: "" }, { a: "3.50", b: "abc" })).toEqual([]);
    expect(varMismatches({ a: "1", c: "" }, { a: "2", c: "0.5" })).toEqual([
      { name: "a", computed: "1", now: "2" },
      { name: "c", computed: "", now: "0.5" },
    ]);
  });
});
