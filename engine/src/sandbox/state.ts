import { SimClock } from "./clock.ts";
import { IdMinter } from "./ids.ts";
import type {
  Account,
  AccountCounters,
  BlockListEntry,
  Campaign,
  CampaignSendDay,
  DailyCounters,
  Lead,
  LeadList,
  LeadProgress,
  VerificationRecord,
  Workspace,
} from "./models.ts";
import { emptyAccountCounters, emptyCounters } from "./models.ts";
import { Prng } from "./prng.ts";

/**
 * The sandbox's whole world, in memory: one workspace with its campaigns, leads, lead lists, block
 * list, verifications and daily analytics counters, plus the simulated clock and the seeded id
 * minter. Tests may read it directly; writes should go through the API (or the helpers here) so the
 * indexes stay right.
 */

/** Leads by id, with an email index (dedupe, `contacts` lookups) and a cached id-sorted order (cursors). */
export class LeadStore extends Map<string, Lead> {
  private byEmail = new Map<string, Set<string>>();
  private sorted: string[] = [];
  private sortedDirty = false;

  override set(id: string, lead: Lead): this {
    const old = super.get(id);
    if (old) this.unindex(old);
    else if (!this.sortedDirty) {
      const last = this.sorted[this.sorted.length - 1];
      if (last === undefined || id > last) this.sorted.push(id);
      else this.sortedDirty = true;
    }
    super.set(id, lead);
    if (lead.email) {
      let ids = this.byEmail.get(lead.email);
      if (!ids) {
        ids = new Set();
        this.byEmail.set(lead.email, ids);
      }
      ids.add(id);
    }
    return this;
  }

  override delete(id: string): boolean {
    const old = super.get(id);
    if (!old) return false;
    this.unindex(old);
    return super.delete(id);
  }

  override clear(): void {
    super.clear();
    this.byEmail.clear();
    this.sorted = [];
    this.sortedDirty = false;
  }

  /** Live lead rows (one per campaign/list membership) carrying this normalised email. */
  withEmail(email: string): Lead[] {
    const ids = this.byEmail.get(email);
    if (!ids) return [];
    return [...ids].map((id) => super.get(id)).filter((l): l is Lead => l !== undefined);
  }

  /** Ids in ascending order (deleted ids pruned lazily). */
  sortedIds(): string[] {
    if (this.sortedDirty || this.sorted.length > this.size * 2 + 64) {
      this.sorted = [...this.keys()].sort();
      this.sortedDirty = false;
    }
    return this.sorted;
  }

  private unindex(lead: Lead): void {
    if (!lead.email) return;
    const ids = this.byEmail.get(lead.email);
    ids?.delete(lead.id);
    if (ids && ids.size === 0) this.byEmail.delete(lead.email);
  }
}

/** Block-list entries by id, indexed by lower-cased value. */
export class BlocklistStore extends Map<string, BlockListEntry> {
  private byValue = new Map<string, string>();

  override set(id: string, entry: BlockListEntry): this {
    const old = super.get(id);
    if (old) this.byValue.delete(old.bl_value.toLowerCase());
    super.set(id, entry);
    this.byValue.set(entry.bl_value.toLowerCase(), id);
    return this;
  }

  override delete(id: string): boolean {
    const old = super.get(id);
    if (!old) return false;
    this.byValue.delete(old.bl_value.toLowerCase());
    return super.delete(id);
  }

  override clear(): void {
    super.clear();
    this.byValue.clear();
  }

  findValue(value: string): BlockListEntry | undefined {
    const id = this.byValue.get(value.toLowerCase());
    return id === undefined ? undefined : super.get(id);
  }

  /** True when the email itself or its whole domain is listed. */
  blocks(email: string): boolean {
    const at = email.lastIndexOf("@");
    return (
      this.byValue.has(email.toLowerCase()) ||
      (at >= 0 && this.byValue.has(email.slice(at + 1).toLowerCase()))
    );
  }
}

export interface WorkspaceSettings {
  /** `add_unsub_to_block`: simulated unsubscribes are added to the block list. */
  blocklistUnsubscribes: boolean;
  verificationCredits: number;
  planLeadLimit: number | null;
  /** Id reported as `blocklist_used` by /leads/add. */
  defaultBlocklistId: string;
  /** The API user (owner, uploaded_by_user). */
  userId: string;
}

export class SandboxState {
  readonly campaigns = new Map<string, Campaign>();
  readonly leads = new LeadStore();
  /** Internal sequence progress per lead id. */
  readonly progress = new Map<string, LeadProgress>();
  readonly leadLists = new Map<string, LeadList>();
  readonly blocklist = new BlocklistStore();
  /** Verifications by lower-cased email. */
  readonly verifications = new Map<string, VerificationRecord>();
  /** Daily counters: campaign id → YYYY-MM-DD → counters. Survive lead deletion, like the real analytics. */
  readonly analytics = new Map<string, Map<string, DailyCounters>>();
  /** Simulated days advanced so far. */
  daysAdvanced = 0;
  /** Sending accounts by email; none = every campaign sends without limit (legacy mode). */
  readonly accounts = new Map<string, Account>();
  /** Account email → YYYY-MM-DD → counters. */
  readonly accountAnalytics = new Map<string, Map<string, AccountCounters>>();
  /** Slow-ramp accounts: the limit in force on the last simulated day (not exposed by the API). */
  readonly rampLimits = new Map<string, number>();
  /** Campaign id → what its sending did on the last simulated day (sending-status). */
  readonly sendDays = new Map<string, CampaignSendDay>();

  constructor(
    readonly workspace: Workspace,
    readonly settings: WorkspaceSettings,
    readonly clock: SimClock,
    readonly ids: IdMinter,
    /** General seeded stream (pagination coin flips, verification outcomes). */
    readonly prng: Prng,
  ) {}

  nowIso(): string {
    return this.clock.iso();
  }

  counters(campaignId: string, date: string): DailyCounters {
    let byDate = this.analytics.get(campaignId);
    if (!byDate) {
      byDate = new Map();
      this.analytics.set(campaignId, byDate);
    }
    let c = byDate.get(date);
    if (!c) {
      c = emptyCounters();
      byDate.set(date, c);
    }
    return c;
  }

  accountCounters(email: string, date: string): AccountCounters {
    let byDate = this.accountAnalytics.get(email);
    if (!byDate) {
      byDate = new Map();
      this.accountAnalytics.set(email, byDate);
    }
    let c = byDate.get(date);
    if (!c) {
      c = emptyAccountCounters();
      byDate.set(date, c);
    }
    return c;
  }

  /** Leads currently in a campaign. */
  leadsInCampaign(campaignId: string): Lead[] {
    const out: Lead[] = [];
    for (const lead of this.leads.values()) if (lead.campaign === campaignId) out.push(lead);
    return out;
  }
}

/** JSON form of the state for `persistPath`. */
export interface PersistedState {
  version: 1;
  nowMs: number;
  daysAdvanced: number;
  ids: { lastMs: number; seq: number };
  prng: [number, number, number, number];
  workspace: Workspace;
  settings: WorkspaceSettings;
  campaigns: Campaign[];
  leads: Lead[];
  progress: [string, LeadProgress][];
  leadLists: LeadList[];
  blocklist: BlockListEntry[];
  verifications: [string, VerificationRecord][];
  analytics: [string, [string, DailyCounters][]][];
  /** Absent in files saved before sending accounts existed. */
  accounts?: Account[];
  accountAnalytics?: [string, [string, AccountCounters][]][];
  rampLimits?: [string, number][];
  sendDays?: [string, CampaignSendDay][];
}

export function serializeState(state: SandboxState): PersistedState {
  return {
    version: 1,
    nowMs: state.clock.now(),
    daysAdvanced: state.daysAdvanced,
    ids: state.ids.state(),
    prng: state.prng.state(),
    workspace: state.workspace,
    settings: state.settings,
    campaigns: [...state.campaigns.values()],
    leads: state.leads.sortedIds().flatMap((id) => state.leads.get(id) ?? []),
    progress: [...state.progress.entries()],
    leadLists: [...state.leadLists.values()],
    blocklist: [...state.blocklist.values()],
    verifications: [...state.verifications.entries()],
    analytics: [...state.analytics.entries()].map(([id, byDate]) => [id, [...byDate.entries()]]),
    accounts: [...state.accounts.values()],
    accountAnalytics: [...state.accountAnalytics.entries()].map(([e, byDate]) => [e, [...byDate.entries()]]),
    rampLimits: [...state.rampLimits.entries()],
    sendDays: [...state.sendDays.entries()],
  };
}

export function deserializeState(data: PersistedState, realTime: boolean): SandboxState {
  if (data.version !== 1) throw new Error(`unsupported sandbox state version ${String(data.version)}`);
  const prng = new Prng(data.prng);
  const state = new SandboxState(
    data.workspace,
    data.settings,
    new SimClock(data.nowMs, realTime),
    new IdMinter(prng, data.ids),
    prng,
  );
  state.daysAdvanced = data.daysAdvanced;
  for (const c of data.campaigns) state.campaigns.set(c.id, c);
  for (const l of data.leads) state.leads.set(l.id, l);
  for (const [id, p] of data.progress) state.progress.set(id, p);
  for (const l of data.leadLists) state.leadLists.set(l.id, l);
  for (const b of data.blocklist) state.blocklist.set(b.id, b);
  for (const [email, v] of data.verifications) state.verifications.set(email, v);
  for (const [id, byDate] of data.analytics) state.analytics.set(id, new Map(byDate));
  for (const a of data.accounts ?? []) state.accounts.set(a.email, a);
  for (const [e, byDate] of data.accountAnalytics ?? []) state.accountAnalytics.set(e, new Map(byDate));
  for (const [e, n] of data.rampLimits ?? []) state.rampLimits.set(e, n);
  for (const [id, d] of data.sendDays ?? []) state.sendDays.set(id, d);
  return state;
}
