import { now } from "../core/clock.ts";
import { instantlyCampaignsTable } from "../warehouse/tables.ts";
import type { MonotonicClock } from "./journal.ts";
import type { ManagedCampaign } from "./preflight.ts";
import { type CapacityOutcome, pullCapacity } from "./pull-capacity.ts";
import { type Listing, listCampaignLeads, type PullBudget } from "./pull-listing.ts";
import type { PullPreflight } from "./pull-preflight.ts";
import { campaignRow } from "./pull-rows.ts";
import { failOnError } from "./pull-run-row.ts";
import type { PullRun } from "./pull-types.ts";

/** How the snapshot steps pace and stamp their rows. */
export interface SnapshotPacing {
  clock: MonotonicClock;
  budget: PullBudget;
  /** Lead rows per warehouse append. */
  batchRows: number;
  log: (line: string) => void;
}

export interface LeadSnapshot {
  /** Distinct leads listed per campaign id, and over all campaigns. */
  leadsByCampaign: Record<string, number>;
  total: number;
  listings: Map<string, Listing>;
}

/**
 * The campaign rows, then every campaign's leads, streamed page by page and appended in batches so
 * memory stays flat whatever the inventory. Marks the open intents the listing finds (pull-listing.ts).
 */
export async function snapshotLeads(
  run: PullRun,
  pre: PullPreflight,
  pacing: SnapshotPacing,
): Promise<LeadSnapshot> {
  const { clock, log } = pacing;
  await run.warehouse.append(
    instantlyCampaignsTable,
    pre.campaigns.map((m) => campaignRow(run.runId, clock.next(), m)),
  );
  const out: LeadSnapshot = { leadsByCampaign: {}, total: 0, listings: new Map() };
  for (const m of pre.campaigns) {
    const campaignId = m.campaign.id.toLowerCase();
    const listing = await failOnError(run, `lead listing of campaign ${campaignId}`, () =>
      listCampaignLeads({
        client: run.client,
        warehouse: run.warehouse,
        runId: run.runId,
        clock,
        campaignId,
        batchRows: pacing.batchRows,
        budget: pacing.budget,
        addIndex: pre.addIndex,
        drainIndex: pre.drainIndex,
        progress: (n) => log(`  ${m.segment.name}: ${n.toLocaleString("en-US")} leads`),
      }),
    );
    out.listings.set(campaignId, listing);
    out.leadsByCampaign[campaignId] = listing.distinct;
    out.total += listing.distinct;
    log(`  ${m.segment.name} (${campaignId}): ${listing.distinct.toLocaleString("en-US")} leads snapshotted`);
  }
  return out;
}

/**
 * The sending-capacity snapshot (pull-capacity.ts). A read that fails leaves the pull's status to
 * the leads and is returned as `missing` with its reason (a warning of the pull).
 */
export async function snapshotCapacity(
  run: PullRun,
  campaigns: readonly ManagedCampaign[],
  pacing: SnapshotPacing,
): Promise<CapacityOutcome> {
  const capacity = await failOnError(run, "sending-capacity snapshot", () => {
    pacing.budget.check("before the sending-capacity snapshot");
    return pullCapacity({
      client: run.client,
      warehouse: run.warehouse,
      runId: run.runId,
      at: pacing.clock.next(),
      today: now(),
      managed: campaigns.map((m) => m.campaign),
    });
  });
  pacing.log(
    capacity.status === "complete"
      ? `  sending capacity: ${capacity.campaigns} campaign(s), ${capacity.accounts} account(s), ${capacity.campaignDays + capacity.accountDays} day row(s)`
      : `  ${capacity.error}`,
  );
  return capacity;
}
