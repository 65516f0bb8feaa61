import { capacityMode } from "./accounts.ts";
import { addBlocklistValue } from "./blocklist.ts";
import { DAY_MS, isoDate } from "./clock.ts";
import type { Campaign, Lead, LeadProgress } from "./models.ts";
import type { SimulationConfig, UnknownBehaviour } from "./options.ts";
import { streamFor } from "./prng.ts";
import { delayDays, dueDay, planDay, stepCount } from "./sending.ts";
import { sendingStatus } from "./sending-status.ts";
import type { SandboxState } from "./state.ts";

/**
 * The simulated passage of days. Each day, every active lead of an active campaign may get its next
 * email (steps spread over `sequenceLengthDays`), bounce on a send, open, and at most one outcome:
 * unsubscribe (-2, and onto the block list when the workspace says so), auto-reply (interest 0),
 * a plain reply, interested (1), meeting booked (2), not interested (-1) or wrong person (-2).
 * A lead that got every step and waited out the sequence without a reply stopping it completes
 * (status 3); a reply stops the sequence when the campaign's stop_on_reply is on (the default).
 *
 * Every draw comes from a stream keyed by (seed, lead email, campaign, day), so the outcome of a lead
 * does not depend on other leads, on request order, or on wall time: same seed → same states.
 *
 * Who gets an email: in a workspace with sending accounts, the day's plan of sending.ts (account and
 * campaign limits, follow-ups first); without any account (the legacy/unlimited mode), every lead whose
 * next step is due, within the campaign's daily_limit if it has one. Step k+1 waits the campaign's
 * step-k delay after step k; a lead completes the last step's delay after its last email.
 */

export interface AdvanceSummary {
  days: number;
  sent: number;
  opened: number;
  replied: number;
  autoReplied: number;
  interested: number;
  meetingBooked: number;
  notInterested: number;
  wrongPerson: number;
  bounced: number;
  unsubscribed: number;
  completed: number;
  blocklisted: number;
  now: string;
}

type Outcome =
  | "unsubscribe"
  | "autoReply"
  | "reply"
  | "interested"
  | "meetingBooked"
  | "notInterested"
  | "wrongPerson";
const OUTCOMES: Outcome[] = [
  "unsubscribe",
  "autoReply",
  "reply",
  "interested",
  "meetingBooked",
  "notInterested",
  "wrongPerson",
];
const INTEREST: Partial<Record<Outcome, number>> = {
  autoReply: 0,
  interested: 1,
  meetingBooked: 2,
  notInterested: -1,
  wrongPerson: -2,
};

export function advanceDays(
  state: SandboxState,
  config: SimulationConfig,
  seed: string | number,
  days: number,
  unknown: UnknownBehaviour,
): AdvanceSummary {
  const summary: AdvanceSummary = {
    days,
    sent: 0,
    opened: 0,
    replied: 0,
    autoReplied: 0,
    interested: 0,
    meetingBooked: 0,
    notInterested: 0,
    wrongPerson: 0,
    bounced: 0,
    unsubscribed: 0,
    completed: 0,
    blocklisted: 0,
    now: "",
  };
  for (let d = 0; d < days; d++) {
    state.clock.advance(DAY_MS);
    state.daysAdvanced++;
    simulateDay(state, config, unknown, seed, summary);
  }
  summary.now = state.nowIso();
  return summary;
}

function simulateDay(
  state: SandboxState,
  config: SimulationConfig,
  unknown: UnknownBehaviour,
  seed: string | number,
  summary: AdvanceSummary,
) {
  const nowMs = state.clock.now();
  const day = state.clock.day(nowMs);
  const sentToday = new Map<string, number>();
  const plan = capacityMode(state) ? planDay(state, unknown, day, config) : null;
  if (plan) markNotSending(state, unknown);
  for (const id of [...state.leads.sortedIds()]) {
    const lead = state.leads.get(id);
    const progress = state.progress.get(id);
    if (!lead || !progress) continue;
    const campaign = lead.campaign === null ? undefined : state.campaigns.get(lead.campaign);
    const active = campaign !== undefined && campaign.status === 1 && lead.status === 1 && !progress.stopped;
    if (!active && lead.verification_status !== 11) continue;
    // With accounts, a lead never emailed and not emailed today has nothing to draw (streams are per lead).
    const sendFrom = plan === null ? undefined : (plan.sends.get(id) ?? null);
    if (sendFrom === null && progress.firstSentDay === null && lead.verification_status !== 11) continue;
    const rng = streamFor(seed, lead.email ?? lead.id, lead.campaign ?? lead.list_id ?? "", day);
    // Event time within the last 12 hours of simulated time, never before the lead existed.
    const t = Math.max(nowMs - Math.floor(rng.next() * 12 * 3_600_000), Date.parse(lead.timestamp_created));
    const iso = state.clock.iso(t);
    if (lead.verification_status === 11) {
      lead.verification_status = rng.chance(0.05) ? -1 : 1;
      lead.timestamp_updated = iso;
    }
    if (!active || campaign === undefined) continue;
    stepLead(state, config, { lead, progress, campaign, rng, day, t, iso, sentToday, summary, sendFrom });
  }
}

interface LeadDay {
  lead: Lead;
  progress: LeadProgress;
  campaign: Campaign;
  rng: ReturnType<typeof streamFor>;
  day: number;
  t: number;
  iso: string;
  sentToday: Map<string, number>;
  summary: AdvanceSummary;
  /** The account that emails the lead today (null: none); undefined in the legacy/unlimited mode. */
  sendFrom: string | null | undefined;
}

function stepLead(state: SandboxState, config: SimulationConfig, x: LeadDay): void {
  const { lead, progress: p, campaign, rng, iso, summary } = x;
  const counters = state.counters(campaign.id, isoDate(x.t));
  const { rates } = config;
  let changed = false;

  const steps = stepCount(campaign, config);
  const due = p.firstSentDay === null ? true : p.stepsSent < steps && x.day >= dueDay(campaign, p, config);
  const sentSoFar = x.sentToday.get(campaign.id) ?? 0;
  const underLimit = campaign.daily_limit === null || sentSoFar < campaign.daily_limit;
  const send = x.sendFrom === undefined ? due && underLimit : x.sendFrom !== null;
  const account = x.sendFrom ? state.accountCounters(x.sendFrom, isoDate(x.t)) : null;
  // Draw order is fixed whatever happens, so one lead's stream never shifts.
  const bounceDraw = rng.next();
  const openDraw = rng.next();
  const outcomeDraw = rng.next();

  if (send) {
    x.sentToday.set(campaign.id, sentSoFar + 1);
    if (p.firstSentDay === null) {
      p.firstSentDay = x.day;
      counters.contacted++;
      counters.new_leads_contacted++;
      if (account) account.new_leads_contacted++;
    }
    if (account) {
      account.sent++;
      account.contacted++;
    }
    p.lastSentDay = x.day;
    p.stepsSent++;
    counters.sent++;
    summary.sent++;
    const stepId = `${campaign.id.slice(0, 8)}-step-${p.stepsSent}`;
    lead.timestamp_last_contact = iso;
    lead.timestamp_last_touch = iso;
    lead.last_step_from = "campaign";
    lead.last_step_id = stepId;
    lead.last_step_timestamp_executed = iso;
    lead.status_summary = {
      lastStep: { from: "campaign", stepID: stepId, timestamp_executed: iso },
      domain_complete: false,
    };
    lead.last_contacted_from = x.sendFrom ?? campaign.email_list[0] ?? null;
    lead.esp_code = espCode(lead.email);
    changed = true;
    if (bounceDraw < rates.bounce) {
      lead.status = -1;
      counters.bounced++;
      if (account) account.bounced++;
      summary.bounced++;
      lead.timestamp_updated = iso;
      return;
    }
  }
  if (p.firstSentDay === null) return;
  // Opens and replies count for the account that last emailed the lead.
  const sender = lead.last_contacted_from;
  const byAccount = sender && state.accounts.has(sender) ? state.accountCounters(sender, isoDate(x.t)) : null;

  if (openDraw < rates.open) {
    lead.email_open_count++;
    lead.timestamp_last_open = iso;
    lead.email_opened_step = p.stepsSent;
    lead.email_opened_variant = 1;
    counters.opened++;
    if (!p.opened) counters.unique_opened++;
    if (byAccount) {
      byAccount.opened++;
      if (!p.opened) byAccount.unique_opened++;
    }
    p.opened = true;
    summary.opened++;
    changed = true;
  }

  const outcome = pickOutcome(outcomeDraw, config);
  if (outcome === "unsubscribe") {
    lead.status = -2;
    counters.unsubscribed++;
    summary.unsubscribed++;
    if (state.settings.blocklistUnsubscribes && lead.email) {
      const added = addBlocklistValue(state, lead.email);
      if (added?.created) summary.blocklisted++;
    }
    changed = true;
  } else if (outcome !== null) {
    const interest = INTEREST[outcome];
    if (interest !== undefined && lead.lt_interest_status !== interest) {
      lead.lt_interest_status = interest;
      lead.timestamp_last_interest_change = iso;
    }
    lead.timestamp_last_reply = iso;
    lead.timestamp_last_touch = iso;
    lead.email_replied_step = p.stepsSent;
    lead.email_replied_variant = 1;
    if (outcome === "autoReply") {
      if (config.autoReplyCountsAsReply) lead.email_reply_count++;
      counters.replies_automatic++;
      if (!p.autoReplied) counters.unique_replies_automatic++;
      p.autoReplied = true;
      summary.autoReplied++;
      if (campaign.stop_on_auto_reply) stopOnReply(lead, p, config);
    } else {
      lead.email_reply_count++;
      counters.replies++;
      if (!p.replied) counters.unique_replies++;
      if (byAccount) {
        byAccount.replies++;
        if (!p.replied) byAccount.unique_replies++;
      }
      summary.replied++;
      if (outcome === "interested" || outcome === "meetingBooked") {
        counters.opportunities++;
        if (!p.opportunity) counters.unique_opportunities++;
        p.opportunity = true;
        if (outcome === "interested") {
          counters.interested++;
          summary.interested++;
        } else {
          counters.meeting_booked++;
          summary.meetingBooked++;
        }
      } else if (outcome === "notInterested") summary.notInterested++;
      else if (outcome === "wrongPerson") summary.wrongPerson++;
      p.replied = true;
      if (campaign.stop_on_reply !== false) stopOnReply(lead, p, config);
    }
    changed = true;
  }

  if (
    lead.status === 1 &&
    !p.stopped &&
    p.stepsSent >= steps &&
    x.day - (p.lastSentDay ?? p.firstSentDay) >= delayDays(campaign, steps - 1, config)
  ) {
    lead.status = 3;
    counters.completed++;
    summary.completed++;
    changed = true;
  }
  if (changed) lead.timestamp_updated = iso;
}

function stopOnReply(lead: Lead, p: LeadProgress, config: SimulationConfig): void {
  p.stopped = true;
  lead.status = config.statusAfterReply;
}

function pickOutcome(u: number, config: SimulationConfig): Outcome | null {
  let acc = 0;
  for (const o of OUTCOMES) {
    acc += config.rates[o];
    if (u < acc) return o;
  }
  return null;
}

/** Recipient provider, as Instantly detects it (1 Google, 2 Microsoft, 9 Yahoo, 999 other). */
function espCode(email: string | null): number {
  const domain = email?.slice(email.lastIndexOf("@") + 1) ?? "";
  if (/^(gmail|googlemail)\./.test(domain)) return 1;
  if (/^(outlook|hotmail|live|msn)\./.test(domain)) return 2;
  if (/^yahoo\./.test(domain)) return 9;
  return 999;
}

/** Campaign.not_sending_status after the day: 2 waiting for leads, 3 campaign limit, 4 accounts' limits. */
const NOT_SENDING: Record<string, number> = {
  waiting_for_leads: 2,
  daily_limit_met: 3,
  account_daily_limit_met: 4,
};

function markNotSending(state: SandboxState, unknown: UnknownBehaviour): void {
  for (const campaign of state.campaigns.values()) {
    if (campaign.status !== 1) continue;
    const { status } = sendingStatus(state, campaign, unknown).diagnostics;
    campaign.not_sending_status = NOT_SENDING[status] ?? null;
  }
}
