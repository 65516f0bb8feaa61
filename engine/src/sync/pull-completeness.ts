/**
 * Is a pull's lead listing complete? Instantly's `POST /leads/list` returns no total, but
 * `GET /campaigns/analytics` carries each campaign's `leads_count` (the preflight asks for it).
 * A listing that returns fewer leads than the campaign holds (an upstream that ends pagination early)
 * would make the rules undercount inventory, so the pull is recorded as incomplete and apply refuses
 * its action tables.
 *
 * The count is read before and after the listing; a campaign is short only when it listed fewer
 * leads than BOTH counts. Leads deleted in Instantly during the listing lower the second count and
 * leads added raise the listing, so neither is mistaken for a truncated listing.
 */

export interface CampaignCompleteness {
  campaignId: string;
  listed: number;
  /** leads_count from analytics before / after the listing (null: analytics did not carry one). */
  countBefore: number | null;
  countAfter: number | null;
}

export interface ShortCampaign {
  campaignId: string;
  listed: number;
  expected: number;
}

export interface PullCompleteness {
  /** Campaigns whose listing could be checked against a count. */
  checked: number;
  /** Campaigns without a count (analytics omit campaigns that never sent): not judged. */
  unchecked: string[];
  short: ShortCampaign[];
}

export function judgeCompleteness(campaigns: readonly CampaignCompleteness[]): PullCompleteness {
  const out: PullCompleteness = { checked: 0, unchecked: [], short: [] };
  for (const c of campaigns) {
    const counts = [c.countBefore, c.countAfter].filter((n): n is number => n !== null);
    if (counts.length === 0) {
      out.unchecked.push(c.campaignId);
      continue;
    }
    out.checked++;
    const expected = Math.min(...counts);
    if (c.listed < expected) out.short.push({ campaignId: c.campaignId, listed: c.listed, expected });
  }
  return out;
}

/** The sync_runs error / log line for a short pull (ids and counts only). */
export function describeShortPull(short: readonly ShortCampaign[]): string {
  const parts = short.map((s) => `campaign ${s.campaignId} listed ${s.listed} of ${s.expected} leads`);
  return `incomplete pull: ${parts.join("; ")} (campaign analytics leads_count); its action tables will be refused`;
}
