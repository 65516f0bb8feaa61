import { z } from "zod";
import { badRequest, notFound } from "../api-error.ts";
import { DAY_MS, isoDate } from "../clock.ts";
import { paginate, queryInt } from "../pagination.ts";
import type { Route, RouteContext } from "../router.ts";
import { sendingStatus } from "../sending-status.ts";
import { validate } from "../validate.ts";
import { uuid } from "./schemas.ts";

/**
 * Sending accounts and what they sent (docs/instantly-api-v2.md; send-capacity fields as
 * engine/src/sandbox/models.ts `Account`): `GET /accounts` (cursor over emails), `GET
 * /accounts/analytics/daily` (at most 200 emails and 31 days a call, 400 beyond) and the campaign's
 * `GET /campaigns/{id}/sending-status` diagnosis (sending-status.ts).
 */

const MAX_EMAILS = 200;
const MAX_DAYS = 31;

const listQuery = z.object({
  limit: queryInt(1, 100).optional(),
  starting_after: z.string().optional(),
  search: z.string().optional(),
  status: z.preprocess((v) => (typeof v === "string" ? Number(v) : v), z.int()).optional(),
});

const dateParam = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must match format "date"');
const dailyQuery = z.object({
  emails: z.union([z.string(), z.array(z.string())]).optional(),
  start_date: dateParam.optional(),
  end_date: dateParam.optional(),
});

function listAccounts(ctx: RouteContext) {
  const q = validate(listQuery, ctx.query, "querystring");
  let all = [...ctx.state.accounts.values()].sort((a, b) => (a.email < b.email ? -1 : 1));
  if (q.search) {
    const s = q.search.toLowerCase();
    all = all.filter((a) => a.email.includes(s));
  }
  if (q.status !== undefined) all = all.filter((a) => a.status === q.status);
  return {
    body: paginate(ctx, all, (a) => a.email, q.starting_after, q.limit ?? ctx.options.unknown.defaultLimit),
  };
}

function accountsDaily(ctx: RouteContext) {
  const q = validate(dailyQuery, ctx.query, "querystring");
  const asked = q.emails === undefined ? null : Array.isArray(q.emails) ? q.emails : [q.emails];
  const emails = [...new Set((asked ?? [...ctx.state.accounts.keys()]).map((e) => e.trim().toLowerCase()))];
  if (emails.length > MAX_EMAILS) {
    throw badRequest(`querystring/emails must NOT have more than ${MAX_EMAILS} items, got ${emails.length}`);
  }
  const end = q.end_date ?? isoDate(ctx.state.clock.now());
  const start = q.start_date ?? isoDate(Date.parse(end) - (MAX_DAYS - 1) * DAY_MS);
  if (start > end) throw badRequest("Start Date must be earlier than End Date");
  const days = Math.round((Date.parse(end) - Date.parse(start)) / DAY_MS) + 1;
  if (days > MAX_DAYS) {
    throw badRequest(`The date range must not exceed ${MAX_DAYS} days, got ${days} (${start} to ${end})`);
  }
  const rows: Record<string, unknown>[] = [];
  for (const email of emails) {
    for (const [date, c] of ctx.state.accountAnalytics.get(email) ?? []) {
      if (date >= start && date <= end) rows.push({ date, email_account: email, ...c });
    }
  }
  rows.sort((a, b) =>
    a.date === b.date
      ? (a.email_account as string) < (b.email_account as string)
        ? -1
        : 1
      : (a.date as string) < (b.date as string)
        ? -1
        : 1,
  );
  return { body: rows };
}

function campaignSendingStatus(ctx: RouteContext) {
  const { id } = validate(z.object({ id: uuid }), ctx.params, "params");
  const campaign = ctx.state.campaigns.get(id.toLowerCase());
  if (!campaign) throw notFound();
  return { body: sendingStatus(ctx.state, campaign, ctx.options.unknown) };
}

export const accountRoutes: Route[] = [
  { method: "GET", path: "/accounts", scope: ["accounts", "read"], write: false, handler: listAccounts },
  {
    method: "GET",
    path: "/accounts/analytics/daily",
    scope: ["accounts", "read"],
    write: false,
    handler: accountsDaily,
  },
  {
    method: "GET",
    path: "/campaigns/:id/sending-status",
    scope: ["campaigns", "read"],
    write: false,
    handler: campaignSendingStatus,
  },
];
