/**
 * The sending-capacity reads (reference `send-capacity-pacing.md` §1): sending accounts, a
 * campaign's sending-status diagnosis, and daily analytics of campaigns and accounts, chunked to
 * the API's limits (≤ 200 accounts and ≤ 31 days per analytics call). All reads: retried.
 */
import type { z } from "zod";
import {
  type Account,
  type AccountDaily,
  accountDailyListSchema,
  accountPageSchema,
  type CampaignDaily,
  campaignDailyListSchema,
  sendingStatusSchema,
} from "./capacity-schemas.ts";
import { requireId } from "./client-args.ts";
import type { ClientCore } from "./client-core.ts";
import { MAX_PAGE_SIZE } from "./client-types.ts";
import type { Campaign } from "./schemas.ts";

/** Accounts per `GET /accounts/analytics/daily` call. */
export const MAX_ANALYTICS_EMAILS = 200;
/** Days per daily-analytics call (both ends included). */
export const MAX_ANALYTICS_DAYS = 31;

export interface SendingStatus {
  /** `diagnostics.status`, else `summary.status`; null when Instantly gives neither. */
  status: string | null;
  followUpsWaiting: number | null;
}

/** `GET /accounts`, one page (≤ 100) per iteration. */
export function listAccounts(core: ClientCore): AsyncGenerator<Account[]> {
  return core.paginate(
    "listAccounts",
    (cursor) =>
      core.json(accountPageSchema, {
        operation: "listAccounts",
        method: "GET",
        path: "/accounts",
        route: "/accounts",
        query: { limit: MAX_PAGE_SIZE, starting_after: cursor },
        retryAmbiguous: true,
      }),
    (account) => account.email.toLowerCase(),
  );
}

/** `GET /campaigns/{id}/sending-status`. */
export async function sendingStatus(core: ClientCore, campaignId: string): Promise<SendingStatus> {
  const id = requireId("campaign id", campaignId);
  const r = await core.json(sendingStatusSchema, {
    operation: "campaignSendingStatus",
    method: "GET",
    path: `/campaigns/${encodeURIComponent(id)}/sending-status`,
    route: "/campaigns/{id}/sending-status",
    retryAmbiguous: true,
  });
  const waiting = r.diagnostics?.follow_ups_waiting?.count ?? r.follow_ups_waiting?.count;
  return {
    status: r.diagnostics?.status ?? r.summary?.status ?? null,
    followUpsWaiting: typeof waiting === "number" ? waiting : null,
  };
}

/** `GET /campaigns/analytics/daily` of one campaign from `start` to `end` (YYYY-MM-DD, inclusive). */
export async function campaignDaily(
  core: ClientCore,
  campaignId: string,
  start: string,
  end: string,
): Promise<CampaignDaily[]> {
  const id = requireId("campaign id", campaignId);
  const out: CampaignDaily[] = [];
  for (const [from, to] of dayWindows(start, end)) {
    out.push(
      ...(await read(core, campaignDailyListSchema, "campaignDailyAnalytics", "/campaigns/analytics/daily", {
        campaign_id: id,
        start_date: from,
        end_date: to,
      })),
    );
  }
  return out;
}

/** `GET /accounts/analytics/daily` of `emails` (≤ 200 a call) from `start` to `end`, inclusive. */
export async function accountDaily(
  core: ClientCore,
  emails: readonly string[],
  start: string,
  end: string,
): Promise<AccountDaily[]> {
  const out: AccountDaily[] = [];
  for (let i = 0; i < emails.length; i += MAX_ANALYTICS_EMAILS) {
    const chunk = emails.slice(i, i + MAX_ANALYTICS_EMAILS);
    for (const [from, to] of dayWindows(start, end)) {
      out.push(
        ...(await read(core, accountDailyListSchema, "accountDailyAnalytics", "/accounts/analytics/daily", {
          emails: chunk,
          start_date: from,
          end_date: to,
        })),
      );
    }
  }
  return out;
}

function read<S extends z.ZodType>(
  core: ClientCore,
  schema: S,
  operation: string,
  route: string,
  query: Record<string, string | string[]>,
): Promise<z.infer<S>> {
  return core.json(schema, { operation, method: "GET", path: route, route, query, retryAmbiguous: true });
}

const DAY_MS = 86_400_000;

/** `[start, end]` (YYYY-MM-DD) cut into windows of at most MAX_ANALYTICS_DAYS days. */
export function dayWindows(start: string, end: string): [string, string][] {
  const from = Date.parse(`${start}T00:00:00Z`);
  const to = Date.parse(`${end}T00:00:00Z`);
  if (Number.isNaN(from) || Number.isNaN(to) || from > to) {
    throw new TypeError(`Expected a date range start ≤ end (YYYY-MM-DD), got \`${start}\`..\`${end}\``);
  }
  const out: [string, string][] = [];
  for (let at = from; at <= to; at += MAX_ANALYTICS_DAYS * DAY_MS) {
    const last = Math.min(to, at + (MAX_ANALYTICS_DAYS - 1) * DAY_MS);
    out.push([isoDay(at), isoDay(last)]);
  }
  return out;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const UNIT_DAYS: Record<string, number> = { days: 1, hours: 1 / 24, minutes: 1 / 1440 };

/**
 * `sequences[0].steps[]` as the wait in days before the next step (minutes and hours as fractions;
 * no unit = days). A step without a delay, or with a unit Instantly does not document, is null.
 */
export function stepDelaysDays(campaign: Campaign): (number | null)[] {
  const steps = campaign.sequences?.[0]?.steps ?? [];
  return steps.map((step) => {
    const factor = UNIT_DAYS[step.delay_unit ?? "days"];
    if (typeof step.delay !== "number" || !Number.isFinite(step.delay) || factor === undefined) return null;
    return step.delay * factor;
  });
}
