import { noAddsReasonWords } from "../notify/pacing.ts";
import type { RelationRef, Row, Warehouse } from "../warehouse/port.ts";

/**
 * rpt_attention (definitions/reporting/rpt_attention.sqlx) as `engine status`, the local report and
 * the pool alert read it: the SQL decides what needs attention and every figure; this file reads the
 * rows and puts them in words (counts, codes and campaign names only, never a lead).
 */
export interface AttentionItem {
  kind: string;
  subject: string;
  segment: string | null;
  campaignId: string | null;
  reason: string | null;
  items: number | null;
  value: number | null;
  threshold: number | null;
  since: string | null;
  detail: string | null;
  eligibleLeft: number | null;
  addsPerDay: number | null;
  runwayDays: number | null;
  slots: number | null;
  heldDomainLimit: number | null;
  heldCooldown: number | null;
  heldSuppressed: number | null;
  needsAttention: boolean;
  sortOrder: number;
}

export const ATTENTION_SOURCE = "rpt_attention";
export const attentionRef: RelationRef = { dataset: "reporting", name: ATTENTION_SOURCE };

const num = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : str(v));

export function toAttentionItem(r: Row): AttentionItem {
  return {
    kind: String(r.kind),
    subject: String(r.subject ?? ""),
    segment: str(r.segment),
    campaignId: str(r.campaign_id)?.toLowerCase() ?? null,
    reason: str(r.reason),
    items: num(r.items),
    value: num(r.value),
    threshold: num(r.threshold),
    since: iso(r.since),
    detail: str(r.detail),
    eligibleLeft: num(r.eligible_left),
    addsPerDay: num(r.adds_per_day),
    runwayDays: num(r.runway_days),
    slots: num(r.slots),
    heldDomainLimit: num(r.held_domain_limit),
    heldCooldown: num(r.held_cooldown),
    heldSuppressed: num(r.held_suppressed),
    needsAttention: r.needs_attention === true,
    sortOrder: Number(r.sort_order ?? 99),
  };
}

/** Items needing attention first, then in the model's order; null when rpt_attention is not built. */
export async function readAttention(warehouse: Warehouse): Promise<AttentionItem[] | null> {
  if (!(await warehouse.exists(attentionRef))) return null;
  const out: AttentionItem[] = [];
  for await (const batch of warehouse.read(attentionRef)) for (const r of batch) out.push(toAttentionItem(r));
  return sortAttention(out);
}

export function sortAttention(items: AttentionItem[]): AttentionItem[] {
  return [...items].sort(
    (a, b) =>
      Number(b.needsAttention) - Number(a.needsAttention) ||
      a.sortOrder - b.sortOrder ||
      a.kind.localeCompare(b.kind) ||
      a.subject.localeCompare(b.subject),
  );
}

const count = (n: number | null) => (n ?? 0).toLocaleString("en-US");
const plural = (n: number | null, one: string, many = `${one}s`) =>
  `${count(n)} ${(n ?? 0) === 1 ? one : many}`;
const days = (n: number | null) => (n === null ? "n/a" : `${(Math.round(n * 10) / 10).toFixed(1)} days`);
/** " 2026-06-01 10:00 UTC", or nothing when the time is not known. */
const at = (s: string | null) => (s ? ` ${s.slice(0, 16).replace("T", " ")} UTC` : "");

/** "kept out: 562 by the domain limit, 40 cooling down, 12 suppressed" (the parts that are not 0). */
export function heldOutWords(i: AttentionItem): string {
  const parts = [
    i.heldDomainLimit ? `${count(i.heldDomainLimit)} by the domain limit` : "",
    i.heldCooldown ? `${count(i.heldCooldown)} cooling down` : "",
    i.heldSuppressed ? `${count(i.heldSuppressed)} suppressed` : "",
  ].filter(Boolean);
  return parts.length ? `kept out: ${parts.join(", ")}` : "nothing kept out";
}

const ORPHAN_ACTION: Record<string, string> = {
  retry: "queued again once eligible",
  drain: "in this run's drain queue",
  none: "a person must look",
};

/**
 * One line per item, in words. `names` maps campaign ids to names (Instantly's text: the caller
 * escapes for its sink).
 */
export function attentionLine(
  i: AttentionItem,
  names: ReadonlyMap<string, string | null> = new Map(),
): string {
  const campaign = (id: string | null) => (id ? (names.get(id) ?? id) : "?");
  switch (i.kind) {
    case "open_alert": {
      // Per-campaign alert keys end in the campaign id (bounce_rate:<id>): show its name.
      const [name, id] = i.subject.split(":");
      const what = `${(name ?? i.subject).replace(/_/g, " ")}${id ? ` · ${campaign(id.toLowerCase())}` : ""}`;
      return `alert ${what} raised${at(i.since)}${i.value === null ? "" : ` (value ${i.value})`}`;
    }
    case "run_failed":
      return `${i.reason} run ${i.subject} failed${at(i.since)}${i.detail ? `: ${i.detail.slice(0, 200)}` : ""} (\`engine show ${i.subject}\`)`;
    case "run_partial":
      return `${i.reason} run ${i.subject} partial${at(i.since)}: ${plural(i.items, "action")} failed, rejected or unresolved (\`engine show ${i.subject}\`)`;
    case "run_unfinished":
      return `${i.reason} run ${i.subject} started${at(i.since)} and never finished (killed, crashed or still running)`;
    case "campaign_blocked":
      return i.reason === "bounce_guard"
        ? `campaign ${campaign(i.campaignId)} gets no adds: bounce rate ${i.value} % over the ${i.threshold} % guard`
        : `campaign ${campaign(i.campaignId)} gets no adds: ${noAddsReasonWords(i.reason)}`;
    case "orphans":
      return `${plural(i.items, "orphaned lead")} (${i.subject.replace(/_/g, " ")}; ${ORPHAN_ACTION[i.reason ?? ""] ?? i.reason})${i.since ? ` since${at(i.since)}` : ""}: rpt_orphans`;
    case "handoffs":
      return `${plural(i.items, "hand-off")} from ${campaign(i.campaignId)} in the last 7 days: \`engine handoffs --since 7d\`, table rpt_handoffs`;
    case "pool_runway":
      return `pool ${i.segment}: ${plural(i.eligibleLeft, "eligible lead")} left at ${count(i.addsPerDay)} new starts a day = ${days(i.runwayDays)}${i.needsAttention ? ` (under ${i.threshold})` : ""}; ${heldOutWords(i)}`;
    case "pool_fill":
      return `this run's pool: ${plural(i.items, "candidate")} for ${plural(i.slots, "slot")}${i.needsAttention ? " (under half: the pool is running dry)" : ""}; ${heldOutWords(i)}`;
    default:
      return `${i.kind} ${i.subject}`;
  }
}

/**
 * `engine status`'s first block: what needs attention (marked "!"), then the pool rows that do not.
 * `missingHint` says what builds rpt_attention when it is not there.
 */
export function attentionBlock(
  items: AttentionItem[] | null,
  names: ReadonlyMap<string, string | null>,
  missingHint: string,
): string[] {
  if (items === null) return [`needs attention: unknown, ${ATTENTION_SOURCE} not built yet (${missingHint})`];
  const needs = items.filter((i) => i.needsAttention);
  const lines = [
    needs.length === 0
      ? "needs attention: nothing"
      : `needs attention (${needs.length}, most urgent first; ${ATTENTION_SOURCE}):`,
  ];
  for (const i of sortAttention(items))
    lines.push(`  ${i.needsAttention ? "!" : " "} ${attentionLine(i, names)}`);
  return lines;
}
