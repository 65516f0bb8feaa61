/** The rows the synthetic generator emits and the mix it aims for (test/local measures it). */

/** One row of the raw leads table; timestamps are epoch milliseconds (whole seconds). */
export interface LeadRow {
  email: string;
  first_name: string | null;
  last_name: string | null;
  merchant_name: string | null;
  platform_domain: string | null;
  state: string | null;
  country_code: string | null;
  estimated_sales_yearly: number | null;
  employee_count: number | null;
  product_count: number | null;
  avg_price: number | null;
  klaviyo_installed_at: number | null;
  source: string | null;
  updated_at: number;
}

/** One row of the raw DNC list; `added_at` is epoch milliseconds. */
export interface DncRow {
  value: string;
  kind: "email" | "domain";
  reason: string | null;
  source: string | null;
  added_at: number;
}

/** Shares of the generated mess; exported so tests and docs state the same numbers. */
export const leadMix = {
  /** Rows whose email is broken on purpose (the dedupe copies below are always well-formed). */
  malformed: 0.0825,
  /** Rows repeating a recent address in another case or with whitespace, with a different updated_at. */
  duplicate: 0.03,
  /** Fresh rows from a recently seen store (a second contact at the same company). */
  sameStoreAgain: 0.12,
  /** Rows belonging to one of the few big companies with hundreds of contacts each. */
  bigCompany: 0.015,
  disposable: 0.007,
  freeMail: 0.24,
  role: 0.09,
  mixedCase: 0.12,
  whitespace: 0.04,
  missingRevenue: 0.07,
  klaviyo: 0.4,
} as const;

/** DNC composition: share of domain entries, and how many entries match seeded leads. */
export const dncMix = { domainShare: 0.15, emailsMatchingLeads: 0.55, domainsMatchingLeads: 0.5 } as const;

export interface Merchant {
  name: string | null;
  slug: string;
  domain: string;
  platformDomain: string | null;
  country: string | null;
  state: string | null;
  revenue: number | null;
  employees: number | null;
  products: number | null;
  avgPrice: number | null;
  klaviyoAt: number | null;
  source: string;
  /** Whether its domain was already offered to the DNC sample (once per store). */
  offered: boolean;
}
