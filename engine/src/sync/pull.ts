import type { Settings } from "../config/settings.ts";
import { nested } from "../core/batching.ts";
import { notBefore, now } from "../core/clock.ts";
import { type InstantlyClient, safeMessage } from "../instantly/index.ts";
import { createWarehouseAlertStore } from "../notify/alert-store.ts";
import { createNotifier } from "../notify/create-notifier.ts";
import type { Notifier } from "../notify/port.ts";
import { notifyPullCompleteness } from "../notify/pull-alert.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { instantlyCampaignsTable, syncChangelogTable } from "../warehouse/tables.ts";
import { crashPoint } from "./crash-points.ts";
import { changelogRow, type FinalEntry, MonotonicClock } from "./journal.ts";
import { checkKey, explainInstantlyError, loadManagedCampaigns, type ManagedCampaign } from "./preflight.ts";
import { type CapacityOutcome, pullCapacity } from "./pull-capacity.ts";
import {
  type CampaignCompleteness,
  describeIncompletePull,
  isComplete,
  judgeCompleteness,
  type PullCompleteness,
} from "./pull-completeness.ts";
import { type Listing, listCampaignLeads, PullBudget } from "./pull-listing.ts";
import { campaignRow, intOrNull } from "./pull-rows.ts";
import { isSnapshotOp, loadOpenActions, norm, type OpenAction, reconcileOne } from "./reconcile.ts";
import { ciRunUrl, newRunId } from "./run-id.ts";
import { writeRunRow } from "./run-record.ts";

/** The whole pull's time budget unless `PullOptions.budgetMs` says otherwise. */
export const DEFAULT_PULL_BUDGET_MS = 60 * 60_000;

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

export interface PullOptions {
  settings: Settings;
  warehouse: Warehouse;
  client: InstantlyClient;
  log?: (line: string) => void;
  env?: Record<string, string | undefined>;
  /** Lead rows per warehouse append (default 2,000). */
  batchRows?: number;
  /** Where the pull_incomplete alert goes (default: the notifier the environment asks for; false: none). */
  notifier?: Notifier | false;
  /** The whole pull's time budget in ms (default DEFAULT_PULL_BUDGET_MS): past it, the pull fails. */
  budgetMs?: number;
}

export interface PullResult {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  campaigns: number;
  leads: number;
  leadsByCampaign: Record<string, number>;
  reconciled: Record<string, Record<string, number>>;
  apiCalls: number;
  /** false when a campaign's listing is short or untrusted: apply refuses this pull. */
  complete: boolean;
  completeness: PullCompleteness;
  /** The sending-capacity snapshot, or why it is missing. */
  capacity: CapacityOutcome;
  /** A missing capacity snapshot, notification problems (the pull's status is not affected). */
  warnings: string[];
}

export async function runPull(options: PullOptions): Promise<PullResult> {
  const { settings, warehouse, client } = options;
  const log = options.log ?? (() => {});
  const startedAt = now();
  const runId = newRunId("pull", startedAt);
  const clock = new MonotonicClock();
  const budget = new PullBudget(options.budgetMs ?? DEFAULT_PULL_BUDGET_MS);
  const callsBefore = client.stats().totals.calls;

  // Preflight: nothing is written until the key works and every campaign exists.
  await checkKey(client);
  const campaigns = await loadManagedCampaigns(client, settings);
  const open = await loadOpenActions(warehouse);
  // Readers take an action's latest row by time: the rows that settle these intents must be stamped
  // after them, even when another process's clock wrote them ahead of this one (core/clock.ts).
  const latestOpen = open.reduce((m, o) => Math.max(m, o.stateAt?.getTime() ?? 0), 0);
  if (latestOpen > 0 && notBefore(new Date(latestOpen)) > 0) {
    log("  clock moved past the latest unresolved action's stamp (written by a clock ahead of this one)");
  }
  const addIndex = new Map<string, OpenAction>();
  const drainIndex = new Map<string, OpenAction>();
  for (const o of open) {
    if (o.action.op === "add") addIndex.set(`${o.action.campaign_id}|${norm(o.action.email)}`, o);
    if (o.action.op === "drain" && o.action.lead_id) drainIndex.set(o.action.lead_id, o);
  }
  log(`pull ${runId}: ${campaigns.length} campaign(s), ${open.length} unresolved action(s) to reconcile`);

  await warehouse.append(
    instantlyCampaignsTable,
    campaigns.map((m) => campaignRow(runId, clock.next(), m)),
  );

  const leadsByCampaign: Record<string, number> = {};
  const listings = new Map<string, Listing>();
  let total = 0;
  for (const m of campaigns) {
    const campaignId = m.campaign.id.toLowerCase();
    const what = `lead listing of campaign ${campaignId}`;
    const listing = await failOnError(options, runId, startedAt, what, () =>
      listCampaignLeads({
        client,
        warehouse,
        runId,
        clock,
        campaignId,
        batchRows: options.batchRows ?? 2000,
        budget,
        addIndex,
        drainIndex,
        progress: (n) => log(`  ${m.segment.name}: ${n.toLocaleString("en-US")} leads`),
      }),
    );
    listings.set(campaignId, listing);
    leadsByCampaign[campaignId] = listing.distinct;
    total += listing.distinct;
    log(`  ${m.segment.name} (${campaignId}): ${listing.distinct.toLocaleString("en-US")} leads snapshotted`);
  }
  const completeness = judgeCompleteness(await listingCounts(client, campaigns, listings, log));
  const incomplete = describeIncompletePull(completeness);
  if (incomplete) log(incomplete);

  const capacity = await failOnError(options, runId, startedAt, "sending-capacity snapshot", () => {
    budget.check("before the sending-capacity snapshot");
    return pullCapacity({
      client,
      warehouse,
      runId,
      at: clock.next(),
      today: now(),
      managed: campaigns.map((m) => m.campaign),
    });
  });
  const warnings = capacity.status === "missing" ? [capacity.error] : [];
  log(
    capacity.status === "complete"
      ? `  sending capacity: ${capacity.campaigns} campaign(s), ${capacity.accounts} account(s), ${capacity.campaignDays + capacity.accountDays} day row(s)`
      : `  ${capacity.error}`,
  );

  crashPoint("pull.before-reconcile");
  // A campaign whose listing is short or untrusted proves nothing about its leads: its add and
  // drain intents wait for a pull that can be trusted.
  const unreliable = new Set([
    ...completeness.short.map((c) => c.campaignId),
    ...completeness.untrusted.map((c) => c.campaignId),
  ]);
  const reconciled = await failOnError(options, runId, startedAt, "reconciliation", () => {
    budget.check("before reconciliation");
    return reconcileOpen(
      open.filter((o) => !unreliable.has(o.action.campaign_id) || !isSnapshotOp(o)),
      new Set(settings.managedCampaignIds),
      client,
      warehouse,
      runId,
      clock,
    );
  });

  crashPoint("pull.before-run-row");
  const finishedAt = clock.next();
  const apiCalls = client.stats().totals.calls - callsBefore;
  await writeRunRow(warehouse, {
    runId,
    mode: "pull",
    startedAt,
    finishedAt,
    status: isComplete(completeness) ? "succeeded" : "partial",
    ...(incomplete ? { error: incomplete } : {}),
    counts: {
      campaigns: campaigns.length,
      leads: total,
      leads_by_campaign: leadsByCampaign,
      reconciled,
      api_calls: apiCalls,
      completeness,
      capacity,
    },
    ciRunUrl: ciRunUrl(options.env),
  });
  warnings.push(...(await alertCompleteness(options, runId, finishedAt, completeness)));
  return {
    runId,
    startedAt,
    finishedAt,
    campaigns: campaigns.length,
    leads: total,
    leadsByCampaign,
    reconciled,
    apiCalls,
    complete: isComplete(completeness),
    completeness,
    capacity,
    warnings,
  };
}

/**
 * A step of the pull after it started writing: on any error the pull is recorded failed (with the
 * reason) and the error is rethrown as one clear message naming the step (`what`).
 */
async function failOnError<T>(
  options: PullOptions,
  runId: string,
  startedAt: Date,
  what: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await recordFailedPull(options.warehouse, runId, startedAt, what, error, options.env);
    return explainInstantlyError(error, options.client, what);
  }
}

/** Settles the open intents of earlier runs against this snapshot and stores their final rows. */
async function reconcileOpen(
  open: readonly OpenAction[],
  managed: Set<string>,
  client: InstantlyClient,
  warehouse: Warehouse,
  runId: string,
  clock: MonotonicClock,
): Promise<Record<string, Record<string, number>>> {
  const finals: FinalEntry[] = [];
  const reconciled: Record<string, Record<string, number>> = {};
  for (const o of open) {
    const entry = await reconcileOne(o, managed, client);
    finals.push(entry);
    const byOp = nested(reconciled, o.action.op);
    byOp[entry.state] = (byOp[entry.state] ?? 0) + 1;
  }
  if (finals.length > 0) {
    const at = clock.next();
    await warehouse.append(
      syncChangelogTable,
      finals.map((f) => changelogRow(runId, at, f)),
    );
  }
  return reconciled;
}

/**
 * Each campaign's listed leads with its analytics lead count from the preflight and again now (see
 * pull-completeness.ts). A failing second read leaves only the first count: it never fails the pull.
 */
async function listingCounts(
  client: InstantlyClient,
  campaigns: readonly ManagedCampaign[],
  listings: ReadonlyMap<string, Listing>,
  log: (line: string) => void,
): Promise<CampaignCompleteness[]> {
  const after = new Map<string, number | null>();
  const ids = campaigns.map((m) => m.campaign.id.toLowerCase());
  try {
    for (const a of await client.campaignAnalytics({ ids, excludeTotalLeadsCount: false })) {
      after.set(a.campaign_id.toLowerCase(), intOrNull(a.leads_count));
    }
  } catch (error) {
    log(
      `  lead counts not re-read (${safeMessage(error instanceof Error ? error.message : String(error), 200)})`,
    );
  }
  return campaigns.map((m) => {
    const campaignId = m.campaign.id.toLowerCase();
    const l = listings.get(campaignId);
    return {
      campaignId,
      listed: l?.distinct ?? 0,
      nullEmails: l?.nullEmails ?? 0,
      duplicateIds: l?.duplicateIds ?? 0,
      countBefore: intOrNull(m.analytics?.leads_count),
      countAfter: after.get(campaignId) ?? null,
    };
  });
}

/** Raise or clear the pull_incomplete alert; warnings only, never an error. */
async function alertCompleteness(
  options: PullOptions,
  runId: string,
  finishedAt: Date,
  completeness: PullCompleteness,
): Promise<string[]> {
  if (options.notifier === false) return [];
  try {
    const notifier =
      options.notifier ??
      createNotifier(options.env ?? process.env, { write: (text) => process.stderr.write(text) });
    return await notifyPullCompleteness(
      {
        runId,
        finishedAt,
        ciRunUrl: ciRunUrl(options.env),
        short: completeness.short,
        measured: completeness.checked > 0,
      },
      { notifier, alertStore: createWarehouseAlertStore(options.warehouse), env: options.env ?? process.env },
    );
  } catch (error) {
    return [`pull alert not sent: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`];
  }
}

/**
 * A pull that failed after it started writing: record it (status failed) so `engine status` and the
 * dashboard show it. Its snapshot rows stay (append-only) but apply never uses them: only a pull with
 * a succeeded row counts as complete. Best effort: the original error is what the user must see.
 */
async function recordFailedPull(
  warehouse: Warehouse,
  runId: string,
  startedAt: Date,
  what: string,
  error: unknown,
  env: Record<string, string | undefined> | undefined,
): Promise<void> {
  try {
    await writeRunRow(warehouse, {
      runId,
      mode: "pull",
      startedAt,
      finishedAt: now(),
      status: "failed",
      error: safeMessage(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, 1000),
      ciRunUrl: ciRunUrl(env),
    });
  } catch {
    // the warehouse itself may be what failed
  }
}
