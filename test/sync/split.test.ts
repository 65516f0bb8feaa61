import { afterAll, beforeAll, expect, test } from "vitest";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { makeWorld, query, type World } from "./harness.ts";

/**
 * Slots split per campaign (`<segment>_slot_share` vars → push_budget.campaign_slots): each campaign
 * gets at most its share, and candidates are taken progressively, so verification credits go only to
 * rows that may still be needed.
 */
let world: World;
beforeAll(async () => {
  world = await makeWorld({
    leads: 2000,
    vars: { max_adds_per_run: "20", smb_slot_share: "0.25", midsize_slot_share: "0.75" },
    sandbox: { verification: { pendingRate: 0, invalidRate: 0.3, catchAllRate: 0 } },
  });
});
afterAll(async () => world?.close());

test("each campaign gets at most its share of the slots; verifications stop once the slots are filled", async () => {
  await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
  await world.transform(true);
  const [budget] = await query(world, "select slots, campaign_slots from cold_email.push_budget");
  const split = JSON.parse(String(budget?.campaign_slots)) as Record<string, number>;
  const [smb, midsize] = world.settings.managedCampaignIds as [string, string];
  expect(split).toEqual({ [smb]: 5, [midsize]: 15 });

  const r = await runApply({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
  expect(r.status).toBe("succeeded");
  expect(r.capacity?.split).toBe(true);
  expect(r.capacity?.perCampaign).toEqual({ [smb]: 5, [midsize]: 15 });
  const added = (id: string) => world.sandbox.state.leadsInCampaign(id).length;
  expect(added(smb)).toBe(5);
  expect(added(midsize)).toBe(15);
  // 30% of verifications fail, yet no more verifications were bought than adds still wanted per wave.
  expect(r.report.verification.verified).toBeLessThanOrEqual(20);
  expect(r.report.verification.attempted).toBe(
    r.report.verification.verified + r.report.verification.invalid + r.report.verification.catchAll,
  );
  expect(r.report.verification.invalid).toBeGreaterThan(0);
});
