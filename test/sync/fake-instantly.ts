/**
 * A small Instantly on 127.0.0.1 for the pull's edge tests (capacity, listing faults, deadlines),
 * following the reference (instantly-api-v2.md §2–§5, send-capacity-pacing.md §1): the reads a pull
 * makes, from plain in-memory data. `listLeads` may be overridden to misbehave (repeat pages, null
 * emails, a trickling body). Used until the project's sandbox serves the capacity endpoints.
 */
import type { ServerResponse } from "node:http";
import { lead, type Recorded, type Stub, startStub } from "../instantly/stub-server.ts";

export interface FakeCampaign {
  id: string;
  name: string;
  status?: number;
  daily_limit?: number | null;
  daily_max_leads?: number | null;
  email_list?: string[];
  sequences?: unknown;
}

export interface FakeData {
  campaigns: FakeCampaign[];
  /** Leads per campaign id (extra fields over stub-server `lead`). */
  leads: Record<string, Record<string, unknown>[]>;
  accounts: Record<string, unknown>[];
  sendingStatus?: Record<string, unknown>;
  /** One day row per date for every campaign / account asked for. */
  days?: string[];
}

/** What the handler answers for one `POST /leads/list` page; undefined = the normal answer. */
export type ListingOverride = (
  body: { campaign?: string; starting_after?: string },
  res: ServerResponse,
  n: number,
) => { status?: number; body?: unknown } | "hang" | undefined;

export interface FakeInstantly extends Stub {
  data: FakeData;
  /** Routes that answer this status (e.g. `/accounts` → 404) instead of their data. */
  failing: Map<string, number>;
  listingOverride?: ListingOverride;
}

export async function startFakeInstantly(data: FakeData): Promise<FakeInstantly> {
  const failing = new Map<string, number>();
  const fake: Partial<FakeInstantly> = { data, failing };
  const stub = await startStub((req, res, n) => handle(fake as FakeInstantly, req, res, n));
  return Object.assign(fake, stub) as FakeInstantly;
}

function handle(
  fake: FakeInstantly,
  req: Recorded,
  res: ServerResponse,
  n: number,
): ReturnType<Parameters<typeof startStub>[0]> {
  const { data } = fake;
  const query = new URL(req.url, "http://x").searchParams;
  const route = routeOf(req.method, req.path);
  const failStatus = fake.failing.get(route);
  if (failStatus) {
    return { status: failStatus, body: { statusCode: failStatus, error: "Error", message: "refused" } };
  }
  switch (route) {
    case "GET /workspaces/current":
      return { body: { id: "ws-1", name: "Workspace" } };
    case "GET /campaigns":
      return { body: page(data.campaigns.map(campaignBody), query.get("starting_after"), (c) => c.id) };
    case "GET /campaigns/{id}": {
      const c = data.campaigns.find((x) => x.id === req.path.split("/")[2]);
      return c
        ? { body: campaignBody(c) }
        : { status: 404, body: { statusCode: 404, error: "Not Found", message: "Campaign not found" } };
    }
    case "GET /campaigns/analytics": {
      const ids = query.getAll("ids");
      return {
        body: data.campaigns
          .filter((c) => ids.length === 0 || ids.includes(c.id))
          .map((c) => ({
            campaign_id: c.id,
            campaign_name: c.name,
            leads_count: data.leads[c.id]?.length ?? 0,
          })),
      };
    }
    case "POST /leads/list": {
      const body = (req.body ?? {}) as { campaign?: string; starting_after?: string };
      const override = fake.listingOverride?.(body, res, n);
      if (override) return override;
      const all = (data.leads[body.campaign ?? ""] ?? []).map((l, i) =>
        lead(String(l.id ?? `lead-${i}`), { email: `p${i}@example.com`, ...l }),
      );
      return { body: page(all, body.starting_after ?? null, (l) => String(l.id)) };
    }
    case "GET /accounts":
      return { body: page(data.accounts, query.get("starting_after"), (a) => String(a.email)) };
    case "GET /campaigns/{id}/sending-status":
      return { body: data.sendingStatus ?? { diagnostics: { status: "healthy" }, summary: null } };
    case "GET /campaigns/analytics/daily":
      return {
        body: daysBetween(data, query).map((date) => ({
          date,
          sent: 30,
          contacted: 25,
          new_leads_contacted: 10,
        })),
      };
    case "GET /accounts/analytics/daily":
      return {
        body: query.getAll("emails").flatMap((email) =>
          daysBetween(data, query).map((date) => ({
            date,
            email_account: email,
            sent: 12,
            bounced: 1,
            new_leads_contacted: 4,
          })),
        ),
      };
    default:
      return { status: 404, body: { statusCode: 404, error: "Not Found", message: `no route ${route}` } };
  }
}

function routeOf(method: string, path: string): string {
  const parts = path.split("/").filter((p) => p !== "");
  if (parts[0] === "campaigns" && parts.length === 2 && parts[1] !== "analytics")
    return `${method} /campaigns/{id}`;
  if (parts[0] === "campaigns" && parts.length === 3 && parts[2] === "sending-status") {
    return `${method} /campaigns/{id}/sending-status`;
  }
  return `${method} /${parts.join("/")}`;
}

function campaignBody(c: FakeCampaign) {
  return { status: 1, timestamp_created: "2026-01-01T00:00:00.000Z", ...c };
}

/** Cursor pagination (limit 100): the cursor is the last item's key. */
function page<T>(items: T[], after: string | null, keyOf: (item: T) => string) {
  const start = after === null ? 0 : items.findIndex((i) => keyOf(i) === after) + 1;
  const slice = items.slice(start, start + 100);
  const last = slice[slice.length - 1];
  return {
    items: slice,
    next_starting_after: start + 100 < items.length && last ? keyOf(last) : null,
  };
}

/** The requested days (start_date..end_date) that the fake has data for. */
function daysBetween(data: FakeData, query: URLSearchParams): string[] {
  const from = query.get("start_date") ?? "";
  const to = query.get("end_date") ?? "";
  return (data.days ?? []).filter((d) => d >= from && d <= to);
}

/** `n` sending accounts `prefix1@senders.test`… with a healthy default set-up. */
export function accounts(prefix: string, n: number, extra: Record<string, unknown> = {}) {
  return Array.from({ length: n }, (_, i) => ({
    email: `${prefix}${i + 1}@Senders.test`,
    daily_limit: 30,
    status: 1,
    warmup_status: 1,
    setup_pending: false,
    enable_slow_ramp: false,
    stat_warmup_score: 100,
    ...extra,
  }));
}
