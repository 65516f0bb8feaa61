/**
 * The Instantly API V2 client: every call the pipeline makes to Instantly (reference
 * `instantly-api-v2.md`). Responsibilities are split: `transport.ts` (retries, rate budget, breaker,
 * stats), `schemas.ts` (response validation), `bulk-add.ts` (per-row outcomes), `errors.ts` (typed
 * outcomes). This file maps operations to endpoints and says, per operation, why it may be retried.
 *
 * Retry reasoning per operation (Instantly has no idempotency keys, reference §1.5):
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

import type { z } from "zod";
import { ExitCode } from "../core/errors.ts";
import { attributeBulkAdd, type BulkAddRowOutcome, normaliseEmail } from "./bulk-add.ts";
import { CircuitBreaker, type CircuitBreakerOptions } from "./circuit-breaker.ts";
import { InstantlyFailedError, InstantlyFatalError } from "./errors.ts";
import { type RateBudget, type RateBudgetOptions, sharedRateBudget, sleep } from "./rate-budget.ts";
import { registerSecret } from "./redact.ts";
import {
  type BlockListEntry,
  type BulkAddResponse,
  blockListBulkCreateSchema,
  blockListPageSchema,
  bulkAddResponseSchema,
  bulkDeleteResponseSchema,
  type Campaign,
  type CampaignAnalytics,
  campaignAnalyticsListSchema,
  campaignPageSchema,
  campaignSchema,
  emailVerificationSchema,
  type Lead,
  leadPageSchema,
  leadRefSchema,
  parseResponse,
  type Workspace,
  workspaceSchema,
} from "./schemas.ts";
import { ClientStats, type ClientStatsSnapshot, type ClientStats as ClientStatsType } from "./stats.ts";
import { type BackoffOptions, type RequestSpec, Transport } from "./transport.ts";
import { isFinal, toResult, type VerificationOutcome } from "./verification.ts";

export const DEFAULT_BASE_URL = "https://api.instantly.ai/api/v2";
export const DEFAULT_USER_AGENT = "cold-email-pipeline/0.1.0";
/** Documented maxima (reference §2, §3.2, §3.7). */
export const MAX_PAGE_SIZE = 100;
export const MAX_BULK_ADD = 1000;

export interface InstantlyClientOptions {
  /** API key; default `INSTANTLY_API_KEY`. Never logged, redacted from every error. */
  apiKey?: string;
  /** Base URL including `/api/v2`; default `INSTANTLY_BASE_URL` or https://api.instantly.ai/api/v2. */
  baseUrl?: string;
  /** Explicit User-Agent (Cloudflare blocks default ones). @default "cold-email-pipeline/0.1.0" */
  userAgent?: string;
  /** Per-request timeout. @default 30000 */
  timeoutMs?: number;
  /** Timeout for `POST /leads/list`, which is slow on large workspaces (reference §3.3). @default 120000 */
  listTimeoutMs?: number;
  /** Attempts for retryable failures (429s do not count). @default 5 */
  maxAttempts?: number;
  /** 429 waits one call tolerates. @default 30 */
  max429Waits?: number;
  /** Longest Retry-After honoured. @default 120000 */
  maxRetryAfterMs?: number;
  backoff?: BackoffOptions;
  /** The workspace budget; default the process-wide `sharedRateBudget(rateLimit)`. */
  budget?: RateBudget;
  /** Options for the process-wide budget when `budget` is not given. */
  rateLimit?: RateBudgetOptions;
  circuitBreaker?: CircuitBreaker | CircuitBreakerOptions;
  /** Environment to read INSTANTLY_* from. @default process.env */
  env?: Record<string, string | undefined>;
  /** Ids per bulk delete call. @default 1000 */
  deleteChunkSize?: number;
  /** Values per block-list bulk-create call (the API's maximum is undocumented). @default 1000 */
  blocklistChunkSize?: number;
  /** Verification polling: first wait, longest wait, total budget. */
  verificationPoll?: { firstMs?: number; maxMs?: number; totalMs?: number };
}

/** A lead for `POST /leads/add`. Only documented keys are sent (unknown top-level keys are a 400). */
export interface LeadInput {
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  company_name?: string | null;
  job_title?: string | null;
  phone?: string | null;
  website?: string | null;
  personalization?: string | null;
  custom_variables?: Record<string, string | number | boolean | null>;
}

const LEAD_KEYS = [
  "email",
  "first_name",
  "last_name",
  "company_name",
  "job_title",
  "phone",
  "website",
  "personalization",
  "custom_variables",
] as const;

export interface BulkAddFlags {
  /** Skip leads already anywhere in the workspace (overrides the others). @default true */
  skipIfInWorkspace?: boolean;
  /** Skip leads already in ANY campaign. @default false */
  skipIfInCampaign?: boolean;
  /** Skip leads already in ANY list. @default false */
  skipIfInList?: boolean;
  /** Blocklist to check; the workspace default when omitted. */
  blocklistId?: string;
  /** Start a verification background job for the imported leads. @default false */
  verifyLeadsOnImport?: boolean;
  /** Look emails up to attribute mixed skip/blocklist/invalid counts per row. @default true */
  resolveMixedCounts?: boolean;
}

export interface BulkAddResult {
  rows: BulkAddRowOutcome[];
  /** Instantly's summary counts, as returned. */
  summary: BulkAddResponse;
  /** Extra `POST /leads/list` calls made to attribute mixed counts. */
  lookupRequests: number;
}

export type DeleteLeadStatus = "deleted" | "already_absent" | "still_present";

export interface DeleteLeadsResult {
  /** One entry per requested id, in input order. */
  rows: { id: string; status: DeleteLeadStatus }[];
  /** Sum of Instantly's `count` over the chunks. */
  deletedCount: number;
}

export interface BlocklistCreateResult {
  entries: BlockListEntry[];
  validCount: number;
  invalidCount: number;
}

export class InstantlyClient {
  readonly baseUrl: string;
  readonly budget: RateBudget;
  readonly breaker: CircuitBreaker;
  readonly #stats: ClientStatsType = new ClientStats();
  readonly #transport: Transport;
  readonly #listTimeoutMs: number;
  readonly #deleteChunk: number;
  readonly #blockChunk: number;
  readonly #poll: { firstMs: number; maxMs: number; totalMs: number };

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
    this.#listTimeoutMs = positive("listTimeoutMs", options.listTimeoutMs ?? 120_000);
    this.#deleteChunk = positive("deleteChunkSize", options.deleteChunkSize ?? 1000, 10_000);
    this.#blockChunk = positive("blocklistChunkSize", options.blocklistChunkSize ?? 1000);
    this.#poll = { firstMs: 1000, maxMs: 15_000, totalMs: 120_000, ...options.verificationPoll };
    this.#transport = new Transport({
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
    return this.#json(workspaceSchema, {
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
    return this.#paginate("listCampaigns", async (cursor) =>
      this.#json(campaignPageSchema, {
        operation: "listCampaigns",
        method: "GET",
        path: "/campaigns",
        route: "/campaigns",
        query: { limit: MAX_PAGE_SIZE, starting_after: cursor, search: filter.search, status: filter.status },
        retryAmbiguous: true,
      }),
    );
  }

  /** `GET /campaigns/{id}`; an unknown id is a 404 → InstantlyRejectedError. */
  async getCampaign(id: string): Promise<Campaign> {
    return this.#json(campaignSchema, {
      operation: "getCampaign",
      method: "GET",
      path: `/campaigns/${encodeURIComponent(requireId("campaign id", id))}`,
      route: "/campaigns/{id}",
      retryAmbiguous: true,
    });
  }

  /**
   * `GET /campaigns/analytics` for the given campaigns (repeated `ids`; all campaigns when empty).
   * Returns `[]` for campaigns that have not sent yet (reference §3.12).
   */
  async campaignAnalytics(
    options: { ids?: string[]; startDate?: string; endDate?: string; excludeTotalLeadsCount?: boolean } = {},
  ): Promise<CampaignAnalytics[]> {
    return this.#json(campaignAnalyticsListSchema, {
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

  // ---------------------------------------------------------------- leads

  /**
   * Every lead of a campaign, one page (`limit`, max 100) per iteration, via `POST /leads/list`
   * (filters in the body). Stops on an empty page (the API may send a cursor on the last page) or
   * when no cursor comes back.
   */
  listLeads(campaignId: string, options: { limit?: number } = {}): AsyncGenerator<Lead[]> {
    const limit = positive("limit", options.limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    const campaign = requireId("campaign id", campaignId);
    return this.#paginate("listLeads", (cursor) =>
      this.#json(leadPageSchema, {
        operation: "listLeads",
        method: "POST",
        path: "/leads/list",
        route: "/leads/list",
        body: { campaign, limit, ...(cursor ? { starting_after: cursor } : {}) },
        retryAmbiguous: true,
        timeoutMs: this.#listTimeoutMs,
      }),
    );
  }

  /**
   * Adds up to 1,000 leads to a campaign (`POST /leads/add`) and returns one outcome per input row
   * (see bulk-add.ts). A terminal 4xx for the whole batch throws InstantlyRejectedError.
   */
  async bulkAddLeads(
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
    const spec: RequestSpec = {
      operation: "bulkAddLeads",
      method: "POST",
      path: "/leads/add",
      route: "/leads/add",
      body,
      // Dedupe flags make a repeat skip what the first attempt created (reference §1.5, §3.2).
      retryAmbiguous: skipIfInWorkspace || skipIfInCampaign,
    };
    const res = await this.#transport.request(spec);
    const summary = parseResponse(bulkAddResponseSchema, res.data, this.#ctx(spec, res.status));
    const emails = leads.map((l) => l.email);
    const retried = res.ambiguousRetries > 0;
    let attribution = attributeBulkAdd(emails, summary, { retriedAfterAmbiguousFailure: retried });
    let lookupRequests = 0;
    if (attribution.ambiguous.length > 0 && (flags.resolveMixedCounts ?? true)) {
      const wanted = attribution.ambiguous
        .map((i) => normaliseEmail(emails[i]))
        .filter((e): e is string => e !== undefined);
      const { found, requests } = await this.#existingEmails(wanted);
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
  async deleteLeads(campaignId: string, ids: readonly string[]): Promise<DeleteLeadsResult> {
    const campaign = requireId("campaign id", campaignId);
    if (ids.length === 0) return { rows: [], deletedCount: 0 };
    for (const id of ids) requireId("lead id", id);
    const status = new Map<string, DeleteLeadStatus>();
    let deletedCount = 0;
    for (let start = 0; start < ids.length; start += this.#deleteChunk) {
      const chunk = [...new Set(ids.slice(start, start + this.#deleteChunk))];
      const spec: RequestSpec = {
        operation: "deleteLeads",
        method: "DELETE",
        path: "/leads",
        route: "/leads",
        body: { campaign_id: campaign, ids: chunk, limit: chunk.length },
        retryAmbiguous: true,
      };
      const res = await this.#transport.request(spec);
      const { count } = parseResponse(bulkDeleteResponseSchema, res.data, this.#ctx(spec, res.status));
      deletedCount += count;
      const present = count < chunk.length ? await this.#presentIds(campaign, chunk) : new Set<string>();
      for (const id of chunk) {
        // A zero count means nothing was deleted now, so every absent id was gone before the call.
        status.set(id, present.has(id) ? "still_present" : count === 0 ? "already_absent" : "deleted");
      }
    }
    return { rows: ids.map((id) => ({ id, status: status.get(id) ?? "still_present" })), deletedCount };
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
    const res = await this.#transport.request(spec);
    // 404, or (a variant the reference leaves open) 200 with an empty/null body: the lead is gone.
    if (res.status === 404 || res.data === null || res.data === undefined || res.data === "") {
      return { id, status: "already_absent" };
    }
    parseResponse(leadRefSchema, res.data, this.#ctx(spec, res.status));
    return { id, status: "deleted" };
  }

  // ---------------------------------------------------------------- block list

  /** `GET /block-lists-entries`, one page per iteration. */
  listBlocklistEntries(
    filter: { domainsOnly?: boolean; search?: string } = {},
  ): AsyncGenerator<BlockListEntry[]> {
    return this.#paginate("listBlocklistEntries", (cursor) =>
      this.#json(blockListPageSchema, {
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
      const res = await this.#transport.request(spec);
      const parsed = parseResponse(blockListBulkCreateSchema, res.data, this.#ctx(spec, res.status));
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

  // ---------------------------------------------------------------- verification

  /**
   * Verifies one address: `POST /email-verification`, then, while the status or the catch-all flag
   * is `pending`, `GET /email-verification/{email}` with growing waits, up to the poll budget.
   * Returns `pending` if still unknown then (a later run asks again, without spending a credit).
   */
  async verifyEmail(email: string): Promise<VerificationOutcome> {
    if (typeof email !== "string" || !email.includes("@")) {
      throw new TypeError("verifyEmail expects an email address (value not shown)");
    }
    const first = await this.#json(emailVerificationSchema, {
      operation: "verifyEmail",
      method: "POST",
      path: "/email-verification",
      route: "/email-verification",
      body: { email },
      retryAmbiguous: false,
    }).catch((error: unknown) => {
      // Out of verification credits: the status is undocumented (402 is the usual guess). It is not
      // the workspace losing its plan, so it must not abort the run: the rest of the run can go on
      // without verification, and a later run retries once credits are topped up.
      if (error instanceof InstantlyFatalError && /credit/i.test(error.message)) {
        throw new InstantlyFailedError(
          "out_of_credits",
          error.message,
          {
            operation: error.operation,
            route: error.route,
            ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
          },
          true,
        );
      }
      throw error;
    });
    let latest = first;
    let polls = 0;
    let wait = this.#poll.firstMs;
    const deadline = performance.now() + this.#poll.totalMs;
    while (!isFinal(latest) && performance.now() + wait <= deadline) {
      await sleep(wait);
      wait = Math.min(this.#poll.maxMs, wait * 2);
      polls++;
      latest = await this.#json(emailVerificationSchema, {
        operation: "getEmailVerification",
        method: "GET",
        path: `/email-verification/${encodeURIComponent(email)}`,
        route: "/email-verification/{email}",
        retryAmbiguous: true,
      });
    }
    return {
      result: toResult(latest),
      catchAll: latest.catch_all ?? null,
      credits: latest.credits ?? first.credits ?? null,
      creditsUsed: first.credits_used ?? latest.credits_used ?? null,
      polls,
    };
  }

  // ---------------------------------------------------------------- internals

  async #json<S extends z.ZodType>(schema: S, spec: RequestSpec): Promise<z.infer<S>> {
    const res = await this.#transport.request(spec);
    return parseResponse(schema, res.data, this.#ctx(spec, res.status));
  }

  #ctx(spec: RequestSpec, httpStatus: number) {
    return { operation: spec.operation, route: `${spec.method} ${spec.route}`, httpStatus };
  }

  async *#paginate<T>(
    operation: string,
    fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_starting_after?: string | null }>,
  ): AsyncGenerator<T[]> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const page = await fetchPage(cursor);
      if (page.items.length === 0) return;
      yield page.items;
      const next = page.next_starting_after;
      if (!next) return;
      if (seen.has(next)) {
        throw new InstantlyFailedError(
          "cursor_loop",
          "the API returned a cursor it had already returned; stopping to avoid an endless loop",
          { operation, route: operation },
          true,
        );
      }
      seen.add(next);
      cursor = next;
    }
  }

  /** Emails (normalised) that exist anywhere in the workspace, via `POST /leads/list {contacts}`. */
  async #existingEmails(emails: string[]): Promise<{ found: Set<string>; requests: number }> {
    const found = new Set<string>();
    let requests = 0;
    for (let start = 0; start < emails.length; start += MAX_PAGE_SIZE) {
      const contacts = emails.slice(start, start + MAX_PAGE_SIZE);
      const pages = this.#paginate("lookupLeads", (cursor) => {
        requests++;
        return this.#json(leadPageSchema, {
          operation: "lookupLeads",
          method: "POST",
          path: "/leads/list",
          route: "/leads/list",
          body: { contacts, limit: MAX_PAGE_SIZE, ...(cursor ? { starting_after: cursor } : {}) },
          retryAmbiguous: true,
          timeoutMs: this.#listTimeoutMs,
        });
      });
      for await (const page of pages) {
        for (const lead of page) {
          const e = normaliseEmail(lead.email);
          if (e) found.add(e);
        }
      }
    }
    return { found, requests };
  }

  /** Which of `ids` still exist in the campaign (`POST /leads/list {campaign, ids}`). */
  async #presentIds(campaign: string, ids: string[]): Promise<Set<string>> {
    const present = new Set<string>();
    for (let start = 0; start < ids.length; start += MAX_PAGE_SIZE) {
      const chunk = ids.slice(start, start + MAX_PAGE_SIZE);
      const pages = this.#paginate("checkLeadsPresent", (cursor) =>
        this.#json(leadPageSchema, {
          operation: "checkLeadsPresent",
          method: "POST",
          path: "/leads/list",
          route: "/leads/list",
          body: { campaign, ids: chunk, limit: MAX_PAGE_SIZE, ...(cursor ? { starting_after: cursor } : {}) },
          retryAmbiguous: true,
          timeoutMs: this.#listTimeoutMs,
        }),
      );
      for await (const page of pages) for (const lead of page) present.add(lead.id);
    }
    return present;
  }
}

/** Collects an async iterator of pages into one array (for small results). */
export async function collectPages<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

function pickLeadFields(lead: LeadInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of LEAD_KEYS) {
    const v = lead[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function validateBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      `Expected Instantly base URL (INSTANTLY_BASE_URL) to be an http(s) URL, got \`${value}\``,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Expected Instantly base URL to use http or https, got \`${value}\``);
  }
  return value.replace(/\/+$/, "");
}

function requireId(what: string, id: string): string {
  if (typeof id !== "string" || id.trim() === "")
    throw new TypeError(`Expected a non-empty ${what}, got \`${id}\``);
  return id;
}

function positive(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(`Expected \`${name}\` to be an integer from 1 to ${max}, got \`${value}\``);
  }
  return value;
}
