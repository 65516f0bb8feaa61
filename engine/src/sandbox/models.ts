/**
 * Wire shapes the sandbox serves, field for field as docs/instantly-api-v2.md (§4 Lead, §5 Campaign, §3.13,
 * §3.14, §3.15, Workspace) lists them. Objects are stored exactly as they are sent, so a test reading
 * `state` sees what a client would see.
 */

export type LeadStatus = 1 | 2 | 3 | -1 | -2 | -3;

export interface Lead {
  id: string;
  timestamp_created: string;
  timestamp_updated: string;
  organization: string;
  campaign: string | null;
  list_id: string | null;
  status: LeadStatus;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  job_title: string | null;
  phone: string | null;
  website: string | null;
  personalization: string | null;
  company_domain: string;
  email_open_count: number;
  email_reply_count: number;
  email_click_count: number;
  status_summary: {
    lastStep?: { from?: string; stepID?: string; timestamp_executed?: string };
    domain_complete?: boolean;
  };
  payload: Record<string, string | number | boolean | null> | null;
  last_step_from: string | null;
  last_step_id: string | null;
  last_step_timestamp_executed: string | null;
  email_opened_step: number | null;
  email_opened_variant: number | null;
  email_replied_step: number | null;
  email_replied_variant: number | null;
  email_clicked_step: number | null;
  email_clicked_variant: number | null;
  lt_interest_status: number | null;
  subsequence_id: string | null;
  verification_status: number | null;
  pl_value_lead: string | null;
  timestamp_added_subsequence: string | null;
  timestamp_last_contact: string | null;
  timestamp_last_open: string | null;
  timestamp_last_reply: string | null;
  timestamp_last_interest_change: string | null;
  timestamp_last_click: string | null;
  timestamp_last_touch: string | null;
  enrichment_status: number | null;
  last_contacted_from: string | null;
  uploaded_by_user: string | null;
  upload_method: "manual" | "api" | "website-visitor";
  assigned_to: string | null;
  is_website_visitor: boolean | null;
  esp_code: number | null;
  esg_code: number | null;
}

export interface CampaignStep {
  type: "email";
  delay: number;
  delay_unit?: "minutes" | "hours" | "days";
  variants: { subject: string; body: string; v_disabled?: boolean }[];
}

export interface Campaign {
  id: string;
  name: string;
  status: number;
  campaign_schedule: {
    start_date?: string | null;
    end_date?: string | null;
    schedules: {
      name: string;
      timing: { from: string; to: string };
      days: Record<string, boolean>;
      timezone: string;
    }[];
  };
  sequences: { steps: CampaignStep[] }[];
  timestamp_created: string;
  timestamp_updated: string;
  pl_value: number | null;
  is_evergreen: boolean | null;
  email_gap: number | null;
  random_wait_max: number | null;
  text_only: boolean | null;
  first_email_text_only: boolean | null;
  email_list: string[];
  daily_limit: number | null;
  daily_max_leads: number | null;
  stop_on_reply: boolean | null;
  stop_on_auto_reply: boolean | null;
  stop_for_company: boolean | null;
  email_tag_list: string[];
  link_tracking: boolean | null;
  open_tracking: boolean;
  prioritize_new_leads: boolean | null;
  match_lead_esp: boolean | null;
  insert_unsubscribe_header: boolean | null;
  allow_risky_contacts: boolean | null;
  disable_bounce_protect: boolean | null;
  auto_variant_select: { trigger: string } | null;
  not_sending_status: number | null;
  core_variables: Record<string, unknown> | null;
  custom_variables: Record<string, unknown> | null;
  limit_emails_per_company_override: null;
  cc_list: string[];
  bcc_list: string[];
  organization: string | null;
  owned_by: string | null;
  ai_sdr_id: string | null;
  provider_routing_rules: unknown[];
  [extra: string]: unknown;
}

export interface BlockListEntry {
  id: string;
  timestamp_created: string;
  organization_id: string;
  bl_value: string;
  is_domain: boolean;
}

export interface EmailVerification {
  email: string;
  verification_status: "pending" | "verified" | "invalid";
  status: "success" | "error" | null;
  catch_all: boolean | "pending";
  credits: number | null;
  credits_used: number | null;
}

export interface LeadList {
  id: string;
  organization_id: string;
  has_enrichment_task: boolean | null;
  owned_by: string | null;
  name: string;
  timestamp_created: string;
}

export interface Workspace {
  id: string;
  name: string;
  owner: string;
  timestamp_created: string;
  timestamp_updated: string;
  plan_id: string | null;
  add_unsub_to_block: boolean;
  default_opportunity_value: number | null;
  plan_id_leadfinder: string | null;
  plan_id_verification: { quantity?: number; product_id?: string; timestamp_updated?: string };
  org_logo_url: string | null;
  org_client_domain: string | null;
  plan_id_crm: string | null;
  plan_id_website_visitor: string | null;
  plan_id_inbox_placement: string | null;
}

/** Sandbox-internal progress of one lead through its sequence (never sent on the wire). */
export interface LeadProgress {
  /** Emails of the sequence sent so far. */
  stepsSent: number;
  /** Simulated day index (ms / 86,400,000) of the first email; null until contacted. */
  firstSentDay: number | null;
  opened: boolean;
  replied: boolean;
  autoReplied: boolean;
  opportunity: boolean;
  /** The sequence was stopped by a reply (stop_on_reply / stop_on_auto_reply). */
  stopped?: boolean;
  /** Simulated day of the last email sent (the next step waits its delay from here); absent = firstSentDay. */
  lastSentDay?: number | null;
}

/** A sending account (mailbox), as `GET /accounts` lists it (send-capacity fields only). */
export interface Account {
  email: string;
  organization: string;
  timestamp_created: string;
  timestamp_updated: string;
  /** Emails a day across every campaign it sends for (warmup emails not counted). */
  daily_limit: number;
  /** 1 active, 2 paused, -1/-2 soft bounce error, -3 sending error. */
  status: number;
  /** 0 paused, 1 active, -1 banned, -2 spam folder unknown, -3 permanent suspension. */
  warmup_status: number;
  setup_pending: boolean;
  /** The limit rises by 2 a day up to daily_limit (the current ramp value is not exposed). */
  enable_slow_ramp: boolean;
  /** Minutes between two emails of this account. */
  sending_gap: number;
  stat_warmup_score: number | null;
  provider_code: number;
}

/** Daily counters of one sending account (GET /accounts/analytics/daily). */
export interface AccountCounters {
  sent: number;
  bounced: number;
  contacted: number;
  new_leads_contacted: number;
  opened: number;
  unique_opened: number;
  replies: number;
  unique_replies: number;
  clicks: number;
  unique_clicks: number;
}

export function emptyAccountCounters(): AccountCounters {
  return {
    sent: 0,
    bounced: 0,
    contacted: 0,
    new_leads_contacted: 0,
    opened: 0,
    unique_opened: 0,
    replies: 0,
    unique_replies: 0,
    clicks: 0,
    unique_clicks: 0,
  };
}

/** What one campaign's sending did on the last simulated day: what its sending-status is derived from. */
export interface CampaignSendDay {
  day: number;
  /** Accounts of email_list that exist in the workspace. */
  connected: number;
  /** Of those, healthy (status 1, warmup_status >= 0, not setup_pending). */
  healthy: number;
  /** Healthy accounts left with no capacity at the end of the day, because of their limit / of slow ramp. */
  dailyLimitHit: number;
  slowRampLimitHit: number;
  /** campaign daily_limit (null = none) and emails sent that day. */
  limit: number | null;
  sent: number;
  /** New-lead limit in force (null = none) and new leads started that day. */
  newLimit: number | null;
  newContacted: number;
  /** Follow-ups due and new leads still unsent at the end of the day. */
  followUpsLeft: number;
  newLeft: number;
  /** Leads mid-sequence whose next step is not due yet, and the earliest day one becomes due. */
  followUpsWaiting: number;
  earliestDueDay: number | null;
}

/** Pending-or-final verification with the final result decided at creation (seeded). */
export interface VerificationRecord {
  result: EmailVerification;
  final: { verification_status: "verified" | "invalid"; catch_all: boolean };
  pollsLeft: number;
}

/** Daily campaign counters; analytics endpoints sum them over a date range. */
export interface DailyCounters {
  sent: number;
  contacted: number;
  new_leads_contacted: number;
  opened: number;
  unique_opened: number;
  replies: number;
  unique_replies: number;
  replies_automatic: number;
  unique_replies_automatic: number;
  clicks: number;
  unique_clicks: number;
  bounced: number;
  unsubscribed: number;
  completed: number;
  opportunities: number;
  unique_opportunities: number;
  interested: number;
  meeting_booked: number;
}

export function emptyCounters(): DailyCounters {
  return {
    sent: 0,
    contacted: 0,
    new_leads_contacted: 0,
    opened: 0,
    unique_opened: 0,
    replies: 0,
    unique_replies: 0,
    replies_automatic: 0,
    unique_replies_automatic: 0,
    clicks: 0,
    unique_clicks: 0,
    bounced: 0,
    unsubscribed: 0,
    completed: 0,
    opportunities: 0,
    unique_opportunities: 0,
    interested: 0,
    meeting_booked: 0,
  };
}
