/**
 * Is a pull's lead listing complete? Instantly's `POST /leads/list` returns no total, but
 * `GET /campaigns/analytics` carries each campaign's `leads_count` (the preflight asks for it).
 * A listing that returns fewer leads than the campaign holds (an upstream that ends pagination early)
 * would make the rules undercount inventory, so the pull is recorded as incomplete and apply refuses
 * its action tables.
 *
 * The count is read before and after the listing; a campaign is short only when it listed fewer
 * leads than BOTH counts. Leads deleted in Instantly during the listing lower the second count and
 * leads added raise the listing, so neither is mistaken for a truncated listing. `listed` counts
 * DISTINCT lead ids: a listing that repeats ids must not pass for a complete one.
 *
 * A listing can also be whole but untrustworthy: leads with a null email (nothing can be matched to
 * a person, an opt-out among them would be lost) or a lead id listed twice. Such a campaign is
 * `untrusted`, and the pull is recorded partial naming it, like a short one.
 */

export interface CampaignCompleteness {
  campaignId: string;
  /** Distinct lead ids listed. */
  listed: number;
  /** Leads listed without an email, and rows repeating an id already listed (default 0). */
  nullEmails?: number;
  duplicateIds?: number;
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
  untrusted: UntrustedCampaign[];
}

export interface UntrustedCampaign {
  campaignId: string;
  nullEmails: number;
  duplicateIds: number;
}

export function judgeCompleteness(campaigns: readonly CampaignCompleteness[]): PullCompleteness {
  const out: PullCompleteness = { checked: 0, unchecked: [], short: [], untrusted: [] };
  for (const c of campaigns) {
    const nullEmails = c.nullEmails ?? 0;
    const duplicateIds = c.duplicateIds ?? 0;
    if (nullEmails > 0 || duplicateIds > 0) {
      out.untrusted.push({ campaignId: c.campaignId, nullEmails, duplicateIds });
    }
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

/** True when apply may use the pull: no campaign short, none untrusted. */
export function isComplete(c: PullCompleteness): boolean {
  return c.short.length === 0 && c.untrusted.length === 0;
}

/** The sync_runs error / log line of an incomplete pull (ids and counts only), or null when complete. */
export function describeIncompletePull(c: PullCompleteness): string | null {
  const parts: string[] = [];
  if (c.short.length > 0) parts.push(describeShortPull(c.short));
  if (c.untrusted.length > 0) parts.push(describeUntrusted(c.untrusted));
  return parts.length === 0 ? null : parts.join("; ");
}

export function describeUntrusted(untrusted: readonly UntrustedCampaign[]): string {
  const parts = untrusted.map((u) => {
    const what = [
      u.nullEmails > 0 ? `${u.nullEmails} lead(s) without an email` : "",
      u.duplicateIds > 0 ? `${u.duplicateIds} repeated lead id(s)` : "",
    ].filter((x) => x !== "");
    return `campaign ${u.campaignId} listed ${what.join(" and ")}`;
  });
  return `untrusted listing: ${parts.join("; ")}; its action tables will be refused`;
}

/** The sync_runs error / log line for a short pull (ids and counts only). */
export function describeShortPull(short: readonly ShortCampaign[]): string {
  const parts = short.map((s) => `campaign ${s.campaignId} listed ${s.listed} of ${s.expected} leads`);
  return `incomplete pull: ${parts.join("; ")} (campaign analytics leads_count); its action tables will be refused`;
}
