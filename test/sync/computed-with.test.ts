import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { resetClock, setClock } from "../../engine/src/core/clock.ts";
import { varMismatches } from "../../engine/src/core/computed-with.ts";
import { UserError } from "../../engine/src/core/errors.ts";
import { transformLocal } from "../../engine/src/dataform/transform.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { makeWorld, query, type World } from "./harness.ts";

/**
 * push_budget.computed_with holds every var the rules read — as_of and the cooldown vars included —
 * and apply / plan refuse when theirs differ (exit 2, the var named, nothing sent). The transform's
 * as_of must not be before the day of the first pull.
 */
let world: World;
const DAY = 86_400_000;
const base = { dialect: "duckdb", inventory_cap: "120", max_adds_per_run: "40" };
const settingsWith = (vars: Record<string, string>) => loadSettings({ overrides: { ...base, ...vars } });

beforeAll(async () => {
  world = await makeWorld({ leads: 300 });
  await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
}, 120_000);
afterAll(async () => {
  resetClock();
  await world?.close();
});

async function transformWith(vars: Record<string, string>): Promise<void> {
  const result = await transformLocal({ settings: settingsWith(vars), conn: world.warehouse.conn });
  expect(result.actions.filter((a) => a.status === "failed").map((a) => a.error)).toEqual([]);
}

async function refused(vars: Record<string, string>, pattern: RegExp): Promise<void> {
  for (const mode of ["apply", "plan"] as const) {
    const client = world.client();
    const error = await runApply({
      settings: settingsWith(vars),
      warehouse: world.warehouse,
      client,
      mode,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, mode).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toMatch(pattern);
    expect(client.stats().totals.calls).toBe(0);
  }
}

describe("computed_with", () => {
  test("records as_of and every var the rules read, cooldowns included", async () => {
    await transformWith({ cooldown_days_replied: "200" });
    const [row] = await query(world, "select computed_with from cold_email.push_budget");
    const recorded = JSON.parse(String(row?.computed_with)) as Record<string, string>;
    expect(recorded).toMatchObject({
      as_of: "",
      cooldown_days: "90",
      cooldown_days_replied: "200",
      stale_days: "90",
    });
    expect(Object.keys(recorded).filter((k) => k.startsWith("alert_") || k === "dialect")).toEqual([]);
  }, 120_000);

  test("apply and plan refuse a cooldown var that differs, either way round", async () => {
    await transformWith({ cooldown_days_replied: "200" });
    await refused({}, /cooldown_days_replied is "365" here but the action tables were computed with "200"/);
    await refused({ cooldown_days_replied: "100" }, /cooldown_days_replied is "100" here/);
    await transformWith({});
    await refused(
      { cooldown_days: "30" },
      /cooldown_days is "30" here but the action tables were computed with "90"/,
    );
  }, 120_000);

  test("apply refuses tables computed for another day, and accepts the same as_of", async () => {
    const asOf = new Date(Date.now() + 0.5 * DAY).toISOString();
    const otherDay = new Date(Date.now() - 3 * DAY).toISOString();
    await transformWith({ as_of: asOf });
    // Pinned half a day ahead: an apply without as_of is within a day of it; another as_of is not.
    await refused({ as_of: otherDay }, /as_of is ".*" here but the action tables were computed with ".*"/);
    const plan = await runApply({
      settings: settingsWith({ as_of: asOf }),
      warehouse: world.warehouse,
      client: world.client(),
      mode: "plan",
    });
    expect(plan.status).toBe("succeeded");
    // Two days later on this run's clock, the same tables are refused without an as_of.
    setClock(new Date(Date.now() + 2 * DAY));
    try {
      await refused({}, /as_of is "" here but the action tables were computed with/);
    } finally {
      resetClock();
    }
  }, 120_000);

  test("apply refuses tables computed with an as_of before the day of the first pull", async () => {
    const before = new Date(Date.now() - 5 * DAY).toISOString();
    await transformWith({ as_of: before });
    await refused({ as_of: before }, /computed with as_of .* before the day of the first pull/);
  }, 120_000);
});

describe("varMismatches", () => {
  test("a var given here that the transform did not get (it used its default) differs; alert_* and dialect never", () => {
    expect(
      varMismatches({ as_of: "", a: "1" }, { a: "1", b: "2", alert_x: "3", dialect: "duckdb", c: "" }),
    ).toEqual([{ name: "b", computed: "(not set: its default)", now: "2" }]);
    // Tables recorded before as_of was (capacity vars only) are compared on what they recorded.
    expect(varMismatches({ a: "1" }, { a: "1", b: "2" })).toEqual([]);
  });

  const clock = Date.parse("2026-06-01T12:00:00Z");
  test.each([
    ["", "", true],
    ["2026-06-01T00:00:00Z", "2026-06-01 00:00:00.000+00", true],
    ["2026-06-01T00:00:00Z", "2026-06-01T00:00:01Z", false],
    ["2026-06-01T00:00:00Z", "", true],
    ["", "2026-06-02T12:00:00Z", true],
    ["2026-05-30T00:00:00Z", "", false],
    ["", "2026-06-03T00:00:00Z", false],
  ])("computed %j, given %j: same = %s", (computed, given, same) => {
    expect(varMismatches({ as_of: computed }, { as_of: given }, clock).length === 0).toBe(same);
  });
});
