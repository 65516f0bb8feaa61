/**
 * zod schemas for every Instantly V2 response this client reads (field names and types from the
 * API reference docs/instantly-api-v2.md, §3–§5). Objects are `looseObject`: Instantly adds fields over time and we must not break
 * on them. Required fields are only those the reference marks required AND that we read; a missing or
 * wrongly typed one is an `InstantlyResponseError` naming the route and the field path
 * (e.g. `items.3.status`), never the value (it may be PII).
 */
import { z } from "zod";
import { type ErrorContext, InstantlyResponseError } from "./errors.ts";

const nullableString = z.string().nullish();
const nullableNumber = z.number().nullish();
/** Opaque cursor: a UUID, a timestamp or an email depending on the endpoint (docs/instantly-api-v2.md §2). */
const cursor = z.string().nullish();

export const campaignSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  /** 0 Draft, 1 Active, 2 Paused, 3 Completed, 4 Running Subsequences, -99/-1/-2 problem states. */
  status: z.number(),
  timestamp_created: nullableString,
  timestamp_updated: nullableString,
  daily_limit: nullableNumber,
  daily_max_leads: nullableNumber,
  stop_on_reply: z.boolean().nullish(),
  stop_on_auto_reply: z.boolean().nullish(),
  email_list: z.array(z.string()).nullish(),
  not_sending_status: nullableNumber,
  /** Only `sequences[0]` is used; `delay` is the wait before the NEXT step (reference §5). */
  sequences: z
    .array(
      z.looseObject({
        steps: z.array(z.looseObject({ delay: nullableNumber, delay_unit: nullableString })).nullish(),
      }),
    )
    .nullish(),
});
export type Campaign = z.infer<typeof campaignSchema>;

export const campaignPageSchema = z.looseObject({
  items: z.array(campaignSchema),
  next_starting_after: cursor,
});

export const campaignAnalyticsSchema = z.looseObject({
  campaign_id: z.string(),
  campaign_name: nullableString,
  campaign_status: nullableNumber,
  leads_count: nullableNumber,
  contacted_count: nullableNumber,
  emails_sent_count: nullableNumber,
  new_leads_contacted_count: nullableNumber,
  open_count: nullableNumber,
  reply_count: nullableNumber,
  reply_count_unique: nullableNumber,
  reply_count_automatic: nullableNumber,
  link_click_count: nullableNumber,
  bounced_count: nullableNumber,
  unsubscribed_count: nullableNumber,
  completed_count: nullableNumber,
  total_opportunities: nullableNumber,
});
export type CampaignAnalytics = z.infer<typeof campaignAnalyticsSchema>;
export const campaignAnalyticsListSchema = z.array(campaignAnalyticsSchema);

export const leadSchema = z.looseObject({
  id: z.string(),
  timestamp_created: z.string(),
  timestamp_updated: z.string(),
  /** 1 Active, 2 Paused, 3 Completed, -1 Bounced, -2 Unsubscribed, -3 Skipped. */
  status: z.number(),
  campaign: nullableString,
  list_id: nullableString,
  email: nullableString,
  first_name: nullableString,
  last_name: nullableString,
  company_name: nullableString,
  company_domain: z.string(),
  email_open_count: z.number(),
  email_reply_count: z.number(),
  email_click_count: z.number(),
  /** Number for built-in labels (0 OOO, 1 Interested, …, -1 Not interested, -2 Wrong person) or custom. */
  lt_interest_status: z.union([z.number(), z.string()]).nullish(),
  verification_status: nullableNumber,
  timestamp_last_contact: nullableString,
  timestamp_last_reply: nullableString,
  timestamp_last_interest_change: nullableString,
  upload_method: nullableString,
  payload: z.record(z.string(), z.unknown()).nullish(),
});
export type Lead = z.infer<typeof leadSchema>;

export const leadPageSchema = z.looseObject({
  items: z.array(leadSchema),
  next_starting_after: cursor,
});

/** Only `id` is read from single-lead writes (DELETE /leads/{id} returns the deleted Lead). */
export const leadRefSchema = z.looseObject({ id: z.string() });

export const bulkAddResponseSchema = z.looseObject({
  status: nullableString,
  total_sent: nullableNumber,
  leads_uploaded: nullableNumber,
  in_blocklist: nullableNumber,
  blocklist_used: nullableString,
  duplicated_leads: nullableNumber,
  skipped_count: nullableNumber,
  invalid_email_count: nullableNumber,
  incomplete_count: nullableNumber,
  duplicate_email_count: nullableNumber,
  remaining_in_plan: nullableNumber,
  created_leads: z
    .array(
      z.looseObject({
        index: z.number().int().nonnegative(),
        id: z.string(),
        email: nullableString,
      }),
    )
    .nullish(),
});
export type BulkAddResponse = z.infer<typeof bulkAddResponseSchema>;

export const bulkDeleteResponseSchema = z.looseObject({ count: z.number().int().nonnegative() });

export const workspaceSchema = z.looseObject({
  id: z.string(),
  name: nullableString,
  plan_id: nullableString,
});
export type Workspace = z.infer<typeof workspaceSchema>;

export const blockListEntrySchema = z.looseObject({
  id: z.string(),
  bl_value: z.string(),
  is_domain: z.boolean(),
  timestamp_created: nullableString,
  organization_id: nullableString,
});
export type BlockListEntry = z.infer<typeof blockListEntrySchema>;

export const blockListPageSchema = z.looseObject({
  items: z.array(blockListEntrySchema),
  next_starting_after: cursor,
});

/**
 * Bulk create: the spec says `{items, valid_count, invalid_count}`, a doc mirror shows a bare array
 * (docs/instantly-api-v2.md §3.14, which one is live is unknown) — both are accepted.
 */
export const blockListBulkCreateSchema = z.union([
  z.looseObject({
    items: z.array(blockListEntrySchema),
    valid_count: nullableNumber,
    invalid_count: nullableNumber,
  }),
  z.array(blockListEntrySchema),
]);

export const emailVerificationSchema = z.looseObject({
  email: z.string(),
  verification_status: z.enum(["pending", "verified", "invalid"]),
  status: z.enum(["success", "error"]).nullish(),
  catch_all: z.union([z.boolean(), z.literal("pending")]).nullish(),
  credits: nullableNumber,
  credits_used: nullableNumber,
});
export type EmailVerification = z.infer<typeof emailVerificationSchema>;

/** Validates `data` or throws `InstantlyResponseError` naming the route and up to three field paths. */
export function parseResponse<S extends z.ZodType>(
  schema: S,
  data: unknown,
  context: ErrorContext,
): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length === 0 ? "(body)" : issue.path.map(String).join(".");
    return `\`${path}\`: ${issue.message}`;
  });
  const more = result.error.issues.length > 3 ? ` (+${result.error.issues.length - 3} more)` : "";
  throw new InstantlyResponseError(
    `response does not match the documented schema at ${issues.join("; ")}${more}`,
    context,
  );
}
