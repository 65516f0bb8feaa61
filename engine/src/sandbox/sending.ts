import { campaignAccounts, isHealthy, limitsForDay } from "./accounts.ts";
import type { Campaign, CampaignSendDay, LeadProgress } from "./models.ts";
import type { SimulationConfig, UnknownBehaviour } from "./options.ts";
import type { SandboxState } from "./state.ts";

/**
 * One simulated day of sending in a world with accounts: which lead gets an email and from which
 * account. Each account sends at most its limit of the day, shared by every campaign it serves (how, per
 * `unknown.sharedAccountSplit`); per campaign, follow-ups whose step is due go first (oldest due first),
 * then new leads in the order they were added (`prioritize_new_leads` swaps the two), within the
 * campaign's `daily_limit` and `daily_max_leads`. Unhealthy accounts send nothing. One pass over the
 * leads, then work in proportion to the emails sent.
 */

const DAY_MINUTES = 1440;

type Sequence = Pick<SimulationConfig, "sequenceSteps" | "sequenceLengthDays">;

/**
 * The default sequence's delays: `sequenceSteps` emails spread over `sequenceLengthDays` (step k on day
 * round(k × (length − 1) / steps) after the first), the last delay running to the sequence's end.
 */
export function defaultDelays(config: Sequence): number[] {
  const { sequenceSteps: n, sequenceLengthDays: length } = config;
  const at = (k: number) => (n <= 1 ? 0 : Math.round((k * (length - 1)) / n));
  return Array.from({ length: n }, (_, k) => (k < n - 1 ? at(k + 1) - at(k) : length - at(k)));
}

/** Emails in the campaign's sequence (its first sequence, as Instantly uses only that one). */
export function stepCount(campaign: Campaign, config: Sequence): number {
  const steps = campaign.sequences?.[0]?.steps;
  return Array.isArray(steps) && steps.length > 0 ? steps.length : config.sequenceSteps;
}

/** Whole days to wait after step `k` (0-based) before the next one, or before completing after the last. */
export function delayDays(campaign: Campaign, k: number, config: Sequence): number {
  const step = campaign.sequences?.[0]?.steps?.[k];
  if (!step) return defaultDelays(config)[k] ?? 0;
  const unit = step.delay_unit ?? "days";
  const minutes =
    unit === "days" ? step.delay * DAY_MINUTES : unit === "hours" ? step.delay * 60 : step.delay;
  return Math.max(0, Math.ceil(minutes / DAY_MINUTES));
}

/** The day a lead's next step is due (it has had at least one email). */
export function dueDay(campaign: Campaign, p: LeadProgress, config: Sequence): number {
  const last = p.lastSentDay ?? p.firstSentDay ?? 0;
  return last + delayDays(campaign, p.stepsSent - 1, config);
}

/** New leads a campaign may start in a day; null = no limit. */
export function newLeadLimit(campaign: Campaign, unknown: UnknownBehaviour): number | null {
  const max = campaign.daily_max_leads;
  if (max === null || max === undefined) return null;
  if (max < 0) return 0;
  if (max === 0) return unknown.dailyMaxLeadsZero === "none" ? 0 : null;
  return max;
}

interface Queue {
  campaign: Campaign;
  /** Pool keys this campaign draws from (account, or account|campaign for an even split). */
  pools: string[];
  /** Today's order: two lists (follow-ups and new leads, or the reverse), read without copying. */
  lists: { ids: string[]; fresh: boolean; next: number }[];
  record: CampaignSendDay;
}

export interface DayPlan {
  /** Lead id → the account that emails it today. */
  sends: Map<string, string>;
}

export function planDay(
  state: SandboxState,
  unknown: UnknownBehaviour,
  day: number,
  config: Sequence,
): DayPlan {
  const limits = limitsForDay(state, unknown);
  const queues = new Map<string, Queue>();
  const followUps = new Map<string, { id: string; due: number }[]>();
  const fresh = new Map<string, string[]>();
  for (const c of [...state.campaigns.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (c.status !== 1) continue;
    const accounts = campaignAccounts(state, c);
    const healthy = accounts.filter(isHealthy);
    queues.set(c.id, {
      campaign: c,
      pools: healthy.map((a) => a.email),
      lists: [],
      record: {
        day,
        connected: accounts.length,
        healthy: healthy.length,
        dailyLimitHit: 0,
        slowRampLimitHit: 0,
        limit: c.daily_limit ?? null,
        sent: 0,
        newLimit: newLeadLimit(c, unknown),
        newContacted: 0,
        followUpsLeft: 0,
        newLeft: 0,
        followUpsWaiting: 0,
        earliestDueDay: null,
      },
    });
    followUps.set(c.id, []);
    fresh.set(c.id, []);
  }

  // One pass over the leads, in the order they were added (ids are time-ordered).
  for (const id of state.leads.sortedIds()) {
    const lead = state.leads.get(id);
    if (!lead || lead.campaign === null || lead.status !== 1) continue;
    const q = queues.get(lead.campaign);
    const p = state.progress.get(id);
    if (!q || !p || p.stopped) continue;
    if (p.stepsSent === 0) {
      fresh.get(q.campaign.id)?.push(id);
      continue;
    }
    if (p.stepsSent >= stepCount(q.campaign, config)) continue;
    const due = dueDay(q.campaign, p, config);
    if (due <= day) followUps.get(q.campaign.id)?.push({ id, due });
    else {
      q.record.followUpsWaiting++;
      if (q.record.earliestDueDay === null || due < q.record.earliestDueDay) q.record.earliestDueDay = due;
    }
  }

  // Pools: an account's limit of the day, or with an even split, an equal share per campaign it serves.
  const remaining = new Map<string, number>();
  const served = new Map<string, string[]>();
  for (const q of queues.values())
    for (const email of q.pools) served.set(email, [...(served.get(email) ?? []), q.campaign.id]);
  for (const [email, ids] of served) {
    const limit = limits.get(email) ?? 0;
    if (unknown.sharedAccountSplit !== "even") {
      remaining.set(email, limit);
      continue;
    }
    ids.forEach((cid, i) => {
      remaining.set(`${email}|${cid}`, Math.floor(limit / ids.length) + (i < limit % ids.length ? 1 : 0));
    });
  }
  for (const q of queues.values()) {
    if (unknown.sharedAccountSplit === "even") q.pools = q.pools.map((e) => `${e}|${q.campaign.id}`);
    const due = (followUps.get(q.campaign.id) ?? []).sort((a, b) => a.due - b.due || (a.id < b.id ? -1 : 1));
    const news = fresh.get(q.campaign.id) ?? [];
    const follow = { ids: due.map((f) => f.id), fresh: false, next: 0 };
    const start = { ids: news, fresh: true, next: 0 };
    q.lists = q.campaign.prioritize_new_leads ? [start, follow] : [follow, start];
  }

  const sends = new Map<string, string>();
  // Sends the campaign's next lead that its limits allow; false when it can send nothing more today.
  const sendOne = (q: Queue): boolean => {
    const r = q.record;
    if (r.limit !== null && r.sent >= r.limit) return false;
    let pool: string | null = null;
    let best = 0;
    for (const key of q.pools) {
      const left = remaining.get(key) ?? 0;
      if (left > best) {
        best = left;
        pool = key;
      }
    }
    if (pool === null) return false;
    for (const list of q.lists) {
      if (list.next >= list.ids.length) continue;
      if (list.fresh && r.newLimit !== null && r.newContacted >= r.newLimit) continue;
      const id = list.ids[list.next++] as string;
      if (list.fresh) r.newContacted++;
      remaining.set(pool, best - 1);
      sends.set(id, pool.split("|")[0] as string);
      r.sent++;
      return true;
    }
    return false;
  };

  const all = [...queues.values()];
  if (unknown.sharedAccountSplit === "interleave") {
    let active = all;
    while (active.length > 0) active = active.filter(sendOne);
  } else {
    for (const q of all) while (sendOne(q));
  }

  // Leads emailed today wait for their next step from today (the diagnosis reads the end of the day).
  for (const [id] of sends) {
    const lead = state.leads.get(id);
    const p = state.progress.get(id);
    const q = lead?.campaign ? queues.get(lead.campaign) : undefined;
    if (!q || !p || p.stepsSent + 1 >= stepCount(q.campaign, config)) continue;
    const due = day + delayDays(q.campaign, p.stepsSent, config);
    q.record.followUpsWaiting++;
    if (q.record.earliestDueDay === null || due < q.record.earliestDueDay) q.record.earliestDueDay = due;
  }

  for (const q of all) {
    const r = q.record;
    for (const list of q.lists) {
      if (list.fresh) r.newLeft += list.ids.length - list.next;
      else r.followUpsLeft += list.ids.length - list.next;
    }
    for (const key of q.pools) {
      if ((remaining.get(key) ?? 0) > 0) continue;
      const email = key.split("|")[0] as string;
      const account = state.accounts.get(email);
      if (account?.enable_slow_ramp && (limits.get(email) ?? 0) < account.daily_limit) r.slowRampLimitHit++;
      else r.dailyLimitHit++;
    }
    state.sendDays.set(q.campaign.id, r);
  }
  return { sends };
}
