import type { ReceivedLeadInput } from "../instantly/lead-input.ts";
import { PLACEHOLDER_SENDER } from "./accounts.ts";
import type { Campaign, Lead, LeadProgress } from "./models.ts";
import { defaultDelays } from "./sending.ts";
import type { SandboxState } from "./state.ts";

/**
 * Building Lead and Campaign objects the way the real API returns them: server-managed fields
 * (status, counters, timestamps, company_domain, organization) filled in, core fields mirrored into
 * `payload` in camelCase next to the custom variables (docs/instantly-api-v2.md §4 and §3.2).
 */

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Instantly compares emails case-insensitively; the sandbox stores them trimmed and lower-cased. */
export function normaliseEmail(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const email = raw.trim().toLowerCase();
  return email === "" ? null : email;
}

export function isValidEmail(email: string): boolean {
  return EMAIL_RE.test(email) && email.length <= 254;
}

export function domainOf(email: string | null, website: string | null = null): string {
  if (email?.includes("@")) return email.slice(email.lastIndexOf("@") + 1);
  if (website)
    return website
      .replace(/^https?:\/\//, "")
      .replace(/\/.*$/, "")
      .replace(/^www\./, "");
  return "";
}

const payloadKeys: [keyof ReceivedLeadInput, string][] = [
  ["first_name", "firstName"],
  ["last_name", "lastName"],
  ["company_name", "companyName"],
  ["job_title", "jobTitle"],
  ["website", "website"],
  ["phone", "phone"],
  ["personalization", "personalization"],
];

export function buildPayload(input: ReceivedLeadInput): Lead["payload"] {
  const payload: Record<string, string | number | boolean | null> = {};
  for (const [from, to] of payloadKeys) {
    const value = input[from];
    if (typeof value === "string") payload[to] = value;
  }
  Object.assign(payload, input.custom_variables ?? {});
  return Object.keys(payload).length === 0 ? null : payload;
}

/** Create, store and return a new lead in a campaign or list. */
export function createLead(
  state: SandboxState,
  input: ReceivedLeadInput,
  target: { campaign: string | null; list_id: string | null },
): Lead {
  const now = state.clock.now();
  const iso = state.clock.iso(now);
  const email = normaliseEmail(input.email);
  const lead: Lead = {
    id: state.ids.uuidv7(now),
    timestamp_created: iso,
    timestamp_updated: iso,
    organization: state.workspace.id,
    campaign: target.campaign,
    list_id: target.list_id,
    status: 1,
    email,
    first_name: input.first_name ?? null,
    last_name: input.last_name ?? null,
    company_name: input.company_name ?? null,
    job_title: input.job_title ?? null,
    phone: input.phone ?? null,
    website: input.website ?? null,
    personalization: input.personalization ?? null,
    company_domain: domainOf(email, input.website ?? null),
    email_open_count: 0,
    email_reply_count: 0,
    email_click_count: 0,
    status_summary: {},
    payload: buildPayload(input),
    last_step_from: null,
    last_step_id: null,
    last_step_timestamp_executed: null,
    email_opened_step: null,
    email_opened_variant: null,
    email_replied_step: null,
    email_replied_variant: null,
    email_clicked_step: null,
    email_clicked_variant: null,
    lt_interest_status: input.lt_interest_status ?? null,
    subsequence_id: null,
    verification_status: null,
    pl_value_lead: input.pl_value_lead ?? null,
    timestamp_added_subsequence: null,
    timestamp_last_contact: null,
    timestamp_last_open: null,
    timestamp_last_reply: null,
    timestamp_last_interest_change: input.lt_interest_status == null ? null : iso,
    timestamp_last_click: null,
    timestamp_last_touch: null,
    enrichment_status: null,
    last_contacted_from: null,
    uploaded_by_user: state.settings.userId,
    upload_method: "api",
    assigned_to: input.assigned_to ?? null,
    is_website_visitor: false,
    esp_code: 0,
    esg_code: 0,
  };
  state.leads.set(lead.id, lead);
  const progress: LeadProgress = {
    stepsSent: 0,
    firstSentDay: null,
    opened: false,
    replied: false,
    autoReplied: false,
    opportunity: false,
  };
  state.progress.set(lead.id, progress);
  return lead;
}

export function deleteLead(state: SandboxState, id: string): Lead | undefined {
  const lead = state.leads.get(id);
  if (!lead) return undefined;
  state.leads.delete(id);
  state.progress.delete(id);
  return lead;
}

/** A campaign with the documented defaults (status as given; sequences of `steps` emails). */
export function buildCampaign(
  state: SandboxState,
  seed: { id?: string | undefined; name: string; status?: number; [k: string]: unknown },
  steps: number,
  sequenceLengthDays: number,
): Campaign {
  const iso = state.nowIso();
  const delays = defaultDelays({ sequenceSteps: steps, sequenceLengthDays });
  const { id, name, status, ...rest } = seed;
  return {
    id: id?.toLowerCase() ?? state.ids.uuidv7(state.clock.now()),
    name,
    status: status ?? 1,
    campaign_schedule: {
      start_date: null,
      end_date: null,
      schedules: [
        {
          name: "Weekdays",
          timing: { from: "09:00", to: "17:00" },
          days: { "1": true, "2": true, "3": true, "4": true, "5": true },
          timezone: "America/Detroit",
        },
      ],
    },
    sequences: [
      {
        steps: Array.from({ length: steps }, (_, i) => ({
          type: "email" as const,
          delay: delays[i] ?? 0,
          delay_unit: "days" as const,
          variants: [{ subject: `Step ${i + 1}`, body: `Hi {{firstName}}, step ${i + 1}.` }],
        })),
      },
    ],
    timestamp_created: iso,
    timestamp_updated: iso,
    pl_value: null,
    is_evergreen: false,
    email_gap: 10,
    random_wait_max: 10,
    text_only: false,
    first_email_text_only: false,
    // A world with accounts attaches its own (accounts.ts); a campaign created later starts with none.
    email_list: state.accounts.size > 0 ? [] : [PLACEHOLDER_SENDER],
    daily_limit: null,
    daily_max_leads: null,
    stop_on_reply: true,
    stop_on_auto_reply: false,
    stop_for_company: false,
    email_tag_list: [],
    link_tracking: false,
    open_tracking: true,
    prioritize_new_leads: false,
    match_lead_esp: false,
    insert_unsubscribe_header: true,
    allow_risky_contacts: false,
    disable_bounce_protect: false,
    auto_variant_select: null,
    not_sending_status: null,
    core_variables: null,
    custom_variables: null,
    limit_emails_per_company_override: null,
    cc_list: [],
    bcc_list: [],
    organization: state.workspace.id,
    owned_by: state.settings.userId,
    ai_sdr_id: null,
    provider_routing_rules: [],
    ...rest,
  };
}
