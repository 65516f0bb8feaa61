import {
  type Account,
  type Campaign,
  collectPages,
  type InstantlyClient,
  InstantlyError,
  InstantlyFatalError,
  type SendingStatus,
  safeMessage,
  stepDelaysDays,
} from "../instantly/index.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";
import {
  instantlyAccountDailyTable,
  instantlyCampaignAccountsTable,
  instantlyCampaignDailyTable,
  instantlyCampaignSendingTable,
  instantlySendingAccountsTable,
} from "../warehouse/tables.ts";

/**
 * The sending-capacity snapshot of one pull (the tables' descriptions in warehouse/tables.ts are the
 * contract the pacing rules read): every campaign of the workspace with its limits, senders and
 * sequence (one `GET /campaigns` listing), the sending accounts of the managed campaigns (one
 * `GET /accounts` listing), and for each managed campaign its sending-status diagnosis and the last
 * `days` days of daily analytics; the accounts' daily analytics ≤ 200 accounts a call.
 *
 * Everything is read before anything is written, so a pull holds either the whole snapshot or none
 * of it. A failed read (an API fault, a missing `accounts:read` scope) does NOT fail the pull: the
 * lead snapshot is complete without it, and the pacing rules start no new leads in a campaign
 * without capacity rows of this pull. The outcome says it is `missing` and why, and the pull records
 * that in its sync_runs counts and warnings.
 */

export interface CapacityOptions {
  client: InstantlyClient;
  warehouse: Warehouse;
  runId: string;
  /** recorded_at of every row. */
  at: Date;
  /** The engine's today: the analytics window ends here. */
  today: Date;
  /** Managed campaigns as the preflight read them (kept even if the listing omits one). */
  managed: readonly Campaign[];
  /** Days of daily analytics (default 28). */
  days?: number;
}

export type CapacityOutcome =
  | {
      status: "complete";
      campaigns: number;
      accounts: number;
      /** Senders of managed campaigns that GET /accounts does not list (no row: not healthy). */
      accountsMissing: number;
      campaignDays: number;
      accountDays: number;
    }
  | { status: "missing"; error: string };

export async function pullCapacity(o: CapacityOptions): Promise<CapacityOutcome> {
  let snapshot: Snapshot;
  try {
    snapshot = await readSnapshot(o);
  } catch (error) {
    if (!(error instanceof InstantlyError || error instanceof InstantlyFatalError)) throw error;
    return { status: "missing", error: `sending capacity not read: ${safeMessage(error.message, 300)}` };
  }
  const { rows } = snapshot;
  await o.warehouse.append(instantlyCampaignSendingTable, rows.campaigns);
  await o.warehouse.append(instantlyCampaignAccountsTable, rows.campaignAccounts);
  await o.warehouse.append(instantlySendingAccountsTable, rows.accounts);
  await o.warehouse.append(instantlyCampaignDailyTable, rows.campaignDays);
  await o.warehouse.append(instantlyAccountDailyTable, rows.accountDays);
  return {
    status: "complete",
    campaigns: rows.campaigns.length,
    accounts: rows.accounts.length,
    accountsMissing: snapshot.accountsMissing,
    campaignDays: rows.campaignDays.length,
    accountDays: rows.accountDays.length,
  };
}

interface Snapshot {
  rows: {
    campaigns: Row[];
    campaignAccounts: Row[];
    accounts: Row[];
    campaignDays: Row[];
    accountDays: Row[];
  };
  accountsMissing: number;
}

async function readSnapshot(o: CapacityOptions): Promise<Snapshot> {
  const { client, runId, at } = o;
  const base = { run_id: runId, recorded_at: at };
  const managedIds = new Set(o.managed.map((c) => c.id.toLowerCase()));
  const byId = new Map<string, Campaign>();
  for (const c of await collectPages(client.listCampaigns())) byId.set(c.id.toLowerCase(), c);
  for (const c of o.managed) if (!byId.has(c.id.toLowerCase())) byId.set(c.id.toLowerCase(), c);

  const senders = new Set<string>();
  for (const id of managedIds) for (const e of senderList(byId.get(id))) senders.add(e);
  const accounts = new Map<string, Account>();
  for await (const page of client.listAccounts()) {
    for (const a of page) if (senders.has(a.email.toLowerCase())) accounts.set(a.email.toLowerCase(), a);
  }

  const end = isoDay(o.today);
  const start = isoDay(new Date(o.today.getTime() - ((o.days ?? 28) - 1) * 86_400_000));
  const diagnosis = new Map<string, SendingStatus>();
  const campaignDays: Row[] = [];
  for (const id of [...managedIds].sort()) {
    diagnosis.set(id, await client.campaignSendingStatus(id));
    for (const d of await client.campaignDailyAnalytics(id, start, end)) {
      const date = dayOf(d.date);
      if (!date) continue;
      campaignDays.push({
        ...base,
        campaign_id: id,
        date,
        sent: int(d.sent),
        contacted: int(d.contacted),
        new_leads_contacted: int(d.new_leads_contacted),
      });
    }
  }
  const accountDays: Row[] = [];
  const listed = [...accounts.keys()].sort();
  if (listed.length > 0) {
    for (const d of await client.accountDailyAnalytics(listed, start, end)) {
      const email = (d.email_account ?? d.email ?? "").toLowerCase();
      const date = dayOf(d.date);
      if (!date || !accounts.has(email)) continue;
      accountDays.push({
        ...base,
        email,
        date,
        sent: int(d.sent),
        bounced: int(d.bounced),
        new_leads_contacted: int(d.new_leads_contacted),
      });
    }
  }

  const campaignRows: Row[] = [];
  const campaignAccounts: Row[] = [];
  for (const [id, c] of [...byId].sort(([a], [b]) => a.localeCompare(b))) {
    const delays = stepDelaysDays(c);
    const d = diagnosis.get(id);
    campaignRows.push({
      ...base,
      campaign_id: id,
      is_managed: managedIds.has(id),
      status: int(c.status),
      daily_limit: int(c.daily_limit),
      daily_max_leads: int(c.daily_max_leads),
      step_delays_days: delays,
      step_count: delays.length,
      sequence_days: sequenceDays(delays),
      sending_status: d?.status ?? null,
      follow_ups_waiting: int(d?.followUpsWaiting),
    });
    for (const email of senderList(c)) campaignAccounts.push({ ...base, campaign_id: id, email });
  }
  const accountRows = listed.map((email): Row => {
    const a = accounts.get(email) as Account;
    return {
      ...base,
      email,
      daily_limit: int(a.daily_limit),
      status: int(a.status),
      warmup_status: int(a.warmup_status),
      setup_pending: a.setup_pending ?? null,
      enable_slow_ramp: a.enable_slow_ramp ?? null,
    };
  });
  return {
    rows: { campaigns: campaignRows, campaignAccounts, accounts: accountRows, campaignDays, accountDays },
    accountsMissing: senders.size - accounts.size,
  };
}

/** A campaign's senders, lower case, each once. */
function senderList(c: Campaign | undefined): string[] {
  return [...new Set((c?.email_list ?? []).map((e) => e.trim().toLowerCase()).filter((e) => e !== ""))];
}

/** Days from a lead's first email to its last: every step's delay but the last one's (null if unknown). */
export function sequenceDays(delays: readonly (number | null)[]): number | null {
  if (delays.length === 0) return null;
  let sum = 0;
  for (const d of delays.slice(0, -1)) {
    if (d === null) return null;
    sum += d;
  }
  return sum;
}

const int = (v: number | null | undefined): number | null =>
  typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : null;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** `2026-12-05` or an ISO timestamp → that day at UTC midnight; anything else → null. */
function dayOf(value: string): Date | null {
  const day = /^\d{4}-\d{2}-\d{2}/.exec(value)?.[0];
  if (!day) return null;
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}
