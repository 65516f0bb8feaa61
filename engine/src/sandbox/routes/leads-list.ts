import { z } from "zod";
import { normaliseEmail } from "../lead-model.ts";
import type { Lead } from "../models.ts";
import { finishPage, limitSchema } from "../pagination.ts";
import type { RouteContext } from "../router.ts";
import { validate } from "../validate.ts";
import { uuid } from "./schemas.ts";

/**
 * `POST /leads/list`: body filters, id-ordered cursor pages (or email-ordered with
 * `distinct_contacts`), and the `leadListEndEarlyRate` fault that ends a listing early.
 */

const FILTERS: Record<string, (l: Lead) => boolean> = {
  FILTER_VAL_CONTACTED: (l) => l.timestamp_last_contact !== null,
  FILTER_VAL_NOT_CONTACTED: (l) => l.timestamp_last_contact === null,
  FILTER_VAL_COMPLETED: (l) => l.status === 3,
  FILTER_VAL_UNSUBSCRIBED: (l) => l.status === -2,
  FILTER_VAL_ACTIVE: (l) => l.status === 1,
  FILTER_VAL_BOUNCED: (l) => l.status === -1,
  FILTER_VAL_SKIPPED: (l) => l.status === -3,
  FILTER_LEAD_INTERESTED: (l) => l.lt_interest_status === 1,
  FILTER_LEAD_NOT_INTERESTED: (l) => l.lt_interest_status === -1,
  FILTER_LEAD_MEETING_BOOKED: (l) => l.lt_interest_status === 2,
  FILTER_LEAD_MEETING_COMPLETED: (l) => l.lt_interest_status === 3,
  FILTER_LEAD_CLOSED: (l) => l.lt_interest_status === 4,
  FILTER_LEAD_OUT_OF_OFFICE: (l) => l.lt_interest_status === 0,
  FILTER_LEAD_WRONG_PERSON: (l) => l.lt_interest_status === -2,
  FILTER_LEAD_LOST: (l) => l.lt_interest_status === -3,
  FILTER_LEAD_NO_SHOW: (l) => l.lt_interest_status === -4,
  FILTER_LEAD_CUSTOM_LABEL_POSITIVE: () => false,
  FILTER_LEAD_CUSTOM_LABEL_NEGATIVE: () => false,
  FILTER_VAL_RISKY: (l) => l.verification_status === -2,
  FILTER_VAL_INVALID: (l) => l.verification_status === -1,
  FILTER_VAL_VALID: (l) => l.verification_status === 1,
  FILTER_VAL_IN_SUBSEQUENCE: (l) => l.subsequence_id !== null,
  FILTER_VAL_OPENED_NO_REPLY: (l) => l.email_open_count > 0 && l.email_reply_count === 0,
  FILTER_VAL_COMPLETED_NO_REPLY: (l) => l.status === 3 && l.email_reply_count === 0,
  FILTER_VAL_NO_OPENS: (l) => l.email_open_count === 0,
  FILTER_VAL_REPLIED: (l) => l.email_reply_count > 0,
  FILTER_VAL_LINK_CLICKED: (l) => l.email_click_count > 0,
};

const listBody = z.object({
  search: z.string().optional(),
  filter: z.enum(Object.keys(FILTERS) as [string, ...string[]]).optional(),
  campaign: uuid.optional(),
  list_id: uuid.optional(),
  in_campaign: z.boolean().optional(),
  in_list: z.boolean().optional(),
  ids: z.array(uuid).optional(),
  excluded_ids: z.array(uuid).optional(),
  contacts: z.array(z.string()).optional(),
  queries: z.array(z.unknown()).optional(),
  organization_user_ids: z.array(uuid).optional(),
  smart_view_id: z.string().optional(),
  is_website_visitor: z.boolean().optional(),
  distinct_contacts: z.boolean().optional(),
  enrichment_status: z.number().optional(),
  esg_code: z.string().optional(),
  limit: limitSchema.optional(),
  starting_after: z.string().optional(),
});

function matchesFilters(lead: Lead, body: z.infer<typeof listBody>, sets: FilterSets): boolean {
  if (body.campaign !== undefined && lead.campaign !== body.campaign.toLowerCase()) return false;
  if (body.list_id !== undefined && lead.list_id !== body.list_id.toLowerCase()) return false;
  if (body.in_campaign === true && lead.campaign === null) return false;
  if (body.in_campaign === false && lead.campaign !== null) return false;
  if (body.in_list === true && lead.list_id === null) return false;
  if (body.in_list === false && lead.list_id !== null) return false;
  if (sets.excluded?.has(lead.id)) return false;
  if (sets.contacts && (lead.email === null || !sets.contacts.has(lead.email))) return false;
  if (body.filter !== undefined && !(FILTERS[body.filter] as (l: Lead) => boolean)(lead)) return false;
  if (body.is_website_visitor !== undefined && Boolean(lead.is_website_visitor) !== body.is_website_visitor)
    return false;
  if (body.search !== undefined && body.search !== "") {
    const q = body.search.toLowerCase();
    const hay = [lead.email, lead.first_name, lead.last_name].map((v) => (v ?? "").toLowerCase());
    if (!hay.some((v) => v.includes(q))) return false;
  }
  return true;
}

interface FilterSets {
  excluded: Set<string> | null;
  contacts: Set<string> | null;
}

export function listLeads(ctx: RouteContext) {
  const { state, options } = ctx;
  const body = validate(listBody, ctx.body ?? {}, "body");
  const limit = body.limit ?? options.unknown.defaultLimit;
  const sets: FilterSets = {
    excluded: body.excluded_ids ? new Set(body.excluded_ids.map((s) => s.toLowerCase())) : null,
    contacts: body.contacts ? new Set(body.contacts.map((e) => normaliseEmail(e) ?? "")) : null,
  };
  if (body.distinct_contacts) {
    const byEmail = new Map<string, Lead>();
    for (const id of state.leads.sortedIds()) {
      const lead = state.leads.get(id);
      if (!lead?.email || byEmail.has(lead.email)) continue;
      if (body.ids && !body.ids.includes(lead.id)) continue;
      if (matchesFilters(lead, body, sets)) byEmail.set(lead.email, lead);
    }
    const sorted = [...byEmail.values()].sort((a, b) => ((a.email as string) < (b.email as string) ? -1 : 1));
    const after = body.starting_after;
    const rest = after === undefined ? sorted : sorted.filter((l) => (l.email as string) > after);
    return { body: finishPage(ctx, rest.slice(0, limit), (l) => l.email as string, rest.length > limit) };
  }
  const candidates = body.ids
    ? [...new Set(body.ids.map((s) => s.toLowerCase()))].sort()
    : state.leads.sortedIds();
  let i = 0;
  if (body.starting_after !== undefined) {
    const after = body.starting_after;
    let hi = candidates.length;
    while (i < hi) {
      const mid = (i + hi) >> 1;
      if ((candidates[mid] as string) <= after) i = mid + 1;
      else hi = mid;
    }
  }
  const items: Lead[] = [];
  let more = false;
  for (; i < candidates.length; i++) {
    const lead = state.leads.get(candidates[i] as string);
    if (!lead || !matchesFilters(lead, body, sets)) continue;
    if (items.length === limit) {
      more = true;
      break;
    }
    items.push(lead);
  }
  // Drawn only when the fault is on, so seeded runs without it keep their exact page sequence.
  if (more && ctx.listEndEarlyRate > 0 && ctx.prng.chance(ctx.listEndEarlyRate)) return { body: { items } };
  return { body: finishPage(ctx, items, (l) => l.id, more) };
}
