import { UserError } from "../core/errors.ts";
import type { Account, Campaign } from "./models.ts";
import type { ResolvedOptions, UnknownBehaviour } from "./options.ts";
import type { SandboxState } from "./state.ts";

/**
 * Sending accounts (mailboxes): the ones the options give the initial world, their health, and the
 * limit each may send on a simulated day (slow ramp included). A workspace without accounts is the
 * legacy/unlimited world: every campaign sends each due email, as before accounts existed.
 */

/** The sender address campaigns carry in a world without accounts (never a real account). */
export const PLACEHOLDER_SENDER = "sender@sandbox.invalid";

/** A healthy account can send: active, warmup not in error, set up. */
export function isHealthy(a: Account): boolean {
  return a.status === 1 && a.warmup_status >= 0 && !a.setup_pending;
}

/** Whether campaigns send through accounts (false = the legacy world: no account, no limit). */
export function capacityMode(state: SandboxState): boolean {
  return state.accounts.size > 0;
}

/** The existing accounts of a campaign's email_list, each once, in list order. */
export function campaignAccounts(state: SandboxState, campaign: Campaign): Account[] {
  const out: Account[] = [];
  const seen = new Set<string>();
  for (const raw of campaign.email_list ?? []) {
    const email = String(raw).toLowerCase();
    const account = state.accounts.get(email);
    if (account && !seen.has(email)) {
      seen.add(email);
      out.push(account);
    }
  }
  return out;
}

/**
 * Moves every slow-ramp account one simulated day on (first day `slowRampStart`, then +2 a day, never over
 * daily_limit) and returns each account's limit for the day.
 */
export function limitsForDay(state: SandboxState, unknown: UnknownBehaviour): Map<string, number> {
  const limits = new Map<string, number>();
  for (const a of state.accounts.values()) {
    if (!a.enable_slow_ramp) {
      limits.set(a.email, a.daily_limit);
      continue;
    }
    const before = state.rampLimits.get(a.email);
    const ramp = Math.min(a.daily_limit, before === undefined ? unknown.slowRampStart : before + 2);
    state.rampLimits.set(a.email, ramp);
    limits.set(a.email, ramp);
  }
  return limits;
}

/** Creates the accounts of `options.sending` and attaches them to the initial campaigns. */
export function seedAccounts(state: SandboxState, options: ResolvedOptions): void {
  const { sending } = options;
  const iso = state.nowIso();
  const campaigns = [...state.campaigns.values()];
  const add = (seed: Partial<Account> & { email: string }): Account => {
    const account: Account = {
      email: seed.email.toLowerCase(),
      organization: state.workspace.id,
      timestamp_created: iso,
      timestamp_updated: iso,
      daily_limit: seed.daily_limit ?? sending.accountDailyLimit,
      status: seed.status ?? 1,
      warmup_status: seed.warmup_status ?? 1,
      setup_pending: seed.setup_pending ?? false,
      enable_slow_ramp: seed.enable_slow_ramp ?? false,
      sending_gap: seed.sending_gap ?? 10,
      stat_warmup_score: seed.stat_warmup_score ?? 100,
      provider_code: 1,
    };
    state.accounts.set(account.email, account);
    return account;
  };
  if (sending.accountsPerCampaign > 0) {
    for (const c of campaigns) {
      c.email_list = Array.from(
        { length: sending.accountsPerCampaign },
        (_, i) => add({ email: `mailbox${i + 1}.${c.id.slice(0, 8)}@sandbox-sender.test` }).email,
      );
      if (c.daily_limit === null && sending.campaignDailyLimit === null)
        c.daily_limit = sending.accountsPerCampaign * sending.accountDailyLimit;
    }
  }
  for (const seed of sending.accounts) {
    const { campaigns: names, ...fields } = seed;
    const account = add(fields);
    for (const name of names) {
      const c = campaigns.find((x) => x.id === name.toLowerCase() || x.name === name);
      if (!c) {
        throw new UserError(
          `bad sandbox options: sending.accounts[${account.email}].campaigns names ${JSON.stringify(name)}, which is no campaign id or name of the sandbox`,
        );
      }
      if (!c.email_list.includes(account.email)) c.email_list = [...c.email_list, account.email];
    }
  }
  if (!capacityMode(state)) return;
  for (const c of campaigns) {
    c.email_list = c.email_list.filter((e) => e !== PLACEHOLDER_SENDER);
    if (c.daily_limit === null && sending.campaignDailyLimit !== null)
      c.daily_limit = sending.campaignDailyLimit;
    if (c.daily_max_leads === null && sending.dailyMaxLeads !== null)
      c.daily_max_leads = sending.dailyMaxLeads;
  }
}
