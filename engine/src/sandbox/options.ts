import { z } from "zod";
import { UserError } from "../core/errors.ts";

/**
 * Everything about the sandbox that a test, a benchmark or the CLI may tune, validated with zod so a
 * typo fails loudly with the option path and the bad value. Defaults model the real API as the
 * reference describes it (docs/instantly-api-v2.md); where the reference marks a behaviour [UNK], the
 * `unknown` block lets a test pick either possibility.
 */

const probability = z.number().min(0).max(1);
const nonNegative = z.number().min(0);

export const latencySchema = z.union([
  nonNegative,
  z.strictObject({ min: nonNegative, max: nonNegative }).refine((v) => v.max >= v.min, "max must be >= min"),
  z.strictObject({
    distribution: z.literal("normal"),
    mean: nonNegative,
    stddev: nonNegative,
    min: nonNegative.optional(),
    max: nonNegative.optional(),
  }),
  z.strictObject({ distribution: z.literal("exponential"), mean: nonNegative, max: nonNegative.optional() }),
]);
export type LatencyConfig = z.infer<typeof latencySchema>;

export const faultSchema = z.strictObject({
  /** Added before every /api/v2 response: a fixed number, a uniform {min,max}, or a distribution. */
  latencyMs: latencySchema.default(0),
  /** Probability that a request gets a 500/502/503 in the standard envelope. */
  rate5xx: probability.default(0),
  /** Probability that a request starts a burst of injected 429s (`burst429Length` requests long). */
  rate429Burst: probability.default(0),
  burst429Length: z.int().min(1).default(3),
  /** Probability that a request never gets an answer (the client's timeout must fire). */
  timeoutRate: probability.default(0),
  /** How long a "timed out" request hangs before its socket is destroyed; 0 = until the client gives up. */
  hangMs: z.int().min(0).default(0),
  /** Probability that the socket is destroyed without a response (ECONNRESET at the client). */
  resetRate: probability.default(0),
  /** Probability that a bulk write (leads/add, DELETE /leads, block-list bulk-create) lands only part of its rows. */
  partialBulkRate: probability.default(0),
  /**
   * Probability that a `POST /leads/list` page with more leads to come is returned without
   * `next_starting_after`, as if it were the last: an upstream ending pagination early (a truncated
   * listing the pull must notice by comparing with the campaign's analytics `leads_count`).
   */
  leadListEndEarlyRate: probability.default(0),
  /** Probability that a `POST /leads/add` is refused with a 400 quoting the first lead's name, company and email. */
  echoLeadInAddErrorRate: probability.default(0),
  /** For a write hit by a 5xx, timeout or reset: probability that it was applied before the failure. */
  appliedBeforeFailureRate: probability.default(0),
  /** After this many authenticated requests the primary key keeps only `scopeLossKeepScopes`. */
  scopeLossAfterRequests: z.int().min(0).nullable().default(null),
  scopeLossKeepScopes: z.array(z.string()).default(["all:read"]),
  /** Restrict the random faults to paths starting with one of these (relative to /api/v2, e.g. "/leads"). */
  paths: z.array(z.string().startsWith("/")).nullable().default(null),
});
export type FaultConfig = z.infer<typeof faultSchema>;

export const rateLimitSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** The documented workspace limits: 100 requests per second AND 6,000 per minute. */
  perSecond: z.int().min(1).default(100),
  perMinute: z.int().min(1).default(6000),
  /** Emit `Retry-After` (seconds) on 429s. Documented only for the OAuth endpoints, so off by default. */
  retryAfter: z.boolean().default(false),
  /** `sliding` counts the last 1,000 / 60,000 ms at every request (strict); `fixed` resets at window edges. */
  window: z.enum(["sliding", "fixed"]).default("sliding"),
});
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;

export const ratesSchema = z
  .strictObject({
    /** Per contacted lead per day: probability of (another) open. */
    open: probability.default(0.1),
    /** Per day, one outcome at most per lead (their sum must be <= 1): */
    reply: probability.default(0.002),
    autoReply: probability.default(0.002),
    interested: probability.default(0.001),
    meetingBooked: probability.default(0.0005),
    notInterested: probability.default(0.001),
    wrongPerson: probability.default(0.0005),
    unsubscribe: probability.default(0.001),
    /** Per email sent: probability that it bounces (lead status -1). */
    bounce: probability.default(0.005),
  })
  .refine(
    (r) =>
      r.reply +
        r.autoReply +
        r.interested +
        r.meetingBooked +
        r.notInterested +
        r.wrongPerson +
        r.unsubscribe <=
      1,
    "the daily outcome rates (reply..unsubscribe) must sum to <= 1",
  );
export type SimulationRates = z.infer<typeof ratesSchema>;

export const simulationSchema = z.strictObject({
  /** Simulated clock start (ISO). Default: the wall clock at start. */
  startTime: z.iso.datetime().nullable().default(null),
  /** Whether the simulated clock also moves with wall time between `advance` calls. Off = frozen (tests). */
  realTime: z.boolean().default(true),
  /** Emails per sequence and the days from the first to the sequence's end (then status 3). */
  sequenceSteps: z.int().min(1).max(20).default(3),
  sequenceLengthDays: z.int().min(1).max(365).default(14),
  rates: ratesSchema.default(ratesSchema.parse({})),
  /** [UNK] whether auto-replies increment Lead.email_reply_count. */
  autoReplyCountsAsReply: z.boolean().default(true),
  /** [UNK] Lead.status after a human reply stops the sequence (stop_on_reply): 3 Completed or 1 Active. */
  statusAfterReply: z.union([z.literal(3), z.literal(1)]).default(3),
});
export type SimulationConfig = z.infer<typeof simulationSchema>;

export const verificationSchema = z.strictObject({
  /** Verification credits available in the workspace; each verification uses one. */
  credits: z.int().min(0).default(10_000),
  /** Share of addresses that come back `pending` first (plus any local part starting with "pending"). */
  pendingRate: probability.default(0.3),
  /** GET polls a pending verification needs before its final result (1 = the first poll is final). */
  pollsUntilFinal: z.int().min(1).default(2),
  invalidRate: probability.default(0.05),
  catchAllRate: probability.default(0.1),
  /** [UNK] status when credits run out. */
  outOfCreditsStatus: z.union([z.literal(402), z.literal(400), z.literal(403)]).default(402),
});
export type VerificationConfig = z.infer<typeof verificationSchema>;

export const unknownSchema = z.strictObject({
  /** Whether the last page of a list carries `next_starting_after` ("sometimes" = `random`). */
  lastPageCursor: z.enum(["never", "always", "random"]).default("random"),
  lastPageCursorRate: probability.default(0.5),
  /** POST /block-lists-entries/bulk-create: SPEC `{items, valid_count, invalid_count}` or a bare array. */
  blocklistBulkShape: z.enum(["object", "array"]).default("object"),
  /** EmailVerification.catch_all: `true|false|"pending"` (tristate) or a plain boolean (false while pending). */
  catchAllShape: z.enum(["tristate", "boolean"]).default("tristate"),
  /** /leads/add without skip flags, email already in the target campaign/list: counted or a second row. */
  duplicateInTarget: z.enum(["count-duplicated", "create-row"]).default("count-duplicated"),
  /** Which /leads/add counter receives leads skipped by the skip_if_* flags. */
  skippedCountField: z.enum(["skipped_count", "duplicated_leads"]).default("skipped_count"),
  /** DELETE /leads/{id} of an id that no longer exists: 404 envelope, or 200 with a `null` body. */
  deleteMissingLead: z.enum(["404", "200-null"]).default("404"),
  /** Unknown top-level keys in /leads/add lead objects: 400 (additionalProperties:false) or silently dropped. */
  unknownLeadKeys: z.enum(["reject", "strip"]).default("reject"),
  /** `Content-Type: application/json` with an empty body: Fastify's 400 FST_ERR_CTP_EMPTY_JSON_BODY, or accepted. */
  emptyJsonBody: z.enum(["reject", "accept"]).default("reject"),
  /** Page size when `limit` is omitted. */
  defaultLimit: z.int().min(1).max(100).default(100),
  /** POST /block-lists-entries with a value already listed: return the existing entry, or 400. */
  duplicateBlocklistValue: z.enum(["return-existing", "400"]).default("return-existing"),
  /** POST /leads (single) when a skip_if_* flag matches: return the existing lead (200), or 400. */
  createLeadSkipped: z.enum(["return-existing", "400"]).default("return-existing"),
  /** GET /campaigns/analytics lists a campaign only once it has sent (KIT: `[]` until then), or always. */
  analyticsBeforeFirstSend: z.enum(["omit", "zeros"]).default("omit"),
  /** Max values per block-list bulk-create call ([UNK]). */
  blocklistBulkMax: z.int().min(1).default(1000),
  /**
   * Slow ramp: an account's limit on its first simulated day ([UNK]: the help centre only says it rises
   * "by 2 campaign emails" a day); it then rises by 2 a day up to its daily_limit.
   */
  slowRampStart: z.int().min(0).default(2),
  /**
   * Campaign `daily_max_leads: 0` ([UNK]): "unlimited" (the UI stops new leads with -1, so 0 likely means
   * no limit; the default) or "none" (no new lead starts). A negative value always stops new leads.
   */
  dailyMaxLeadsZero: z.enum(["unlimited", "none"]).default("unlimited"),
  /**
   * How an account shared by several campaigns splits its daily limit ([UNK]): "interleave" (campaigns
   * take one email at a time in turn, so unused share flows to the others; the default, like a sender
   * serving several campaigns through the day), "even" (a fixed equal share per active campaign, unused
   * share is lost) or "sequential" (campaigns in id order, the first takes what it can).
   */
  sharedAccountSplit: z.enum(["interleave", "even", "sequential"]).default("interleave"),
});
export type UnknownBehaviour = z.infer<typeof unknownSchema>;

export const extraKeySchema = z.strictObject({
  key: z.string().min(8, "keys must be at least 8 characters"),
  /** Scopes like `leads:read`, `all:all`. */
  scopes: z.array(z.string().regex(/^[a-z_-]+:(read|create|update|delete|all)$/)).default(["all:all"]),
  revoked: z.boolean().default(false),
  /** false → every call with this key answers 402 (workspace without an active paid plan). */
  paidPlan: z.boolean().default(true),
  label: z.string().optional(),
});
export type ExtraKey = z.infer<typeof extraKeySchema>;

export const campaignSeedSchema = z.looseObject({
  id: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a UUID")
    .optional(),
  name: z.string().min(1),
  status: z.union([-99, -1, -2, 0, 1, 2, 3, 4].map((n) => z.literal(n))).default(1),
});
export type CampaignSeed = z.infer<typeof campaignSeedSchema>;

export const accountSeedSchema = z.strictObject({
  email: z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "must be an email address"),
  daily_limit: z.int().min(0).default(30),
  status: z.int().default(1),
  warmup_status: z.int().default(1),
  setup_pending: z.boolean().default(false),
  enable_slow_ramp: z.boolean().default(false),
  sending_gap: z.int().min(0).default(10),
  stat_warmup_score: z.number().nullable().default(100),
  /** Campaign ids (or names) this account sends for: it is appended to their `email_list`. */
  campaigns: z.array(z.string()).default([]),
});
export type AccountSeed = z.input<typeof accountSeedSchema>;

/**
 * The sending world. Without any account (the default) every campaign sends without limit, as before
 * (the legacy/unlimited mode); once the workspace has accounts, a campaign sends only through the
 * accounts of its `email_list`, within their limits and its own (simulation.ts, sending.ts).
 */
export const sendingSchema = z.strictObject({
  /** Sending accounts created for each initial campaign (0 = none). */
  accountsPerCampaign: z.int().min(0).max(500).default(0),
  /** daily_limit of those accounts. */
  accountDailyLimit: z.int().min(0).default(30),
  /** daily_limit of the initial campaigns that have none; null = their accounts' limits summed (never binds). */
  campaignDailyLimit: z.int().min(0).nullable().default(null),
  /** daily_max_leads of the initial campaigns that have none; null = no new-lead limit. */
  dailyMaxLeads: z.int().nullable().default(null),
  /** Further accounts, each attached to the campaigns it names (shared, unhealthy, slow-ramp ones...). */
  accounts: z.array(accountSeedSchema).default([]),
});
export type SendingConfig = z.infer<typeof sendingSchema>;

export const sandboxOptionsSchema = z.strictObject({
  /** 0 = a random free port. The server only ever binds 127.0.0.1. */
  port: z.int().min(0).max(65535).default(0),
  /** The primary full-scope key. Default: derived from the seed. */
  apiKey: z.string().min(8).optional(),
  keys: z.array(extraKeySchema).default([]),
  seed: z.union([z.string(), z.number()]).default("sandbox"),
  /** Create the segment campaigns of workflow_settings.yaml (status active). */
  campaignsFromSettings: z.boolean().default(true),
  /** Folder with workflow_settings.yaml (default: the project dir). */
  projectDir: z.string().optional(),
  campaigns: z.array(campaignSeedSchema).default([]),
  /** Synthetic leads created in every initial campaign at start (for pull benchmarks). */
  syntheticLeadsPerCampaign: z.int().min(0).default(0),
  rateLimit: z.union([z.literal(false), rateLimitSchema]).default(rateLimitSchema.parse({})),
  faults: faultSchema.partial().default({}),
  simulation: simulationSchema.default(simulationSchema.parse({})),
  verification: verificationSchema.default(verificationSchema.parse({})),
  unknown: unknownSchema.default(unknownSchema.parse({})),
  sending: sendingSchema.default(sendingSchema.parse({})),
  /** Workspace setting `add_unsub_to_block`: unsubscribes go into the block list. */
  blocklistUnsubscribes: z.boolean().default(true),
  /** The workspace's lead quota, reported as `remaining_in_plan`; null = unlimited (reported null). */
  planLeadLimit: z.int().min(0).nullable().default(250_000),
  /** JSON file: loaded at start when it exists, saved on advance and close. */
  persistPath: z.string().optional(),
  /** Size of the in-memory request log (oldest entries drop first). */
  maxLogEntries: z.int().min(0).default(50_000),
});
export type SandboxOptions = z.input<typeof sandboxOptionsSchema>;
export type ResolvedOptions = z.output<typeof sandboxOptionsSchema> & { rateLimit: RateLimitConfig };

/** Validate options; a bad one throws a UserError naming the option path and the value given. */
export function resolveOptions(input: SandboxOptions | undefined): ResolvedOptions {
  const parsed = sandboxOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) throw new UserError(`bad sandbox options: ${describeIssues(parsed.error, input)}`);
  const data = parsed.data;
  const rateLimit =
    data.rateLimit === false ? { ...rateLimitSchema.parse({}), enabled: false } : data.rateLimit;
  return { ...data, rateLimit };
}

/** Validate a partial fault update (setFaults, POST /__sandbox/faults). */
export function parseFaults(input: unknown): Partial<FaultConfig> {
  const parsed = faultSchema.partial().safeParse(input ?? {});
  if (!parsed.success) throw new UserError(`bad sandbox faults: ${describeIssues(parsed.error, input)}`);
  return parsed.data;
}

function describeIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.join(".") || "(root)";
      let value: unknown = input;
      for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
      const shown = value === undefined ? "" : `, got ${JSON.stringify(value)?.slice(0, 80)}`;
      return `${where}: ${issue.message}${shown}`;
    })
    .join("; ");
}
