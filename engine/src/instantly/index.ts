/** Public surface of the Instantly API V2 client (re-exports only). */

export { safeMessage } from "../core/redact.ts";
export type { BulkAddRowOutcome, BulkAddRowStatus } from "./bulk-add.ts";
export { type SendingStatus, stepDelaysDays } from "./capacity-calls.ts";
export type { Account, AccountDaily, CampaignDaily } from "./capacity-schemas.ts";
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from "./circuit-breaker.ts";
export {
  type BlocklistCreateResult,
  type BulkAddFlags,
  type BulkAddResult,
  collectPages,
  DEFAULT_BASE_URL,
  DEFAULT_USER_AGENT,
  type DeleteLeadStatus,
  type DeleteLeadsResult,
  InstantlyClient,
  type InstantlyClientOptions,
  type LeadInput,
  MAX_BULK_ADD,
  MAX_PAGE_SIZE,
} from "./client.ts";
export {
  CircuitOpenError,
  InstantlyError,
  InstantlyFailedError,
  InstantlyFatalError,
  type InstantlyOutcome,
  InstantlyRejectedError,
  InstantlyResponseError,
  settle,
  toOutcome,
} from "./errors.ts";
export { INSTANTLY_LIMITS, RateBudget, type RateBudgetOptions, sharedRateBudget } from "./rate-budget.ts";
export type { BlockListEntry, Campaign, CampaignAnalytics, Lead, Workspace } from "./schemas.ts";
export type { ClientStatsSnapshot, OperationStats } from "./stats.ts";
export type { VerificationOutcome, VerificationResult } from "./verification.ts";
