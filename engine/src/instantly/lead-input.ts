/**
 * The one lead-for-Instantly shape: what `POST /leads/add` takes. The client sends only the keys in
 * LEAD_KEYS (unknown top-level keys are a 400); the sandbox receives the same shape, with the email
 * possibly missing (it must answer such rows the way Instantly does).
 */
export interface LeadInput {
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  company_name?: string | null;
  job_title?: string | null;
  phone?: string | null;
  website?: string | null;
  personalization?: string | null;
  /** Documented create fields the pipeline never sets (the sandbox honours them). */
  lt_interest_status?: number | null;
  pl_value_lead?: string | null;
  assigned_to?: string | null;
  custom_variables?: Record<string, string | number | boolean | null> | null;
}

/** A lead as a server receives it: the same fields, the email possibly missing or null. */
export type ReceivedLeadInput = Omit<LeadInput, "email"> & { email?: string | null };

export const LEAD_KEYS = [
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

/** The documented keys of `lead`, nothing else. */
export function pickLeadFields(lead: LeadInput): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of LEAD_KEYS) {
    const v = lead[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
