import { isSettled } from "../../core/action-state.ts";
import { notBefore, nowMs } from "../../core/clock.ts";
import { varMismatches } from "../../core/computed-with.ts";
import { UserError } from "../../core/errors.ts";
import { evaluateGuards } from "../../core/guards.ts";
import type { Warehouse } from "../../warehouse/port.ts";
import { readApplyHistory } from "../apply-history.ts";
import { readCampaignHealth } from "../campaign-health.ts";
import { checkKey, loadManagedCampaigns } from "../preflight.ts";
import {
  isPullComplete,
  readLatestPull,
  readPushBudget,
  requireSuppressedNow,
  sourceHasLeads,
} from "../warehouse-reads.ts";
import type { Preflight, RunContext, RunInputs } from "./context.ts";
import { checkTrusted } from "./trust.ts";

/**
 * The checks before anything is written. Freshness: the action tables must come from the latest
 * pull, that pull must have completed, and a plan must belong to it; the transform must have sealed
 * them (every table rebuilt, every assertion passed: trust.ts); push_budget and
 * int_campaign_health must have been computed with this run's vars. Preflight: the key works, the
 * campaigns exist; the guards decide which campaigns get no adds and whether the run must stop.
 */
export async function checkFreshness(ctx: RunContext): Promise<RunInputs> {
  const { warehouse } = ctx;
  const budget = await readPushBudget(warehouse);
  const pull = await readLatestPull(warehouse);
  if (!pull) {
    throw new UserError("no pull found in the warehouse", {
      hint: "run `engine pull`, then the transform, then apply",
    });
  }
  if (!(await isPullComplete(warehouse, pull.runId))) {
    throw new UserError(`the latest pull ${pull.runId} did not complete (no succeeded pull run recorded)`, {
      hint: "run `engine pull` again, then the transform, then apply",
    });
  }
  if (budget.pullRunId !== pull.runId) {
    throw new UserError(
      `the action tables are stale: computed from pull ${budget.pullRunId ?? "(none)"}, but the latest pull is ${pull.runId}`,
      { hint: "run the transform (`engine transform` / `dataform run`) after `engine pull`, then apply" },
    );
  }
  await checkTrusted(warehouse, budget.pullRunId);
  const warnings = checkVars(ctx, budget.computedWith);
  await checkAsOfAfterFirstPull(warehouse, budget.computedWith?.as_of ?? "");
  const health = await readCampaignHealth(warehouse, ctx.settings);
  ctx.source.checkCurrent(pull.runId, ctx.settings);
  const history = await readApplyHistory(warehouse, pull);
  return { pull, budget, health, prior: history.prior, applyNumber: history.applies + 1, warnings };
}

/**
 * A run's stamps follow the pull it acts on: on a machine whose clock is behind that pull's (clock
 * skew, or ENGINE_CLOCK_START given to every process), the run's clock moves forward past the pull's
 * last stamp, so the rules that compare an add's stamp with the pull's (pending adds, lost adds) see
 * the add after the pull. Before the run id and the start row are stamped.
 */
export async function alignClock(warehouse: Warehouse, log: (line: string) => void): Promise<void> {
  const pull = await readLatestPull(warehouse);
  if (!pull) return;
  const moved = notBefore(pull.finishedAt);
  if (moved > 0) {
    log(
      `clock: this process's clock was ${Math.ceil(moved / 1000)} s behind the last stamp of pull ${pull.runId}; its stamps start after that pull`,
    );
  }
}

/**
 * The rules' "now" (the transform's as_of) must not be before the day of the first pull: every
 * snapshot would then lie in its future. The other bound (not after the clock + 1 day) is checked
 * with the vars at start (engine/src/config/settings.ts).
 */
async function checkAsOfAfterFirstPull(warehouse: Warehouse, asOf: string): Promise<void> {
  if (asOf === "") return;
  const ref = { dataset: "staging" as const, name: "stg_instantly_pulls" };
  let first: number | undefined;
  for await (const batch of warehouse.read(ref, { columns: ["pull_started_at"] })) {
    for (const r of batch) {
      const at = (
        r.pull_started_at instanceof Date ? r.pull_started_at : new Date(String(r.pull_started_at))
      ).getTime();
      if (!Number.isNaN(at) && (first === undefined || at < first)) first = at;
    }
  }
  if (first === undefined) return;
  const firstDay = new Date(first - (first % 86_400_000));
  if (Date.parse(asOf) < firstDay.getTime()) {
    throw new UserError(
      `the action tables were computed with as_of ${asOf}, before the day of the first pull (${firstDay.toISOString().slice(0, 10)})`,
      { hint: "transform with an as_of on or after the first pull (or none), then apply" },
    );
  }
}

export async function preflight(ctx: RunContext, inputs: RunInputs): Promise<Preflight> {
  const { client, settings, warehouse } = ctx;
  await checkKey(client);
  const campaigns = await loadManagedCampaigns(client, settings);
  const drainRows = ctx.phases.drain ? await ctx.source.drains() : [];
  if (ctx.phases.push) await requireSuppressedNow(warehouse);
  const pendingDrains = drainRows.filter((d) => !isSettled(inputs.prior.get(d.action_id)));
  const hasSource = await sourceHasLeads(warehouse, settings);
  const guards = evaluateGuards({
    campaigns: campaigns.map((m) => ({
      campaignId: m.campaign.id.toLowerCase(),
      segment: m.segment.name,
      status: m.campaign.status,
    })),
    health: inputs.health,
    drainCount: pendingDrains.length,
    inventory: inputs.budget.activeInventory,
    maxDrainFraction: settings.vars.max_drain_fraction,
    sourceLeads: hasSource ? 1 : 0,
    force: ctx.options.force ?? false,
  });
  const warnings: string[] = [];
  for (const b of Object.values(guards.blockedCampaigns)) {
    ctx.log(`guard: ${b.detail}`);
    warnings.push(b.detail);
  }
  for (const text of guards.overridden) {
    ctx.log(`guard overridden by --force: ${text}`);
    warnings.push(`overridden by --force: ${text}`);
  }
  return { campaigns, health: inputs.health, guards, drainRows, warnings };
}

/**
 * Capacity comes from push_budget, computed by the transform: vars given to apply/plan that differ
 * from the ones the transform used would be silently ignored, so they are refused instead. Returns
 * the warning for a push_budget that does not record its vars.
 */
function checkVars(ctx: RunContext, computedWith: Record<string, string> | null): string[] {
  if (!computedWith) {
    return ["push_budget does not record its vars (built by an older transform): re-run the transform"];
  }
  const diff = varMismatches(computedWith, ctx.settings.rawVars, nowMs());
  if (diff.length === 0) return [];
  const list = diff
    .map(
      (d) =>
        `${d.name} is ${JSON.stringify(d.now)} here but the action tables were computed with ${JSON.stringify(d.computed)}`,
    )
    .join("; ");
  throw new UserError(`vars differ from the transform's: ${list}`, {
    hint: "run the transform with the same vars (`engine transform --vars …` / `dataform run --vars=…`), then apply with them, or apply without them",
  });
}
