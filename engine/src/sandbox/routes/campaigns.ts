import { z } from "zod";
import { ApiError, notFound } from "../api-error.ts";
import { buildCampaign } from "../lead-model.ts";
import { type DailyCounters, emptyCounters } from "../models.ts";
import { paginate, queryBool, queryInt } from "../pagination.ts";
import type { Route, RouteContext } from "../router.ts";
import { validate } from "../validate.ts";
import { uuid } from "./schemas.ts";

/**
 * Campaign endpoints (docs/instantly-api-v2.md §3.11-3.12): list (cursor over ids), get, activate/pause (no body),
 * create (Draft), and the analytics views computed from the simulation's daily counters - which keep
 * counting for leads deleted later, like the real analytics.
 */

const statusValue = z.preprocess(
  (v) => (typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v),
  z.union([-99, -1, -2, 0, 1, 2, 3, 4].map((n) => z.literal(n))),
);

const listQuery = z.object({
  limit: queryInt(1, 100).optional(),
  starting_after: z.string().optional(),
  search: z.string().optional(),
  status: statusValue.optional(),
  tag_ids: z.string().optional(),
});

const idParams = z.object({ id: uuid });

const createBody = z
  .object({
    name: z.string().min(1),
    campaign_schedule: z.object({ schedules: z.array(z.unknown()).min(1) }).loose(),
  })
  .loose();

const dateParam = z.string().regex(/^\d{4}-\d{2}-\d{2}/);
const analyticsQuery = z.object({
  id: uuid.optional(),
  ids: z.union([uuid, z.array(uuid)]).optional(),
  start_date: dateParam.optional(),
  end_date: dateParam.optional(),
  exclude_total_leads_count: queryBool.optional(),
  campaign_status: statusValue.optional(),
  expand_crm_events: queryBool.optional(),
  campaign_id: uuid.optional(),
});

function listCampaigns(ctx: RouteContext) {
  const q = validate(listQuery, ctx.query, "querystring");
  let all = [...ctx.state.campaigns.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (q.search) {
    const s = q.search.toLowerCase();
    all = all.filter((c) => c.name.toLowerCase().includes(s));
  }
  if (q.status !== undefined) all = all.filter((c) => c.status === q.status);
  return {
    body: paginate(ctx, all, (c) => c.id, q.starting_after, q.limit ?? ctx.options.unknown.defaultLimit),
  };
}

function campaignById(ctx: RouteContext) {
  const { id } = validate(idParams, ctx.params, "params");
  const campaign = ctx.state.campaigns.get(id.toLowerCase());
  if (!campaign) throw notFound();
  return campaign;
}

function setStatus(status: number) {
  return (ctx: RouteContext) => {
    const campaign = campaignById(ctx);
    campaign.status = status;
    campaign.timestamp_updated = ctx.state.nowIso();
    return { body: campaign };
  };
}

function createCampaign(ctx: RouteContext) {
  const body = validate(createBody, ctx.body, "body");
  const { simulation } = ctx.options;
  const campaign = buildCampaign(
    ctx.state,
    { ...body, status: 0 },
    simulation.sequenceSteps,
    simulation.sequenceLengthDays,
  );
  ctx.state.campaigns.set(campaign.id, campaign);
  return { body: campaign };
}

type AnalyticsQuery = z.infer<typeof analyticsQuery>;

function selectedCampaigns(ctx: RouteContext, q: AnalyticsQuery) {
  const ids = [q.id, q.campaign_id, ...(Array.isArray(q.ids) ? q.ids : q.ids ? [q.ids] : [])]
    .filter((x): x is string => x !== undefined)
    .map((x) => x.toLowerCase());
  let campaigns = [...ctx.state.campaigns.values()];
  if (ids.length > 0) campaigns = campaigns.filter((c) => ids.includes(c.id));
  if (q.campaign_status !== undefined) campaigns = campaigns.filter((c) => c.status === q.campaign_status);
  return campaigns;
}

/** Analytics endpoints answer 400 with a bare `{message}` body (docs/instantly-api-v2.md §1.3). */
function parseAnalyticsQuery(ctx: RouteContext): AnalyticsQuery {
  try {
    return validate(analyticsQuery, ctx.query, "querystring");
  } catch (error) {
    if (error instanceof ApiError)
      throw new ApiError(400, error.message, { body: { message: error.message } });
    throw error;
  }
}

function checkDates(q: AnalyticsQuery): void {
  if (q.start_date && q.end_date && q.start_date > q.end_date) {
    const message = "Start Date must be earlier than End Date";
    throw new ApiError(400, message, { body: { message } });
  }
}

function sumCounters(ctx: RouteContext, campaignId: string, q: AnalyticsQuery): DailyCounters {
  const total = emptyCounters();
  const byDate = ctx.state.analytics.get(campaignId);
  if (!byDate) return total;
  for (const [date, c] of byDate) {
    if (q.start_date && date < q.start_date.slice(0, 10)) continue;
    if (q.end_date && date > q.end_date.slice(0, 10)) continue;
    for (const k of Object.keys(total) as (keyof DailyCounters)[]) total[k] += c[k];
  }
  return total;
}

function analytics(ctx: RouteContext) {
  const q = parseAnalyticsQuery(ctx);
  checkDates(q);
  const hasSent = (id: string) => [...(ctx.state.analytics.get(id)?.values() ?? [])].some((c) => c.sent > 0);
  const campaigns = selectedCampaigns(ctx, q).filter(
    (c) => ctx.options.unknown.analyticsBeforeFirstSend === "zeros" || hasSent(c.id),
  );
  const items = campaigns.map((campaign) => {
    const t = sumCounters(ctx, campaign.id, q);
    const leads = q.exclude_total_leads_count ? 0 : ctx.state.leadsInCampaign(campaign.id).length;
    return {
      campaign_name: campaign.name,
      campaign_id: campaign.id,
      campaign_status: campaign.status,
      campaign_is_evergreen: Boolean(campaign.is_evergreen),
      leads_count: leads,
      contacted_count: t.contacted,
      emails_sent_count: t.sent,
      new_leads_contacted_count: t.new_leads_contacted,
      open_count: t.opened,
      open_count_unique: t.unique_opened,
      reply_count: t.replies,
      reply_count_unique: t.unique_replies,
      reply_count_automatic: t.replies_automatic,
      reply_count_automatic_unique: t.unique_replies_automatic,
      link_click_count: t.clicks,
      link_click_count_unique: t.unique_clicks,
      bounced_count: t.bounced,
      unsubscribed_count: t.unsubscribed,
      completed_count: t.completed,
      total_opportunities: t.unique_opportunities,
      total_opportunity_value: 0,
    };
  });
  return { body: items };
}

function overview(ctx: RouteContext) {
  const q = parseAnalyticsQuery(ctx);
  checkDates(q);
  const t = emptyCounters();
  for (const c of selectedCampaigns(ctx, q)) {
    const s = sumCounters(ctx, c.id, q);
    for (const k of Object.keys(t) as (keyof DailyCounters)[]) t[k] += s[k];
  }
  return {
    body: {
      open_count: t.opened,
      open_count_unique: t.unique_opened,
      link_click_count: t.clicks,
      link_click_count_unique: t.unique_clicks,
      reply_count: t.replies,
      reply_count_unique: t.unique_replies,
      reply_count_automatic: t.replies_automatic,
      reply_count_automatic_unique: t.unique_replies_automatic,
      bounced_count: t.bounced,
      unsubscribed_count: t.unsubscribed,
      completed_count: t.completed,
      emails_sent_count: t.sent,
      contacted_count: t.contacted,
      new_leads_contacted_count: t.new_leads_contacted,
      total_opportunities: t.unique_opportunities,
      total_opportunity_value: 0,
      total_interested: t.interested,
      total_meeting_booked: t.meeting_booked,
      total_meeting_completed: 0,
      total_closed: 0,
    },
  };
}

function daily(ctx: RouteContext) {
  const q = parseAnalyticsQuery(ctx);
  checkDates(q);
  const byDate = new Map<string, DailyCounters>();
  for (const c of selectedCampaigns(ctx, q)) {
    for (const [date, counters] of ctx.state.analytics.get(c.id) ?? []) {
      if (q.start_date && date < q.start_date.slice(0, 10)) continue;
      if (q.end_date && date > q.end_date.slice(0, 10)) continue;
      const t = byDate.get(date) ?? emptyCounters();
      for (const k of Object.keys(t) as (keyof DailyCounters)[]) t[k] += counters[k];
      byDate.set(date, t);
    }
  }
  const rows = [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, t]) => ({
      date,
      sent: t.sent,
      contacted: t.contacted,
      new_leads_contacted: t.new_leads_contacted,
      opened: t.opened,
      unique_opened: t.unique_opened,
      replies: t.replies,
      unique_replies: t.unique_replies,
      replies_automatic: t.replies_automatic,
      unique_replies_automatic: t.unique_replies_automatic,
      clicks: t.clicks,
      unique_clicks: t.unique_clicks,
      opportunities: t.opportunities,
      unique_opportunities: t.unique_opportunities,
    }));
  return { body: rows };
}

export const campaignRoutes: Route[] = [
  { method: "GET", path: "/campaigns", scope: ["campaigns", "read"], write: false, handler: listCampaigns },
  {
    method: "POST",
    path: "/campaigns",
    scope: ["campaigns", "create"],
    write: true,
    handler: createCampaign,
  },
  {
    method: "GET",
    path: "/campaigns/:id",
    scope: ["campaigns", "read"],
    write: false,
    handler: (ctx) => ({ body: campaignById(ctx) }),
  },
  {
    method: "POST",
    path: "/campaigns/:id/activate",
    scope: ["campaigns", "update"],
    write: true,
    handler: setStatus(1),
  },
  {
    method: "POST",
    path: "/campaigns/:id/pause",
    scope: ["campaigns", "update"],
    write: true,
    handler: setStatus(2),
  },
  // Analytics: no scope is listed in the spec ([UNK]); any valid key may read them.
  { method: "GET", path: "/campaigns/analytics", scope: null, write: false, handler: analytics },
  { method: "GET", path: "/campaigns/analytics/overview", scope: null, write: false, handler: overview },
  { method: "GET", path: "/campaigns/analytics/daily", scope: null, write: false, handler: daily },
];
