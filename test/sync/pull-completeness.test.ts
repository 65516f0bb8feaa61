import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createNotifier } from "../../engine/src/notify/create-notifier.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { judgeCompleteness } from "../../engine/src/sync/pull-completeness.ts";
import { makeWorld, query, type World } from "./harness.ts";

/**
 * A lead listing that ends early (the sandbox's `leadListEndEarlyRate` fault: a page with more to
 * come returned without a cursor) is caught by comparing with the campaigns' analytics leads_count:
 * the pull is recorded partial with the reason, apply refuses its action tables, and the
 * pull_incomplete alert is raised once and cleared by the next complete pull.
 */
describe("pull completeness", () => {
  let world: World;
  const printed: string[] = [];
  const notifier = createNotifier({}, { write: (text) => printed.push(text) });
  const pull = () =>
    runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client(), notifier });

  beforeAll(async () => {
    world = await makeWorld({
      leads: 1500,
      sandbox: {
        syntheticLeadsPerCampaign: 250,
        // Campaigns that never sent are still listed by analytics, so every campaign has a count.
        unknown: { analyticsBeforeFirstSend: "zeros", lastPageCursor: "never" },
        faults: { leadListEndEarlyRate: 1 },
      },
    });
  });
  afterAll(async () => world?.close());

  test("a short listing is recorded partial with the reason, and raises the alert", async () => {
    const r = await pull();
    expect(r.complete).toBe(false);
    expect(r.completeness.checked).toBe(2);
    // The first page (100 leads) is all the listing returns.
    expect(r.completeness.short.map((s) => [s.listed, s.expected])).toEqual([
      [100, 250],
      [100, 250],
    ]);
    const runs = await query(
      world,
      `select status, error from cold_email_ops.sync_runs where run_id = '${r.runId}'`,
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe("partial");
    expect(String(runs[0]?.error)).toMatch(/^incomplete pull: campaign [0-9a-f-]+ listed 100 of 250 leads/);
    expect(printed.join("")).toContain("Cold Email Alert: Pull incomplete");
    const alerts = await query(world, "select alert, state from cold_email_ops.alert_events");
    expect(alerts).toEqual([{ alert: "pull_incomplete", state: "raised" }]);
  });

  test("apply refuses the action tables computed from the short pull", async () => {
    await world.transform();
    const before = world.sandbox.stats().apiRequests;
    await expect(
      runApply({ settings: world.settings, warehouse: world.warehouse, client: world.client() }),
    ).rejects.toThrow(/the latest pull \S+ did not complete/);
    expect(world.sandbox.stats().apiRequests).toBe(before);
  });

  test("a second short pull does not alert again", async () => {
    printed.length = 0;
    const r = await pull();
    expect(r.complete).toBe(false);
    expect(printed.join("")).toBe("");
  });

  test("a complete pull succeeds and clears the alert once", async () => {
    world.sandbox.setFaults({ leadListEndEarlyRate: 0 });
    const r = await pull();
    expect(r.complete).toBe(true);
    expect(r.leads).toBe(500);
    const runs = await query(
      world,
      `select status, error from cold_email_ops.sync_runs where run_id = '${r.runId}'`,
    );
    expect(runs).toEqual([{ status: "succeeded", error: null }]);
    expect(printed.join("")).toContain("Cold Email Alert Resolved: Pulls are complete again");
    const alerts = await query(
      world,
      "select state from cold_email_ops.alert_events where alert = 'pull_incomplete' order by recorded_at",
    );
    expect(alerts.map((a) => a.state)).toEqual(["raised", "cleared"]);
    await world.transform();
    const applied = await runApply({
      settings: world.settings,
      warehouse: world.warehouse,
      client: world.client(),
    });
    expect(applied.status).not.toBe("failed");
  });
});

describe("judgeCompleteness", () => {
  test("short only when the listing is under both counts; no count means unchecked", () => {
    const verdict = judgeCompleteness([
      { campaignId: "a", listed: 90, countBefore: 100, countAfter: 100 },
      // A lead deleted during the listing: the second count agrees with the listing.
      { campaignId: "b", listed: 99, countBefore: 100, countAfter: 99 },
      // A lead added during the listing.
      { campaignId: "c", listed: 101, countBefore: 100, countAfter: 101 },
      { campaignId: "d", listed: 5, countBefore: null, countAfter: null },
      { campaignId: "e", listed: 7, countBefore: 8, countAfter: null },
    ]);
    expect(verdict.short).toEqual([
      { campaignId: "a", listed: 90, expected: 100 },
      { campaignId: "e", listed: 7, expected: 8 },
    ]);
    expect(verdict.unchecked).toEqual(["d"]);
    expect(verdict.checked).toBe(4);
  });
});
