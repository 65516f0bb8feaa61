import { now } from "../core/clock.ts";
import { crashPoint } from "./crash-points.ts";
import { MonotonicClock } from "./journal.ts";
import { isComplete } from "./pull-completeness.ts";
import { measureCompleteness } from "./pull-counts.ts";
import { PullBudget } from "./pull-listing.ts";
import { alertCompleteness } from "./pull-notify.ts";
import { preflightPull } from "./pull-preflight.ts";
import { reconcileOpen, settleable } from "./pull-reconcile.ts";
import { failOnError, writePullRow } from "./pull-run-row.ts";
import { snapshotCapacity, snapshotLeads } from "./pull-snapshot.ts";
import { DEFAULT_PULL_BUDGET_MS, type PullOptions, type PullResult, type PullRun } from "./pull-types.ts";
import { newRunId } from "./run-id.ts";

export { DEFAULT_PULL_BUDGET_MS, type PullOptions, type PullResult } from "./pull-types.ts";

/**
 * `engine pull`: snapshot the managed campaigns (with analytics) and every lead in them into
 * `instantly_campaigns` / `instantly_leads` (append-only, one run_id), streamed page by page and
 * appended in batches so memory stays flat whatever the inventory; then reconcile the write-ahead
 * intents of earlier runs that never got a final state against this snapshot:
 *
 * - add:    lead (email) present in its campaign → succeeded (with its lead id); else failed, retryable;
 *           also re-checks adds whose failure was ambiguous (5xx, timeout, partial bulk result);
 * - drain:  lead id gone → succeeded; still there → failed, retryable;
 * - block:  the value is in Instantly's block list → succeeded; else failed, retryable;
 * - verify: failed, retryable (asking again would spend a credit; a later push verifies again).
 *
 * Read top to bottom: preflight (pull-preflight.ts) → the lead listing (pull-snapshot.ts) →
 * completeness (pull-counts.ts) → the capacity snapshot → reconciliation (pull-reconcile.ts) → the
 * run row (pull-run-row.ts) → the pull_incomplete alert (pull-notify.ts).
 *
 * The pull is recorded as a sync_runs row with mode `pull` and status `succeeded` LAST: a pull killed
 * midway leaves snapshot rows but no such row, and apply refuses action tables computed from it.
 *
 * A pull that listed fewer leads than a campaign's analytics `leads_count`, or listed leads without
 * an email or the same lead id twice (pull-completeness.ts), is recorded `partial` with the reason
 * naming the campaign instead, so apply refuses it the same way; its add/drain intents of those
 * campaigns are not reconciled (a missing lead proves nothing then), and a short listing raises the
 * `pull_incomplete` alert (notify/pull-alert.ts).
 *
 * Each pull also snapshots the sending capacity (pull-capacity.ts). A capacity read that fails
 * leaves the pull's status to the leads (the pacing rules give no adds to a campaign without
 * capacity rows of the pull) and is recorded in the run's counts (`capacity.status: missing`) and
 * warnings. A listing that loops, a call past its deadline (headers and body: transport.ts) or a
 * pull past its budget (`budgetMs`) ends the pull with a failed sync_runs row naming the step.
 */
export async function runPull(options: PullOptions): Promise<PullResult> {
  const { settings, warehouse, client } = options;
  const log = options.log ?? (() => {});
  const startedAt = now();
  const run: PullRun = { runId: newRunId("pull", startedAt), startedAt, warehouse, client, env: options.env };
  const pacing = {
    clock: new MonotonicClock(),
    budget: new PullBudget(options.budgetMs ?? DEFAULT_PULL_BUDGET_MS),
    batchRows: options.batchRows ?? 2000,
    log,
  };
  const callsBefore = client.stats().totals.calls;

  const pre = await preflightPull(client, warehouse, settings, log);
  log(
    `pull ${run.runId}: ${pre.campaigns.length} campaign(s), ${pre.open.length} unresolved action(s) to reconcile`,
  );
  const leads = await snapshotLeads(run, pre, pacing);
  const completeness = await measureCompleteness(client, pre.campaigns, leads.listings, log);
  const capacity = await snapshotCapacity(run, pre.campaigns, pacing);

  crashPoint("pull.before-reconcile");
  const reconciled = await failOnError(run, "reconciliation", () => {
    pacing.budget.check("before reconciliation");
    return reconcileOpen(
      run,
      settleable(pre.open, completeness),
      new Set(settings.managedCampaignIds),
      pacing.clock,
    );
  });

  crashPoint("pull.before-run-row");
  const finishedAt = pacing.clock.next();
  const apiCalls = client.stats().totals.calls - callsBefore;
  const counts = {
    campaigns: pre.campaigns.length,
    leads: leads.total,
    leads_by_campaign: leads.leadsByCampaign,
    reconciled,
    api_calls: apiCalls,
    completeness,
    capacity,
  };
  await writePullRow(run, finishedAt, completeness, counts);

  const alertWarnings = await alertCompleteness(run, options.notifier, finishedAt, completeness);
  return {
    runId: run.runId,
    startedAt,
    finishedAt,
    campaigns: pre.campaigns.length,
    leads: leads.total,
    leadsByCampaign: leads.leadsByCampaign,
    reconciled,
    apiCalls,
    complete: isComplete(completeness),
    completeness,
    capacity,
    warnings: [...(capacity.status === "missing" ? [capacity.error] : []), ...alertWarnings],
  };
}
