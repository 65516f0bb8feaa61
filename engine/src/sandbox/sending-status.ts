import { campaignAccounts, capacityMode, isHealthy } from "./accounts.ts";
import { DAY_MS } from "./clock.ts";
import type { Campaign, CampaignSendDay } from "./models.ts";
import type { UnknownBehaviour } from "./options.ts";
import { newLeadLimit } from "./sending.ts";
import type { SandboxState } from "./state.ts";

/**
 * `GET /campaigns/{id}/sending-status`: Instantly's diagnosis of why a campaign is (not) sending, derived
 * from what its sending did on the last simulated day (sending.ts). First match wins:
 * campaign not active → campaign_paused / campaign_draft / campaign_completed / …; no account of its
 * email_list exists → no_accounts_available; none healthy → all_accounts_unhealthy; leads left unsent
 * because of the campaign's daily_limit → daily_limit_met, of daily_max_leads (only new leads left) →
 * new_lead_limit_met, of its accounts' limits → account_daily_limit_met; capacity left but no lead ready
 * → waiting_for_leads; otherwise healthy. In the legacy/unlimited world (no accounts) a campaign is
 * healthy while it holds a lead never emailed, waiting_for_leads otherwise.
 */

const NOT_ACTIVE: Record<number, string> = {
  0: "campaign_draft",
  2: "campaign_paused",
  3: "campaign_completed",
  4: "campaign_running_subsequences",
  [-1]: "campaign_accounts_unhealthy",
  [-2]: "campaign_bounce_protect",
  [-99]: "campaign_account_suspended",
};

export function sendingStatus(state: SandboxState, campaign: Campaign, unknown: UnknownBehaviour) {
  const day = state.sendDays.get(campaign.id) ?? beforeFirstDay(state, campaign, unknown);
  const notSending = campaign.status === 1 ? null : (NOT_ACTIVE[campaign.status] ?? "campaign_paused");
  const limitHit = day.limit !== null && day.sent >= day.limit;
  const newLimitHit = day.newLimit !== null && day.newContacted >= day.newLimit;
  const accountsSpent = day.healthy > 0 && day.dailyLimitHit + day.slowRampLimitHit >= day.healthy;
  const left = day.followUpsLeft + day.newLeft;
  let status: string;
  if (notSending) status = notSending;
  else if (!capacityMode(state)) status = hasNewLead(state, campaign.id) ? "healthy" : "waiting_for_leads";
  else if (day.connected === 0) status = "no_accounts_available";
  else if (day.healthy === 0) status = "all_accounts_unhealthy";
  else if (left > 0 && limitHit) status = "daily_limit_met";
  else if (day.newLeft > 0 && day.followUpsLeft === 0 && newLimitHit) status = "new_lead_limit_met";
  else if (left > 0 && accountsSpent) status = "account_daily_limit_met";
  else if (left === 0 && !limitHit && !accountsSpent) status = "waiting_for_leads";
  else status = "healthy";
  const nowMs = state.clock.now();
  const earliest =
    day.earliestDueDay === null
      ? null
      : Math.max(0, Math.round((day.earliestDueDay * DAY_MS - nowMs) / 1000));
  return {
    diagnostics: {
      status,
      accounts_summary: {
        total_connected: day.connected,
        available: Math.max(0, day.healthy - day.dailyLimitHit - day.slowRampLimitHit),
        unavailable: {
          daily_limit_hit: day.dailyLimitHit,
          slow_ramp_limit_hit: day.slowRampLimitHit,
          disconnected: day.connected - day.healthy,
          global_gap_not_met: 0,
        },
      },
      campaign_daily_limit: { limit: day.limit, sent: day.sent, limit_hit: limitHit },
      new_lead_limit: {
        enabled: day.newLimit !== null,
        limit: day.newLimit,
        contacted: day.newContacted,
        limit_hit: newLimitHit,
      },
      follow_ups_waiting: { count: day.followUpsWaiting, earliest_wait_time_seconds: earliest },
      leads_status: { no_leads_ready: left === 0 },
    },
    summary: null,
  };
}

/** Before any simulated day: nothing sent yet, the accounts as they are. */
function beforeFirstDay(state: SandboxState, campaign: Campaign, unknown: UnknownBehaviour): CampaignSendDay {
  const accounts = campaignAccounts(state, campaign);
  let newLeft = 0;
  for (const lead of state.leadsInCampaign(campaign.id)) {
    if (lead.status === 1 && state.progress.get(lead.id)?.stepsSent === 0) newLeft++;
  }
  return {
    day: state.clock.day(),
    connected: accounts.length,
    healthy: accounts.filter(isHealthy).length,
    dailyLimitHit: 0,
    slowRampLimitHit: 0,
    limit: campaign.daily_limit ?? null,
    sent: 0,
    newLimit: newLeadLimit(campaign, unknown),
    newContacted: 0,
    followUpsLeft: 0,
    newLeft,
    followUpsWaiting: 0,
    earliestDueDay: null,
  };
}

function hasNewLead(state: SandboxState, campaignId: string): boolean {
  for (const lead of state.leadsInCampaign(campaignId)) {
    if (lead.status === 1 && state.progress.get(lead.id)?.stepsSent === 0) return true;
  }
  return false;
}
