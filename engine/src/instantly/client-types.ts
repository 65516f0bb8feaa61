import type { BulkAddRowOutcome } from "./bulk-add.ts";
import type { CircuitBreaker, CircuitBreakerOptions } from "./circuit-breaker.ts";
import type { RateBudget, RateBudgetOptions } from "./rate-budget.ts";
import type { BlockListEntry, BulkAddResponse } from "./schemas.ts";
import type { BackoffOptions } from "./transport.ts";

/** Options and result types of the Instantly client (a leaf: the client's modules all read it). */

export const DEFAULT_BASE_URL = "https://api.instantly.ai/api/v2";
export const DEFAULT_USER_AGENT = "cold-email-pipeline/0.1.0";
/** Documented maxima (docs/instantly-api-v2.md §2, §3.2, §3.7). */
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
  /** Timeout for `POST /leads/list`, which is slow on large workspaces (docs/instantly-api-v2.md §3.3). @default 120000 */
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
