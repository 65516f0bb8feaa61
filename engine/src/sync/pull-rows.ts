import type { Lead } from "../instantly/index.ts";
import type { Row } from "../warehouse/port.ts";
import type { ManagedCampaign } from "./preflight.ts";

/** Snapshot rows of `instantly_leads` and `instantly_campaigns` (warehouse/tables.ts), as Instantly lists them. */

const iso = (v: string | null | undefined): Date | null => {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};
export const intOrNull = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v)
    ? Math.trunc(v)
    : typeof v === "string" && /^-?\d+$/.test(v)
      ? Number(v)
      : null;

export function leadRow(runId: string, at: Date, campaignId: string, lead: Lead): Row {
  return {
    run_id: runId,
    recorded_at: at,
    lead_id: lead.id,
    campaign_id: (lead.campaign ?? campaignId).toLowerCase(),
    email: lead.email ?? null,
    status: intOrNull(lead.status),
    lt_interest_status: intOrNull(lead.lt_interest_status),
    email_open_count: intOrNull(lead.email_open_count),
    email_reply_count: intOrNull(lead.email_reply_count),
    email_click_count: intOrNull(lead.email_click_count),
    verification_status: intOrNull(lead.verification_status),
    timestamp_created: iso(lead.timestamp_created),
    timestamp_updated: iso(lead.timestamp_updated),
    timestamp_last_contact: iso(lead.timestamp_last_contact),
    timestamp_last_reply: iso(lead.timestamp_last_reply),
    timestamp_last_interest_change: iso(lead.timestamp_last_interest_change),
    upload_method: lead.upload_method ?? null,
    company_domain: lead.company_domain ?? null,
    payload: lead.payload ?? null,
  };
}

export function campaignRow(runId: string, at: Date, m: ManagedCampaign): Row {
  const a = m.analytics;
  return {
    run_id: runId,
    recorded_at: at,
    id: m.campaign.id.toLowerCase(),
    name: m.campaign.name,
    status: intOrNull(m.campaign.status),
    daily_limit: intOrNull(m.campaign.daily_limit),
    stop_on_reply: m.campaign.stop_on_reply ?? null,
    stop_on_auto_reply: m.campaign.stop_on_auto_reply ?? null,
    leads_count: intOrNull(a?.leads_count),
    contacted_count: intOrNull(a?.contacted_count),
    emails_sent_count: intOrNull(a?.emails_sent_count),
    bounced_count: intOrNull(a?.bounced_count),
    reply_count: intOrNull(a?.reply_count),
    unsubscribed_count: intOrNull(a?.unsubscribed_count),
    completed_count: intOrNull(a?.completed_count),
  };
}
