import { leadTerms, scrubErrorMessage } from "../core/redact.ts";
import { attributeBulkAdd, normaliseEmail } from "./bulk-add.ts";
import { requireId } from "./client-args.ts";
import type { ClientCore } from "./client-core.ts";
import {
  type BulkAddFlags,
  type BulkAddResult,
  type DeleteLeadStatus,
  type DeleteLeadsResult,
  MAX_BULK_ADD,
} from "./client-types.ts";
import { type LeadInput, pickLeadFields } from "./lead-input.ts";
import { bulkAddResponseSchema, bulkDeleteResponseSchema, parseResponse } from "./schemas.ts";
import type { RequestSpec } from "./transport.ts";

/**
 * The two bulk lead writes, with the look-ups that turn Instantly's summary counts into one outcome
 * per row (see bulk-add.ts for the attribution rules).
 */

/**
 * Adds up to 1,000 leads to a campaign (`POST /leads/add`) and returns one outcome per input row
 * (see bulk-add.ts). A terminal 4xx for the whole batch throws InstantlyRejectedError.
 */
export async function bulkAddLeads(
  core: ClientCore,
  campaignId: string,
  leads: readonly LeadInput[],
  flags: BulkAddFlags = {},
): Promise<BulkAddResult> {
  const campaign = requireId("campaign id", campaignId);
  if (leads.length < 1 || leads.length > MAX_BULK_ADD) {
    throw new TypeError(`bulkAddLeads takes 1 to ${MAX_BULK_ADD} leads per call, got ${leads.length}`);
  }
  const skipIfInWorkspace = flags.skipIfInWorkspace ?? true;
  const skipIfInCampaign = flags.skipIfInCampaign ?? false;
  const body: Record<string, unknown> = {
    campaign_id: campaign,
    leads: leads.map(pickLeadFields),
    skip_if_in_workspace: skipIfInWorkspace,
    skip_if_in_campaign: skipIfInCampaign,
    skip_if_in_list: flags.skipIfInList ?? false,
    ...(flags.blocklistId ? { blocklist_id: flags.blocklistId } : {}),
    ...(flags.verifyLeadsOnImport ? { verify_leads_on_import: true } : {}),
  };
  try {
    return await sendBulkAdd(core, leads, body, skipIfInWorkspace || skipIfInCampaign, flags);
  } catch (error) {
    // An upstream error may echo what we sent; the names and companies of this batch are known.
    throw scrubErrorMessage(error, leadTerms(leads));
  }
}

async function sendBulkAdd(
  core: ClientCore,
  leads: readonly LeadInput[],
  body: Record<string, unknown>,
  retryAmbiguous: boolean,
  flags: BulkAddFlags,
): Promise<BulkAddResult> {
  const spec: RequestSpec = {
    operation: "bulkAddLeads",
    method: "POST",
    path: "/leads/add",
    route: "/leads/add",
    body,
    // The dedupe flags make a repeat skip what the first attempt created, so a retry is safe.
    retryAmbiguous,
  };
  const res = await core.transport.request(spec);
  const summary = parseResponse(bulkAddResponseSchema, res.data, core.ctx(spec, res.status));
  const emails = leads.map((l) => l.email);
  const retried = res.ambiguousRetries > 0;
  let attribution = attributeBulkAdd(emails, summary, { retriedAfterAmbiguousFailure: retried });
  let lookupRequests = 0;
  if (attribution.ambiguous.length > 0 && (flags.resolveMixedCounts ?? true)) {
    const wanted = attribution.ambiguous
      .map((i) => normaliseEmail(emails[i]))
      .filter((e): e is string => e !== undefined);
    const { found, requests } = await core.existingEmails(wanted);
    lookupRequests = requests;
    attribution = attributeBulkAdd(emails, summary, {
      existing: found,
      retriedAfterAmbiguousFailure: retried,
    });
  }
  return { rows: attribution.rows, summary, lookupRequests };
}

/**
 * Deletes leads of one campaign by id (`DELETE /leads` with `{campaign_id, ids}`, ≤ 1,000 ids per
 * call). The API returns only `{count}`; when a chunk's count is short of its ids, a follow-up
 * `POST /leads/list {campaign, ids}` establishes which ids are still present (→ `still_present`,
 * a failure) — the others are gone (`deleted`; an id that was already gone cannot be told apart
 * from one this call deleted, and both meet the goal). A chunk with a full count needs no check.
 */
export async function deleteLeads(
  core: ClientCore,
  deleteChunk: number,
  campaignId: string,
  ids: readonly string[],
): Promise<DeleteLeadsResult> {
  const campaign = requireId("campaign id", campaignId);
  if (ids.length === 0) return { rows: [], deletedCount: 0 };
  for (const id of ids) requireId("lead id", id);
  const status = new Map<string, DeleteLeadStatus>();
  let deletedCount = 0;
  for (let start = 0; start < ids.length; start += deleteChunk) {
    const chunk = [...new Set(ids.slice(start, start + deleteChunk))];
    const spec: RequestSpec = {
      operation: "deleteLeads",
      method: "DELETE",
      path: "/leads",
      route: "/leads",
      body: { campaign_id: campaign, ids: chunk, limit: chunk.length },
      retryAmbiguous: true,
    };
    const res = await core.transport.request(spec);
    const { count } = parseResponse(bulkDeleteResponseSchema, res.data, core.ctx(spec, res.status));
    deletedCount += count;
    const present = count < chunk.length ? await core.presentIds(campaign, chunk) : new Set<string>();
    for (const id of chunk) {
      // A zero count means nothing was deleted now, so every absent id was gone before the call.
      status.set(id, present.has(id) ? "still_present" : count === 0 ? "already_absent" : "deleted");
    }
  }
  return { rows: ids.map((id) => ({ id, status: status.get(id) ?? "still_present" })), deletedCount };
}
