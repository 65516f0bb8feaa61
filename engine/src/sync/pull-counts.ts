import { type InstantlyClient, safeMessage } from "../instantly/index.ts";
import type { ManagedCampaign } from "./preflight.ts";
import { describeIncompletePull, judgeCompleteness, type PullCompleteness } from "./pull-completeness.ts";
import type { Listing } from "./pull-listing.ts";
import { intOrNull } from "./pull-rows.ts";

/**
 * Whether the listing is complete: each campaign's listed leads against its analytics lead count from
 * the preflight and again now (pull-completeness.ts judges). A failing second read leaves only the
 * first count: it never fails the pull. An incomplete pull is logged with the campaigns it names.
 */
export async function measureCompleteness(
  client: InstantlyClient,
  campaigns: readonly ManagedCampaign[],
  listings: ReadonlyMap<string, Listing>,
  log: (line: string) => void,
): Promise<PullCompleteness> {
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
  const completeness = judgeCompleteness(
    campaigns.map((m) => {
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
    }),
  );
  const incomplete = describeIncompletePull(completeness);
  if (incomplete) log(incomplete);
  return completeness;
}
