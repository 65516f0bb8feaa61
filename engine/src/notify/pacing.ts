import type { Row, Warehouse } from "../warehouse/port.ts";
import { formatCount } from "./format.ts";
import type { MessageSection } from "./message.ts";

/**
 * Each managed campaign's pacing as int_send_capacity computed it (definitions/intermediate/
 * int_send_capacity.sqlx): every figure is the SQL's, read as it is; nothing here decides a slot.
 * The sync message's capacity block, `engine status` and the pacing alerts (alerts.ts) read these rows.
 */
export interface CampaignPacing {
  segment: string;
  /** Lower-cased Instantly campaign id. */
  campaignId: string;
  /** From int_campaign_health when known (Instantly's text: escaped by each sink). */
  campaignName: string | null;
  hasCapacityData: boolean;
  /** Instantly's own diagnosis (sending-status), e.g. healthy, waiting_for_leads. */
  sendingStatus: string | null;
  senders: number;
  healthySenders: number;
  sendsPerDay: number;
  newStartsPerDay: number;
  /** Leads held that have had no email yet. */
  backlog: number;
  /** backlog / new starts a day; null when the campaign starts nobody. */
  backlogDays: number | null;
  targetBacklog: number;
  pacedSlots: number;
  poolLeft: number;
  /** pool_left / new starts a day; null when the campaign starts nobody. */
  runwayDays: number | null;
  /** int_send_capacity.no_adds_reason code; null when the campaign gets adds. */
  noAddsReason: string | null;
}

export const sendCapacityRef = { dataset: "staging" as const, name: "int_send_capacity" };

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toCampaignPacing(
  r: Row,
  names: ReadonlyMap<string, string | null> = new Map(),
): CampaignPacing {
  const campaignId = String(r.campaign_id).toLowerCase();
  return {
    segment: String(r.segment),
    campaignId,
    campaignName: names.get(campaignId) ?? null,
    hasCapacityData: r.has_capacity_data === true,
    sendingStatus: strOrNull(r.sending_status),
    senders: num(r.senders),
    healthySenders: num(r.healthy_senders),
    sendsPerDay: num(r.sends_per_day),
    newStartsPerDay: num(r.new_starts_per_day),
    backlog: num(r.backlog),
    backlogDays: numOrNull(r.backlog_days),
    targetBacklog: num(r.target_backlog),
    pacedSlots: num(r.paced_slots),
    poolLeft: num(r.pool_left),
    runwayDays: numOrNull(r.runway_days),
    noAddsReason: strOrNull(r.no_adds_reason),
  };
}

/**
 * int_send_capacity's rows in segment order, or null when the model is not in the warehouse (an
 * older warehouse, or no transform yet): then there is simply no pacing to show, never an error.
 */
export async function readSendCapacity(
  warehouse: Warehouse,
  names: ReadonlyMap<string, string | null> = new Map(),
): Promise<CampaignPacing[] | null> {
  if (!(await warehouse.exists(sendCapacityRef))) return null;
  const rows: Row[] = [];
  for await (const batch of warehouse.read(sendCapacityRef, { orderBy: ["segment_order", "segment"] }))
    rows.push(...batch);
  return rows.map((r) => toCampaignPacing(r, names));
}

/** int_send_capacity.no_adds_reason as words a person reads. */
const REASON_WORDS: Record<string, string> = {
  no_capacity_data: "the latest pull read no sending set-up for it",
  campaign_not_active: "the campaign is not active",
  no_healthy_sender: "no healthy mailbox",
  no_sending_capacity: "its mailboxes have no sending capacity left",
  backlog_full: "backlog full (enough leads waiting for a first email)",
};

export function noAddsReasonWords(reason: string | null): string | null {
  if (reason === null) return null;
  return REASON_WORDS[reason] ?? reason.replace(/_/g, " ");
}

export const pacingLabel = (p: CampaignPacing) => p.campaignName ?? p.segment;

const days = (v: number | null) => (v === null ? "n/a" : `${(Math.round(v * 10) / 10).toFixed(1)} days`);

/** One line per campaign for messages: counts and codes only, no lead. */
export function pacingLine(p: CampaignPacing): string {
  const why = noAddsReasonWords(p.noAddsReason);
  return (
    `• ${pacingLabel(p)}: ${formatCount(p.healthySenders)}/${formatCount(p.senders)} healthy mailboxes` +
    ` | ${formatCount(p.sendsPerDay)} sends/day | ${formatCount(p.newStartsPerDay)} new starts/day` +
    ` | backlog ${days(p.backlogDays)} (${formatCount(p.backlog)} leads)` +
    (why ? ` | no adds: ${why}` : ` | +${formatCount(p.pacedSlots)} slots`)
  );
}

/** The sync message's capacity block ("🚦 Sending Capacity"); undefined with no rows. */
export function pacingSection(rows: readonly CampaignPacing[]): MessageSection | undefined {
  if (rows.length === 0) return undefined;
  return { emoji: "🚦", heading: "Sending Capacity", lines: rows.map(pacingLine) };
}

/** The same figures for Echo's notification_data (snake_case, like the other blocks). */
export function pacingData(rows: readonly CampaignPacing[]): Array<Record<string, unknown>> {
  return rows.map((p) => ({
    segment: p.segment,
    campaign_id: p.campaignId,
    campaign_name: pacingLabel(p),
    healthy_senders: p.healthySenders,
    senders: p.senders,
    sends_per_day: p.sendsPerDay,
    new_starts_per_day: p.newStartsPerDay,
    backlog: p.backlog,
    backlog_days: p.backlogDays,
    paced_slots: p.pacedSlots,
    runway_days: p.runwayDays,
    sending_status: p.sendingStatus,
    no_adds_reason: p.noAddsReason,
    no_adds_reason_words: noAddsReasonWords(p.noAddsReason),
  }));
}

/**
 * readSendCapacity for the end of a run: a read error (a column an older model lacks) becomes a
 * warning and no pacing, so notifications never fail the run.
 */
export async function loadPacingForNotify(
  warehouse: Warehouse,
  names: ReadonlyMap<string, string | null>,
): Promise<{ rows: CampaignPacing[] | null; warning?: string }> {
  try {
    return { rows: await readSendCapacity(warehouse, names) };
  } catch (error) {
    return {
      rows: null,
      warning: `capacity block skipped: cannot read int_send_capacity (${error instanceof Error ? error.message.split("\n")[0] : "error"})`,
    };
  }
}
