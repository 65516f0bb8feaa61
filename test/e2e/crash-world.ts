import { expect } from "vitest";
import { type CliResult, describe as describeRun, smallWorldVars, World } from "./harness.ts";
import { checkInvariants, formatViolations, summarise } from "./invariants.ts";

/** Shared by the crash tests: one world, and the pull/apply steps that check every invariant. */
export async function crashWorld(seed: number): Promise<World> {
  const world = await World.create({
    seed,
    leads: 500,
    // Small batches and a cap that refills every day, so one apply makes several batches.
    vars: { ...smallWorldVars, inventory_cap: "90", max_adds_per_run: "30" },
    unmanagedLeads: 4,
    unmanagedFromPool: 1,
    sandbox: {
      faults: { partialBulkRate: 0.2, rate5xx: 0.02, appliedBeforeFailureRate: 0.5 },
      simulation: { sequenceLengthDays: 2, sequenceSteps: 2 },
      // Verification results come back at once: polling waits would only slow the crash loop down.
      verification: { pendingRate: 0 },
    },
    slackSink: false,
  });
  await world.graph();
  return world;
}

export const killed = (r: CliResult) => r.signal === "SIGKILL";

/** Pull, then check everything: every action final, changelog == Instantly. */
export async function pullAndCheck(world: World, context: string): Promise<void> {
  const pull = await world.cli(["pull"]);
  expect(pull.code, `${context}\n${describeRun(pull)}`).toBe(0);
  const v = await checkInvariants(world, { afterPull: true });
  expect(v, `${context}: after the next pull\n${formatViolations(v)}`).toEqual([]);
}

export async function applyAndCheck(world: World, context: string): Promise<CliResult> {
  const apply = await world.cli(["apply"]);
  expect([0, 1], `${context}\n${describeRun(apply)}`).toContain(apply.code);
  const v = await checkInvariants(world, { afterPull: false });
  expect(v, `${context}: after apply\n${formatViolations(v)}`).toEqual([]);
  return apply;
}

/** Counts add up: Instantly holds exactly the succeeded adds minus the succeeded drains; nothing open. */
export async function expectCountsAddUp(world: World): Promise<void> {
  const rows = await world.query<Parameters<typeof summarise>[0][number]>(
    `select action_id, op, email, campaign_id, lead_id, state, run_id, recorded_at, message from ${world.ops("sync_changelog")}`,
  );
  const actions = [...summarise(rows).values()];
  const adds = actions.filter((a) => a.op === "add" && a.finalState === "succeeded").length;
  const drains = actions.filter((a) => a.op === "drain" && a.finalState === "succeeded").length;
  const managed = new Set(world.settings.managedCampaignIds);
  const held = [...world.sandbox.state.leads.values()].filter(
    (l) => l.campaign && managed.has(l.campaign),
  ).length;
  expect(adds).toBeGreaterThan(0);
  expect(held).toBe(adds - drains);
  expect(actions.filter((a) => a.finalState === "intent")).toEqual([]);
}
