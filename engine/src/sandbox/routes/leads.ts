import { z } from "zod";
import type { ReceivedLeadInput } from "../../instantly/lead-input.ts";
import { ApiError, badRequest, notFound } from "../api-error.ts";
import { buildPayload, createLead, deleteLead, isValidEmail, normaliseEmail } from "../lead-model.ts";
import type { Lead } from "../models.ts";
import type { Route, RouteContext } from "../router.ts";
import type { SandboxState } from "../state.ts";
import { validate } from "../validate.ts";
import { listLeads } from "./leads-list.ts";
import { customVariables, leadFields, nullableString, uuid } from "./schemas.ts";

/**
 * Lead endpoints as Instantly documents them: single create, bulk add with its import summary
 * (`created_leads` plus per-category counts), get, patch, delete and bulk delete; the listing is in
 * leads-list.ts.
 */

const strictBulkLead = z.strictObject(leadFields);
const lenientBulkLead = z.object(leadFields);

const bulkAddBody = <L extends z.ZodType>(lead: L) =>
  z.object({
    leads: z.array(lead).min(1).max(1000),
    campaign_id: uuid.optional(),
    list_id: uuid.optional(),
    blocklist_id: uuid.nullable().optional(),
    assigned_to: uuid.optional(),
    verify_leads_on_import: z.boolean().optional(),
    skip_if_in_workspace: z.boolean().optional(),
    skip_if_in_campaign: z.boolean().optional(),
    skip_if_in_list: z.boolean().optional(),
  });
const strictBulkAdd = bulkAddBody(strictBulkLead);
const lenientBulkAdd = bulkAddBody(lenientBulkLead);
type BulkAdd = z.infer<typeof strictBulkAdd>;

const createBody = z.object({
  ...leadFields,
  campaign: uuid.nullable().optional(),
  list_id: uuid.nullable().optional(),
  skip_if_in_workspace: z.boolean().optional(),
  skip_if_in_campaign: z.boolean().optional(),
  skip_if_in_list: z.boolean().optional(),
  blocklist_id: uuid.optional(),
  verify_leads_for_lead_finder: z.boolean().optional(),
  verify_leads_on_import: z.boolean().optional(),
});

const patchBody = z.strictObject({
  personalization: nullableString,
  website: nullableString,
  last_name: nullableString,
  first_name: nullableString,
  company_name: nullableString,
  job_title: nullableString,
  phone: nullableString,
  lt_interest_status: z.number().nullable().optional(),
  pl_value_lead: nullableString,
  assigned_to: uuid.nullable().optional(),
  custom_variables: customVariables.optional(),
});

const bulkDeleteBody = z.object({
  campaign_id: uuid.optional(),
  list_id: uuid.optional(),
  status: z.union([1, 2, 3, -1, -2, -3].map((n) => z.literal(n))).optional(),
  ids: z.array(uuid).optional(),
  limit: z.int().min(1).max(10_000).optional(),
});

const idParams = z.object({ id: uuid });

const interestBody = z.object({
  lead_email: z.string(),
  interest_value: z.number().nullable(),
  campaign_id: uuid.optional(),
  list_id: uuid.optional(),
  ai_interest_value: z.number().optional(),
  disable_auto_interest: z.boolean().optional(),
});

function requireTarget(
  state: SandboxState,
  body: { campaign_id?: string | undefined; list_id?: string | undefined },
): { campaign: string | null; list_id: string | null } {
  if (body.campaign_id === undefined && body.list_id === undefined)
    throw badRequest("body must have required property 'campaign_id'");
  if (body.campaign_id !== undefined && body.list_id !== undefined)
    throw badRequest("body must match exactly one schema in oneOf");
  if (body.campaign_id !== undefined) {
    const id = body.campaign_id.toLowerCase();
    if (!state.campaigns.has(id)) throw notFound("Campaign not found");
    return { campaign: id, list_id: null };
  }
  const id = (body.list_id as string).toLowerCase();
  if (!state.leadLists.has(id)) throw notFound("Lead list not found");
  return { campaign: null, list_id: id };
}

/** Why an existing row makes a skip flag fire (workspace overrides the other two). */
function skippedByFlags(
  existing: Lead[],
  flags: {
    skip_if_in_workspace?: boolean | undefined;
    skip_if_in_campaign?: boolean | undefined;
    skip_if_in_list?: boolean | undefined;
  },
): boolean {
  if (existing.length === 0) return false;
  if (flags.skip_if_in_workspace) return true;
  if (flags.skip_if_in_campaign && existing.some((l) => l.campaign !== null)) return true;
  if (flags.skip_if_in_list && existing.some((l) => l.list_id !== null)) return true;
  return false;
}

function inTarget(
  existing: Lead[],
  target: { campaign: string | null; list_id: string | null },
): Lead | undefined {
  return existing.find((l) =>
    target.campaign !== null ? l.campaign === target.campaign : l.list_id === target.list_id,
  );
}

/**
 * The `echoLeadInAddErrorRate` fault: a 400 whose message quotes the first lead's name, company and
 * email, as upstream validators sometimes do. What the engine stores from it must quote none of them.
 */
function echoingRejection(body: BulkAdd): ApiError {
  const lead = body.leads[0];
  const who = [lead?.first_name, lead?.last_name].filter(Boolean).join(" ");
  return badRequest(
    `Lead "${who}" of company "${lead?.company_name ?? ""}" <${lead?.email ?? ""}> (${encodeURIComponent(lead?.email ?? "")}) could not be imported`,
  );
}

function bulkAdd(ctx: RouteContext) {
  const { state, options } = ctx;
  const schema = options.unknown.unknownLeadKeys === "reject" ? strictBulkAdd : lenientBulkAdd;
  const body = validate(schema, ctx.body, "body") as BulkAdd;
  const target = requireTarget(state, body);
  if (ctx.echoLeadErrorRate > 0 && ctx.prng.chance(ctx.echoLeadErrorRate)) throw echoingRejection(body);
  const counts = {
    in_blocklist: 0,
    duplicated_leads: 0,
    skipped_count: 0,
    invalid_email_count: 0,
    incomplete_count: 0,
    duplicate_email_count: 0,
  };
  const seen = new Set<string>();
  const toCreate: { index: number; input: ReceivedLeadInput }[] = [];
  body.leads.forEach((input, index) => {
    const email = normaliseEmail(input.email);
    if (target.campaign !== null ? email === null : !email && !input.first_name && !input.last_name) {
      counts.incomplete_count++;
      return;
    }
    if (email !== null) {
      if (!isValidEmail(email)) {
        counts.invalid_email_count++;
        return;
      }
      if (seen.has(email)) {
        counts.duplicate_email_count++;
        return;
      }
      seen.add(email);
      if (state.blocklist.blocks(email)) {
        counts.in_blocklist++;
        return;
      }
      const existing = state.leads.withEmail(email);
      if (skippedByFlags(existing, body)) {
        counts[options.unknown.skippedCountField]++;
        return;
      }
      if (options.unknown.duplicateInTarget === "count-duplicated" && inTarget(existing, target)) {
        counts.duplicated_leads++;
        return;
      }
    }
    toCreate.push({ index, input: { ...input, assigned_to: input.assigned_to ?? body.assigned_to ?? null } });
  });
  // Fault: only a prefix of the accepted rows lands, with nothing in the counters to say why.
  const landing =
    ctx.partialBulk && toCreate.length > 0
      ? toCreate.slice(0, ctx.prng.int(0, toCreate.length - 1))
      : toCreate;
  const created_leads = landing.map(({ index, input }) => {
    const lead = createLead(state, input, target);
    if (body.verify_leads_on_import) lead.verification_status = 11;
    return {
      index,
      id: lead.id,
      email: lead.email,
      first_name: lead.first_name,
      last_name: lead.last_name,
      phone: lead.phone,
    };
  });
  const limit = state.settings.planLeadLimit;
  return {
    body: {
      status: "success",
      total_sent: body.leads.length,
      leads_uploaded: created_leads.length,
      in_blocklist: counts.in_blocklist,
      blocklist_used: body.blocklist_id ?? state.settings.defaultBlocklistId,
      duplicated_leads: counts.duplicated_leads,
      skipped_count: counts.skipped_count,
      invalid_email_count: counts.invalid_email_count,
      incomplete_count: counts.incomplete_count,
      duplicate_email_count: counts.duplicate_email_count,
      remaining_in_plan: limit === null ? null : Math.max(0, limit - state.leads.size),
      created_leads,
    },
  };
}

function createOne(ctx: RouteContext) {
  const { state, options } = ctx;
  const body = validate(createBody, ctx.body ?? {}, "body");
  const campaign = body.campaign?.toLowerCase() ?? null;
  const listId = body.list_id?.toLowerCase() ?? null;
  if (campaign !== null && !state.campaigns.has(campaign)) throw notFound("Campaign not found");
  if (listId !== null && !state.leadLists.has(listId)) throw notFound("Lead list not found");
  const email = normaliseEmail(body.email);
  if (campaign !== null && email === null) throw badRequest("body must have required property 'email'");
  if (email === null && !body.first_name && !body.last_name)
    throw badRequest("body must have required property 'email'");
  if (email !== null) {
    if (!isValidEmail(email)) throw badRequest('body/email must match format "email"');
    if (state.blocklist.blocks(email)) throw badRequest("Lead is on the block list");
    const existing = state.leads.withEmail(email);
    const target = { campaign, list_id: listId };
    const hit = skippedByFlags(existing, body)
      ? existing[0]
      : options.unknown.duplicateInTarget === "count-duplicated" && (campaign !== null || listId !== null)
        ? inTarget(existing, target)
        : undefined;
    if (hit) {
      if (options.unknown.createLeadSkipped === "400") throw badRequest("Lead already exists");
      return { body: hit };
    }
  }
  const lead = createLead(state, body, { campaign, list_id: listId });
  return { body: lead };
}

function getLead(ctx: RouteContext) {
  const { id } = validate(idParams, ctx.params, "params");
  const lead = ctx.state.leads.get(id.toLowerCase());
  if (!lead) throw notFound();
  return { body: lead };
}

function patchLead(ctx: RouteContext) {
  const { id } = validate(idParams, ctx.params, "params");
  const body = validate(patchBody, ctx.body ?? {}, "body");
  const lead = ctx.state.leads.get(id.toLowerCase());
  if (!lead) throw notFound();
  const iso = ctx.state.nowIso();
  const { custom_variables, ...core } = body;
  if (core.lt_interest_status !== undefined && core.lt_interest_status !== lead.lt_interest_status)
    lead.timestamp_last_interest_change = iso;
  Object.assign(lead, core);
  const previousCustom = Object.fromEntries(
    Object.entries(lead.payload ?? {}).filter(
      ([k]) =>
        !["firstName", "lastName", "companyName", "jobTitle", "website", "phone", "personalization"].includes(
          k,
        ),
    ),
  );
  lead.payload = buildPayload({ ...lead, custom_variables: custom_variables ?? previousCustom });
  lead.timestamp_updated = iso;
  return { body: lead };
}

function deleteOne(ctx: RouteContext) {
  const { id } = validate(idParams, ctx.params, "params");
  const lead = deleteLead(ctx.state, id.toLowerCase());
  if (!lead) {
    if (ctx.options.unknown.deleteMissingLead === "200-null") return { body: null };
    throw notFound();
  }
  return { body: lead };
}

function bulkDelete(ctx: RouteContext) {
  const { state } = ctx;
  if (ctx.body === undefined) throw badRequest("body must be object");
  const body = validate(bulkDeleteBody, ctx.body, "body");
  const target = requireTarget(state, body);
  const ids = body.ids ? new Set(body.ids.map((s) => s.toLowerCase())) : null;
  const matching: string[] = [];
  const pool = ids ? [...ids] : state.leads.sortedIds();
  for (const id of pool) {
    const lead = state.leads.get(id);
    if (!lead) continue;
    if (target.campaign !== null ? lead.campaign !== target.campaign : lead.list_id !== target.list_id)
      continue;
    if (body.status !== undefined && lead.status !== body.status) continue;
    matching.push(id);
    if (body.limit !== undefined && matching.length >= body.limit) break;
  }
  const landing =
    ctx.partialBulk && matching.length > 0
      ? matching.slice(0, ctx.prng.int(0, matching.length - 1))
      : matching;
  for (const id of landing) deleteLead(state, id);
  return { body: { count: landing.length } };
}

/**
 * POST /leads/update-interest-status: 202 and a message, no job id; a bad email answers the
 * non-standard `{"error": "Invalid lead email"}`. The sandbox applies the change at once.
 */
function updateInterest(ctx: RouteContext) {
  const body = validate(interestBody, ctx.body, "body");
  const email = normaliseEmail(body.lead_email);
  if (email === null || !isValidEmail(email)) {
    throw new ApiError(400, "Invalid lead email", { body: { error: "Invalid lead email" } });
  }
  const iso = ctx.state.nowIso();
  for (const lead of ctx.state.leads.withEmail(email)) {
    if (body.campaign_id !== undefined && lead.campaign !== body.campaign_id.toLowerCase()) continue;
    if (body.list_id !== undefined && lead.list_id !== body.list_id.toLowerCase()) continue;
    if (lead.lt_interest_status !== body.interest_value) lead.timestamp_last_interest_change = iso;
    lead.lt_interest_status = body.interest_value;
    lead.timestamp_updated = iso;
  }
  return { status: 202, body: { message: "Lead interest status update background job submitted" } };
}

export const leadRoutes: Route[] = [
  {
    method: "POST",
    path: "/leads/update-interest-status",
    // The spec lists no scope ([UNK]); leads:update is the likely one.
    scope: ["leads", "update"],
    write: true,
    handler: updateInterest,
  },
  { method: "POST", path: "/leads", scope: ["leads", "create"], write: true, handler: createOne },
  {
    method: "POST",
    path: "/leads/add",
    scope: ["leads", "create"],
    write: true,
    bulk: true,
    handler: bulkAdd,
  },
  { method: "POST", path: "/leads/list", scope: ["leads", "read"], write: false, handler: listLeads },
  { method: "GET", path: "/leads/:id", scope: ["leads", "read"], write: false, handler: getLead },
  { method: "PATCH", path: "/leads/:id", scope: ["leads", "update"], write: true, handler: patchLead },
  { method: "DELETE", path: "/leads/:id", scope: ["leads", "delete"], write: true, handler: deleteOne },
  {
    method: "DELETE",
    path: "/leads",
    scope: ["leads", "delete"],
    write: true,
    bulk: true,
    handler: bulkDelete,
  },
];
