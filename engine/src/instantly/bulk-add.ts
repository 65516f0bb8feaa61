/**
 * Per-row outcomes of `POST /leads/add`. The response (docs/instantly-api-v2.md §3.2) lists only the created rows
 * (`created_leads[].index` → position in our request) and, for the others, per-category COUNTS
 * (`in_blocklist`, `skipped_count`, `duplicated_leads`, `invalid_email_count`, `incomplete_count`,
 * `duplicate_email_count`). Attribution of each not-created row to a category, most reliable first:
 *
 * 1. rows without an email → `incomplete`; a repeat of an earlier email in the same payload →
 *    `duplicate` (decided locally, exactly as the server must count them);
 * 2. if the remaining counts name a single category, every remaining row belongs to it;
 * 3. otherwise the caller looks the remaining emails up (`POST /leads/list` with `contacts`) and passes
 *    the ones that exist in the workspace: those were skipped as already present; of the rest, a
 *    local syntax check separates `invalid` from `blocklisted` when the counts agree;
 * 4. rows no counter accounts for (a partial result: the row was dropped, or created but not
 *    listed) are `unconfirmed`: the next pull reconciles them against the snapshot. Rows still
 *    ambiguous after all this are `not_created` (failed, retryable).
 *
 * When the call was retried after an ambiguous failure (5xx/timeout/reset), a row reported as
 * "already in the workspace" may be our own first attempt, so it is `unconfirmed`, not `skipped`.
 */

import { normaliseEmail as rulesEmail } from "../core/email.ts";
import type { FinalState } from "../core/states.ts";
import type { BulkAddResponse } from "./schemas.ts";

export type BulkAddRowStatus =
  | "created"
  | "skipped"
  | "duplicate"
  | "blocklisted"
  | "invalid"
  | "incomplete"
  | "not_created"
  | "unconfirmed";

/** The `sync_changelog.state` a row maps to (the states of warehouse/tables.ts sync_changelog.state). */

export interface BulkAddRowOutcome {
  /** Position in the `leads` array passed to `bulkAddLeads`. */
  index: number;
  status: BulkAddRowStatus;
  /** Instantly lead id, for `created` rows. */
  leadId?: string;
  state: FinalState;
  /** Whether a later run may try this row again. */
  retryable: boolean;
  /** Stable reason code for the changelog `error_code` column. */
  reason: string;
}

const STATE: Record<BulkAddRowStatus, { state: FinalState; retryable: boolean; reason: string }> = {
  created: { state: "succeeded", retryable: false, reason: "created" },
  skipped: { state: "skipped", retryable: false, reason: "already_in_workspace" },
  duplicate: { state: "skipped", retryable: false, reason: "duplicate_in_payload" },
  blocklisted: { state: "rejected", retryable: false, reason: "in_blocklist" },
  invalid: { state: "invalid", retryable: false, reason: "invalid_email" },
  incomplete: { state: "invalid", retryable: false, reason: "missing_email" },
  not_created: { state: "failed", retryable: true, reason: "not_created_unattributed" },
  unconfirmed: { state: "failed", retryable: true, reason: "unconfirmed" },
};

export function rowOutcome(index: number, status: BulkAddRowStatus, leadId?: string): BulkAddRowOutcome {
  const out: BulkAddRowOutcome = { index, status, ...STATE[status] };
  if (leadId !== undefined) out.leadId = leadId;
  return out;
}

/** The rules' form of the email (core/email.ts), or undefined when blank. */
export function normaliseEmail(email: string | null | undefined): string | undefined {
  const e = rulesEmail(email);
  return e ? e : undefined;
}

/** A plain syntax check (local part @ domain with a dot, no spaces); Instantly's own rules are unknown. */
export function looksLikeEmail(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}

export interface Attribution {
  rows: BulkAddRowOutcome[];
  /** Rows whose category cannot be decided from the counts alone (step 3 needs a lookup). */
  ambiguous: number[];
}

interface Counts {
  blocklisted: number;
  skipped: number;
  invalid: number;
}

/**
 * Attributes every row. `existing` (normalised emails found in the workspace by a lookup) resolves
 * mixed categories; without it, mixed rows are reported in `ambiguous` and as `not_created`.
 */
export function attributeBulkAdd(
  emails: readonly (string | null | undefined)[],
  response: BulkAddResponse,
  options: { existing?: ReadonlySet<string>; retriedAfterAmbiguousFailure?: boolean } = {},
): Attribution {
  const n = emails.length;
  const status: (BulkAddRowStatus | undefined)[] = new Array(n).fill(undefined);
  const ids: (string | undefined)[] = new Array(n).fill(undefined);
  for (const c of response.created_leads ?? []) {
    if (c.index < n && status[c.index] === undefined) {
      status[c.index] = "created";
      ids[c.index] = c.id;
    }
  }

  // Step 1: local, certain.
  const seen = new Set<string>();
  emails.forEach((raw, i) => {
    const e = normaliseEmail(raw);
    if (e === undefined) {
      if (status[i] === undefined) status[i] = "incomplete";
      return;
    }
    if (!looksLikeEmail(e)) return;
    if (seen.has(e) && status[i] === undefined) status[i] = "duplicate";
    seen.add(e);
  });

  // What the counters still have to explain.
  const left: Counts = {
    blocklisted: response.in_blocklist ?? 0,
    skipped: (response.skipped_count ?? 0) + (response.duplicated_leads ?? 0),
    invalid: response.invalid_email_count ?? 0,
  };
  const total = () => left.blocklisted + left.skipped + left.invalid;
  let open = indicesWhere(status, undefined);

  // Step 2: a single category explains every open row.
  const single = () => (Object.keys(left) as (keyof Counts)[]).filter((k) => left[k] > 0);
  const assignSingle = () => {
    const cats = single();
    if (open.length > 0 && cats.length === 1 && total() === open.length) {
      const only = cats[0] as keyof Counts;
      for (const i of open) status[i] = categoryStatus(only);
      left[only] = 0;
      open = [];
    }
  };
  assignSingle();

  // Step 3: a lookup separates "already present" from the rest; a syntax check splits the rest.
  if (open.length > 0 && options.existing) {
    const existing = options.existing;
    for (const i of open) {
      const e = normaliseEmail(emails[i]);
      if (left.skipped > 0 && e !== undefined && existing.has(e)) {
        status[i] = "skipped";
        left.skipped--;
      }
    }
    open = indicesWhere(status, undefined);
    assignSingle();
    const invalidLocal = open.filter((i) => !looksLikeEmail(normaliseEmail(emails[i]) ?? ""));
    if (
      open.length > 0 &&
      left.skipped === 0 &&
      invalidLocal.length === left.invalid &&
      total() === open.length
    ) {
      const bad = new Set(invalidLocal);
      for (const i of open) status[i] = bad.has(i) ? "invalid" : "blocklisted";
      open = [];
    }
  }

  // Step 4: nothing left in the counters → the rows were dropped without a reason (a partial
  // result): unconfirmed. Otherwise the category of each open row is unknown: not_created.
  const ambiguous: number[] = [];
  for (const i of open) {
    if (total() === 0) status[i] = "unconfirmed";
    else {
      status[i] = "not_created";
      ambiguous.push(i);
    }
  }

  const rows = status.map((s, i) => {
    let st = s ?? "not_created";
    if (st === "skipped" && options.retriedAfterAmbiguousFailure) st = "unconfirmed";
    return rowOutcome(i, st, ids[i]);
  });
  return { rows, ambiguous };
}

function categoryStatus(k: keyof Counts): BulkAddRowStatus {
  return k === "blocklisted" ? "blocklisted" : k === "invalid" ? "invalid" : "skipped";
}

function indicesWhere<T>(arr: readonly T[], value: T): number[] {
  const out: number[] = [];
  arr.forEach((v, i) => {
    if (v === value) out.push(i);
  });
  return out;
}
