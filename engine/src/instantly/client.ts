/**
 * The Instantly API V2 client: every call the pipeline makes to Instantly (reference
 * `instantly-api-v2.md`). Responsibilities are split: `transport.ts` (retries, rate budget, breaker,
 * stats), `schemas.ts` (response validation), `bulk-add.ts` (per-row outcomes), `errors.ts` (typed
 * outcomes). This file maps operations to endpoints and says, per operation, why it may be retried.
 *
 * Retry reasoning per operation (Instantly has no idempotency keys, docs/instantly-api-v2.md §1.5):
 * - reads (GET, and `POST /leads/list` which only filters): always safe → retried.
 * - `POST /leads/add`: retried only with a dedupe flag (`skip_if_in_workspace`, the default, or
 *   `skip_if_in_campaign`): a repeat then skips what the first attempt created instead of duplicating.
 * - `DELETE /leads` (bulk, by ids within one campaign): naturally idempotent (a second delete of the
 *   same ids deletes nothing more) → retried. Always sends `ids`: without them it deletes the campaign.
 * - `DELETE /leads/{id}`: idempotent; a 404 on it means "already gone", which is the goal → success.
 * - `POST /block-lists-entries/bulk-create`: duplicate handling is undocumented (maybe a 400 on the
 *   repeat) → not retried after an ambiguous failure; reported as failed + retryable.
 * - `POST /email-verification`: spends a credit per call → not retried after an ambiguous failure;
 *   the follow-up `GET /email-verification/{email}` polls are reads.
 * Every write is still retried after a 429 or a connection refused: the request was not processed.
 */

import { ExitCode } from "../core/errors.ts";
import { registerSecret } from "../core/redact.ts";
import {
  accountDaily,
  campaignDaily,
  listAccounts,
  type SendingStatus,
  sendingStatus,
} from "./capacity-calls.ts";
import type { Account, AccountDaily, CampaignDaily } from "./capacity-schemas.ts";
import { CircuitBreaker } from "./circuit-breaker.ts";
import { positive, requireId, validateBaseUrl } from "./client-args.ts";
import { ClientCore } from "./client-core.ts";
import {
  type BlocklistCreateResult,
  type BulkAddFlags,
  type BulkAddResult,
  DEFAULT_BASE_URL,
  DEFAULT_USER_AGENT,
  type DeleteLeadsResult,
  type InstantlyClientOptions,
  MAX_PAGE_SIZE,
} from "./client-types.ts";
import { InstantlyFatalError } from "./errors.ts";
import type { LeadInput } from "./lead-input.ts";
import { bulkAddLeads, deleteLeads } from "./lead-writes.ts";
import { type RateBudget, sharedRateBudget } from "./rate-budget.ts";
import {
  type BlockListEntry,
  blockListBulkCreateSchema,
  blockListPageSchema,
  type Campaign,
  type CampaignAnalytics,
  campaignAnalyticsListSchema,
  campaignPageSchema,
  campaignSchema,
  type Lead,
  leadPageSchema,
  leadRefSchema,
  parseResponse,
  type Workspace,
  workspaceSchema,
} from "./schemas.ts";
import { ClientStats, type ClientStatsSnapshot, type ClientStats as ClientStatsType } from "./stats.ts";
import { type RequestSpec, Transport } from "./transport.ts";
import type { VerificationOutcome } from "./verification.ts";
import { awaitVerification, resumeVerification, startVerification } from "./verification-calls.ts";

export { collectPages } from "./client-args.ts";
export * from "./client-types.ts";
export type { LeadInput } from "./lead-input.ts";

export class InstantlyClient {
  readonly baseUrl: string;
  readonly budget: RateBudget;
  readonly breaker: CircuitBreaker;
  readonly #stats: ClientStatsType = new ClientStats();
  readonly #deleteChunk: number;
  readonly #blockChunk: number;
  readonly #poll: { firstMs: number; maxMs: number; totalMs: number };

  readonly #core: ClientCore;

  constructor(options: InstantlyClientOptions = {}) {
    const env = options.env ?? process.env;
    const apiKey = options.apiKey ?? env.INSTANTLY_API_KEY;
    if (!apiKey || apiKey.trim() === "") {
      throw new InstantlyFatalError("missing_api_key", "no API key: set INSTANTLY_API_KEY", {
        operation: "configure",
        route: "client",
        exitCode: ExitCode.usage,
      });
    }
    registerSecret(apiKey);
    this.baseUrl = validateBaseUrl(options.baseUrl ?? env.INSTANTLY_BASE_URL ?? DEFAULT_BASE_URL);
    this.budget = options.budget ?? sharedRateBudget(options.rateLimit);
    this.breaker =
      options.circuitBreaker instanceof CircuitBreaker
        ? options.circuitBreaker
        : new CircuitBreaker(options.circuitBreaker);
    const listTimeoutMs = positive("listTimeoutMs", options.listTimeoutMs ?? 120_000);
    this.#deleteChunk = positive("deleteChunkSize", options.deleteChunkSize ?? 1000, 10_000);
    this.#blockChunk = positive("blocklistChunkSize", options.blocklistChunkSize ?? 1000);
    this.#poll = { firstMs: 1000, maxMs: 15_000, totalMs: 120_000, ...options.verificationPoll };
    const transport = new Transport({
      baseURL: this.baseUrl,
      apiKey,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      budget: this.budget,
      breaker: this.breaker,
      stats: this.#stats,
      timeoutMs: positive("timeoutMs", options.timeoutMs ?? 30_000),
      ...(options.maxAttempts === undefined
        ? {}
        : { maxAttempts: positive("maxAttempts", options.maxAttempts) }),
      ...(options.max429Waits === undefined ? {} : { max429Waits: options.max429Waits }),
      ...(options.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: options.maxRetryAfterMs }),
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    });
    this.#core = new ClientCore(transport, listTimeoutMs);
  }

  /** Request counters per operation and status (for benchmarks and run summaries). */
  stats(): ClientStatsSnapshot {
    return this.#stats.snapshot();
  }

  resetStats(): void {
    this.#stats.reset();
  }

  // ---------------------------------------------------------------- workspace

  /** `GET /workspaces/current`: proves the key works (401/402/403 → InstantlyFatalError). */
  async checkKey(): Promise<Workspace> {
    return this.#core.json(workspaceSchema, {
      operation: "checkKey",
      method: "GET",
      path: "/workspaces/current",
      route: "/workspaces/current",
      retryAmbiguous: true,
    });
  }

  // ---------------------------------------------------------------- campaigns

  /** `GET /campaigns`, one page (≤ 100) per iteration, following `next_starting_after`. */
  listCampaigns(filter: { search?: string; status?: number } = {}): AsyncGenerator<Campaign[]> {
    return this.#core.paginate(
      "listCampaigns",
      async (cursor) =>
        this.#core.json(campaignPageSchema, {
          operation: "listCampaigns",
          method: "GET",
          path: "/campaigns",
          route: "/campaigns",
          query: {
            limit: MAX_PAGE_SIZE,
            starting_after: cursor,
            search: filter.search,
            status: filter.status,
          },
          retryAmbiguous: true,
        }),
      (campaign) => campaign.id,
    );
  }

  /** `GET /campaigns/{id}`; an unknown id is a 404 → InstantlyRejectedError. */
  async getCampaign(id: string): Promise<Campaign> {
    return this.#core.json(campaignSchema, {
      operation: "getCampaign",
      method: "GET",
      path: `/campaigns/${encodeURIComponent(requireId("campaign id", id))}`,
      route: "/campaigns/{id}",
      retryAmbiguous: true,
    });
  }

  /**
   * `GET /campaigns/analytics` for the given campaigns (repeated `ids`; all campaigns when empty).
   * Returns `[]` for campaigns that have not sent yet (docs/instantly-api-v2.md §3.12).
   */
  async campaignAnalytics(
    options: { ids?: string[]; startDate?: string; endDate?: string; excludeTotalLeadsCount?: boolean } = {},
  ): Promise<CampaignAnalytics[]> {
    return this.#core.json(campaignAnalyticsListSchema, {
      operation: "campaignAnalytics",
      method: "GET",
      path: "/campaigns/analytics",
      route: "/campaigns/analytics",
      query: {
        ids: options.ids && options.ids.length > 0 ? options.ids : undefined,
        start_date: options.startDate,
        end_date: options.endDate,
        exclude_total_leads_count: options.excludeTotalLeadsCount,
      },
      retryAmbiguous: true,
    });
  }

  // ---------------------------------------------------------------- sending capacity (capacity-calls.ts)

  /** `GET /accounts`: the workspace's sending accounts, one page (≤ 100) per iteration. */
  listAccounts(): AsyncGenerator<Account[]> {
    return listAccounts(this.#core);
  }

  /** `GET /campaigns/{id}/sending-status`: Instantly's diagnosis and the follow-ups waiting. */
  campaignSendingStatus(campaignId: string): Promise<SendingStatus> {
    return sendingStatus(this.#core, campaignId);
  }

  /** `GET /campaigns/analytics/daily` of one campaign, `start`..`end` (YYYY-MM-DD), ≤ 31 days a call. */
  campaignDailyAnalytics(campaignId: string, start: string, end: string): Promise<CampaignDaily[]> {
    return campaignDaily(this.#core, campaignId, start, end);
  }

  /** `GET /accounts/analytics/daily` of the accounts, ≤ 200 accounts and ≤ 31 days a call. */
  accountDailyAnalytics(emails: readonly string[], start: string, end: string): Promise<AccountDaily[]> {
    return accountDaily(this.#core, emails, start, end);
  }

  // ---------------------------------------------------------------- leads

  /**
   * Every lead of a campaign, one page (`limit`, max 100) per iteration, via `POST /leads/list`
   * (filters in the body). Stops on an empty page (the API may send a cursor on the last page) or
   * when no cursor comes back.
   */
  listLeads(campaignId: string, options: { limit?: number } = {}): AsyncGenerator<Lead[]> {
    const limit = positive("limit", options.limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const campaign = requireId("campaign id", campaignId);
    return this.#core.paginate(
      "listLeads",
      (cursor) =>
        this.#core.json(leadPageSchema, {
          operation: "listLeads",
          method: "POST",
          path: "/leads/list",
          route: "/leads/list",
          body: { campaign, limit, ...(cursor ? { starting_after: cursor } : {}) },
          retryAmbiguous: true,
          timeoutMs: this.#core.listTimeoutMs,
        }),
      (lead) => lead.id,
    );
  }

  /**
   * Adds up to 1,000 leads to a campaign (`POST /leads/add`) and returns one outcome per input row
   * (see bulk-add.ts). A terminal 4xx for the whole batch throws InstantlyRejectedError.
   */
  bulkAddLeads(
    campaignId: string,
    leads: readonly LeadInput[],
    flags: BulkAddFlags = {},
  ): Promise<BulkAddResult> {
    return bulkAddLeads(this.#core, campaignId, leads, flags);
  }

  /** Deletes leads of one campaign by id (`DELETE /leads`, ≤ 1,000 ids per call); see lead-writes.ts. */
  deleteLeads(campaignId: string, ids: readonly string[]): Promise<DeleteLeadsResult> {
    return deleteLeads(this.#core, this.#deleteChunk, campaignId, ids);
  }

  /** `DELETE /leads/{id}` (no body, no Content-Type). A 404 means already gone: `already_absent`. */
  async deleteLead(id: string): Promise<{ id: string; status: "deleted" | "already_absent" }> {
    const spec: RequestSpec = {
      operation: "deleteLead",
      method: "DELETE",
      path: `/leads/${encodeURIComponent(requireId("lead id", id))}`,
      route: "/leads/{id}",
      retryAmbiguous: true,
      acceptStatus: [404],
    };
    const res = await this.#core.transport.request(spec);
    // 404, or (a variant the reference leaves open) 200 with an empty/null body: the lead is gone.
    if (res.status === 404 || res.data === null || res.data === undefined || res.data === "") {
      return { id, status: "already_absent" };
    }
    parseResponse(leadRefSchema, res.data, this.#core.ctx(spec, res.status));
    return { id, status: "deleted" };
  }

  // ---------------------------------------------------------------- block list

  /** `GET /block-lists-entries`, one page per iteration. */
  listBlocklistEntries(
    filter: { domainsOnly?: boolean; search?: string } = {},
  ): AsyncGenerator<BlockListEntry[]> {
    return this.#core.paginate(
      "listBlocklistEntries",
      (cursor) =>
        this.#core.json(blockListPageSchema, {
          operation: "listBlocklistEntries",
          method: "GET",
          path: "/block-lists-entries",
          route: "/block-lists-entries",
          query: {
            limit: MAX_PAGE_SIZE,
            starting_after: cursor,
            domains_only: filter.domainsOnly,
            search: filter.search,
          },
          retryAmbiguous: true,
        }),
      (entry) => entry.id,
    );
  }

  /**
   * `POST /block-lists-entries/bulk-create {bl_values}` in chunks. Accepts both documented response
   * shapes: `{items, valid_count, invalid_count}` and a bare array (counts then derived).
   */
  async createBlocklistEntries(values: readonly string[]): Promise<BlocklistCreateResult> {
    const out: BlocklistCreateResult = { entries: [], validCount: 0, invalidCount: 0 };
    for (let start = 0; start < values.length; start += this.#blockChunk) {
      const chunk = values.slice(start, start + this.#blockChunk);
      const spec: RequestSpec = {
        operation: "createBlocklistEntries",
        method: "POST",
        path: "/block-lists-entries/bulk-create",
        route: "/block-lists-entries/bulk-create",
        body: { bl_values: chunk },
        retryAmbiguous: false,
      };
      const res = await this.#core.transport.request(spec);
      const parsed = parseResponse(blockListBulkCreateSchema, res.data, this.#core.ctx(spec, res.status));
      if (Array.isArray(parsed)) {
        out.entries.push(...parsed);
        out.validCount += parsed.length;
        out.invalidCount += Math.max(0, chunk.length - parsed.length);
      } else {
        out.entries.push(...parsed.items);
        out.validCount += parsed.valid_count ?? parsed.items.length;
        out.invalidCount += parsed.invalid_count ?? Math.max(0, chunk.length - parsed.items.length);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- verification (verification-calls.ts)

  /**
   * Verifies one address: `POST /email-verification`, then, while the status or the catch-all flag
   * is `pending`, `GET /email-verification/{email}` with growing waits, up to the poll budget.
   * Returns `pending` if still unknown then. `startVerification` + `awaitVerification` in one.
   */
  async verifyEmail(email: string): Promise<VerificationOutcome> {
    return this.awaitVerification(email, await this.startVerification(email));
  }

  /** The POST alone (it spends the credit); its answer may be `pending`. */
  startVerification(email: string): Promise<VerificationOutcome> {
    return startVerification(this.#core, email);
  }

  /** GET polls of a `pending` start until final or the poll budget is spent (free). */
  awaitVerification(email: string, started: VerificationOutcome): Promise<VerificationOutcome> {
    return awaitVerification(this.#core, this.#poll, email, started);
  }

  /** An earlier run's still-pending verification: its result first (free), a new one only on a 404. */
  resumeVerification(email: string): Promise<VerificationOutcome> {
    return resumeVerification(this.#core, email);
  }
}
