/**
 * zod schemas of the sending-capacity reads (reference `send-capacity-pacing.md` §1 and
 * instantly-api-v2.md §3.11–3.12, §5): sending accounts, a campaign's sending-status diagnosis and
 * the daily analytics of campaigns and accounts. Lenient like schemas.ts: unknown fields pass, and
 * only the fields the pull stores are typed (a wrong type there names the field path).
 */
import { z } from "zod";

const nullableString = z.string().nullish();
const nullableNumber = z.number().nullish();
const nullableBool = z.boolean().nullish();

/** `GET /accounts` item: the sending address and what limits or stops it. */
export const accountSchema = z.looseObject({
  email: z.string(),
  daily_limit: nullableNumber,
  /** 1 active, 2 paused, -1/-2 soft bounce error, -3 sending error. */
  status: nullableNumber,
  /** 0 paused, 1 active, -1 banned, -2 spam folder unknown, -3 permanent suspension. */
  warmup_status: nullableNumber,
  setup_pending: nullableBool,
  enable_slow_ramp: nullableBool,
});
export type Account = z.infer<typeof accountSchema>;

export const accountPageSchema = z.looseObject({
  items: z.array(accountSchema),
  next_starting_after: nullableString,
});

const followUps = z.looseObject({ count: nullableNumber }).nullish();

/**
 * `GET /campaigns/{id}/sending-status`: the status is `diagnostics?.status ?? summary?.status`; the
 * waiting follow-ups are read under `diagnostics` or at the top level (the reference lists the block
 * without saying where it sits).
 */
export const sendingStatusSchema = z.looseObject({
  diagnostics: z.looseObject({ status: nullableString, follow_ups_waiting: followUps }).nullish(),
  summary: z.looseObject({ status: nullableString }).nullish(),
  follow_ups_waiting: followUps,
});
export type SendingStatusResponse = z.infer<typeof sendingStatusSchema>;

/** `GET /campaigns/analytics/daily` item (one day of one campaign). */
export const campaignDailySchema = z.looseObject({
  date: z.string(),
  sent: nullableNumber,
  contacted: nullableNumber,
  new_leads_contacted: nullableNumber,
});
export type CampaignDaily = z.infer<typeof campaignDailySchema>;
export const campaignDailyListSchema = z.array(campaignDailySchema);

/** `GET /accounts/analytics/daily` item (one day of one account); the address is `email_account`. */
export const accountDailySchema = z.looseObject({
  date: z.string(),
  email_account: nullableString,
  email: nullableString,
  sent: nullableNumber,
  bounced: nullableNumber,
  new_leads_contacted: nullableNumber,
});
export type AccountDaily = z.infer<typeof accountDailySchema>;
export const accountDailyListSchema = z.array(accountDailySchema);
