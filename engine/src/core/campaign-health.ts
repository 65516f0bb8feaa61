/**
 * One campaign's health as the SQL computed it (definitions/intermediate/int_campaign_health.sqlx):
 * its bounce rate, judged only once it has contacted `bounce_min_contacted` leads, and the bounce
 * guard's verdict. The guard (core/guards.ts), the run report and the bounce alert
 * (notify/alerts.ts) read these values; none of them computes a rate.
 */
export interface CampaignHealth {
  /** Lower-cased Instantly campaign id. */
  campaignId: string;
  campaignName: string | null;
  segment: string | null;
  /** Leads contacted at least once (analytics of the latest pull). */
  contacted: number;
  /** Emails sent (analytics of the latest pull). */
  sent: number;
  bounced: number;
  /** bounced / contacted in percent once the campaign is judged; null before. */
  bounceRatePct: number | null;
  /** The bounce_block_pct the SQL compared with. */
  bounceBlockPct: number;
  /** The SQL's verdict: no adds to this campaign this run. */
  isBounceBlocked: boolean;
}
