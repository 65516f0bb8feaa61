import type { Settings } from "../config/settings.ts";
import { nested } from "../core/batching.ts";
import { now } from "../core/clock.ts";
import { type InstantlyClient, type Lead, safeMessage } from "../instantly/index.ts";
import { createWarehouseAlertStore } from "../notify/alert-store.ts";
import { createNotifier } from "../notify/create-notifier.ts";
import type { Notifier } from "../notify/port.ts";
import { notifyPullCompleteness } from "../notify/pull-alert.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";
import { instantlyCampaignsTable, instantlyLeadsTable, syncChangelogTable } from "../warehouse/tables.ts";
import { crashPoint } from "./crash-points.ts";
import { changelogRow, type FinalEntry, MonotonicClock } from "./journal.ts";
import { checkKey, explainPreflightError, loadManagedCampaigns, type ManagedCampaign } from "./preflight.ts";
import {
  type CampaignCompleteness,
  describeShortPull,
  judgeCompleteness,
  type PullCompleteness,
} from "./pull-completeness.ts";
import { isSnapshotOp, loadOpenActions, norm, type OpenAction, reconcileOne } from "./reconcile.ts";
import { ciRunUrl, newRunId } from "./run-id.ts";
import { writeRunRow } from "./run-record.ts";

/**
 * `engine pull`: snapshot the managed campaigns (with analytics) and every lead in them into
 * `instantly_campaigns` / `instantly_leads` (append-only, one run_id), streamed page by page and
 * appended in batches so memory stays flat whatever the inventory; then reconcile the write-ahead
 * intents of earlier runs that never got a final state against this snapshot:
 *
 * - add:    lead (email) present in its campaign → succeeded (with its lead id); else failed, retryable;
 *           also re-checks adds whose failure was ambiguous (5xx, timeout, partial bulk result);
 * - drain:  lead id gone → succeeded; still there → failed, retryable;
 * - block:  the value is in Instantly's block list → succeeded; else failed, retryable;
 * - verify: failed, retryable (asking again would spend a credit; a later push verifies again).
 *
 * The pull is recorded as a sync_runs row with mode `pull` and status `succeeded` LAST: a pull killed
 * midway leaves snapshot rows but no such row, and apply refuses action tables computed from it.
 *
 * A pull that listed fewer leads than a campaign's analytics `leads_count` (pull-completeness.ts) is
 * recorded `partial` with the reason instead, so apply refuses it the same way; its add/drain intents
 * of the short campaigns are not reconciled (a missing lead proves nothing then), and the
 * `pull_incomplete` alert is raised (notify/pull-alert.ts).
 */

export interface PullOptions {
  settings: Settings;
  warehouse: Warehouse;
  client: InstantlyClient;
  log?: (line: string) => void;
  env?: Record<string, string | undefined>;
  /** Lead rows per warehouse append (default 2,000). */
  batchRows?: number;
  /** Where the pull_incomplete alert goes (default: the notifier the environment asks for; false: none). */
  notifier?: Notifier | false;
}

export interface PullResult {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  campaigns: number;
  leads: number;
  leadsByCampaign: Record<string, number>;
  reconciled: Record<string, Record<string, number>>;
  apiCalls: number;
  /** false when a campaign listed fewer leads than its own count: apply refuses this pull. */
  complete: boolean;
  completeness: PullCompleteness;
  /** Notification problems (the pull itself is not affected). */
  warnings: string[];
}

const iso = (v: string | null | undefined): Date | null => {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
};
const intOrNull = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v)
    ? Math.trunc(v)
    : typeof v === "string" && /^-?\d+$/.test(v)
      ? Number(v)
      : null;

export function leadRow(runId: string, at: Date, campaignId: string, lead: Lead): Row {
  return {
    run_id: runId,
    recorded_at: at,
    lead_id: lead.id,
    campaign_id: (lead.campaign ?? campaignId).toLowerCase(),
    email: lead.email ?? null,
    status: intOrNull(lead.status),
    lt_interest_status: intOrNull(lead.lt_interest_status),
    email_open_count: intOrNull(lead.email_open_count),
    email_reply_count: intOrNull(lead.email_reply_count),
    email_click_count: intOrNull(lead.email_click_count),
    verification_status: intOrNull(lead.verification_status),
    timestamp_created: iso(lead.timestamp_created),
    timestamp_updated: iso(lead.timestamp_updated),
    timestamp_last_contact: iso(lead.timestamp_last_contact),
    timestamp_last_reply: iso(lead.timestamp_last_reply),
    timestamp_last_interest_change: iso(lead.timestamp_last_interest_change),
    upload_method: lead.upload_method ?? null,
    company_domain: lead.company_domain ?? null,
    payload: lead.payload ?? null,
  };
}

export function campaignRow(runId: string, at: Date, m: ManagedCampaign): Row {
  const a = m.analytics;
  return {
    run_id: runId,
    recorded_at: at,
    id: m.campaign.id.toLowerCase(),
    name: m.campaign.name,
    status: intOrNull(m.campaign.status),
    daily_limit: intOrNull(m.campaign.daily_limit),
    stop_on_reply: m.campaign.stop_on_reply ?? null,
    stop_on_auto_reply: m.campaign.stop_on_auto_reply ?? null,
    leads_count: intOrNull(a?.leads_count),
    contacted_count: intOrNull(a?.contacted_count),
    emails_sent_count: intOrNull(a?.emails_sent_count),
    bounced_count: intOrNull(a?.bounced_count),
    reply_count: intOrNull(a?.reply_count),
    unsubscribed_count: intOrNull(a?.unsubscribed_count),
    completed_count: intOrNull(a?.completed_count),
  };
}

export async function runPull(options: PullOptions): Promise<PullResult> {
  const { settings, warehouse, client } = options;
  const log = options.log ?? (() => {});
  const startedAt = now();
  const runId = newRunId("pull", startedAt);
  const clock = new MonotonicClock();
  const batchRows = options.batchRows ?? 2000;
  const callsBefore = client.stats().totals.calls;

  // Preflight: nothing is written until the key works and every campaign exists.
  await checkKey(client);
  const campaigns = await loadManagedCampaigns(client, settings);
  const open = await loadOpenActions(warehouse);
  const addIndex = new Map<string, OpenAction>();
  const drainIndex = new Map<string, OpenAction>();
  for (const o of open) {
    if (o.action.op === "add") addIndex.set(`${o.action.campaign_id}|${norm(o.action.email)}`, o);
    if (o.action.op === "drain" && o.action.lead_id) drainIndex.set(o.action.lead_id, o);
  }
  log(`pull ${runId}: ${campaigns.length} campaign(s), ${open.length} unresolved action(s) to reconcile`);

  await warehouse.append(
    instantlyCampaignsTable,
    campaigns.map((m) => campaignRow(runId, clock.next(), m)),
  );

  const leadsByCampaign: Record<string, number> = {};
  let total = 0;
  try {
    for (const m of campaigns) {
      const campaignId = m.campaign.id.toLowerCase();
      let buffer: Row[] = [];
      let count = 0;
      const flush = async () => {
        if (buffer.length === 0) return;
        await warehouse.append(instantlyLeadsTable, buffer);
        buffer = [];
        crashPoint("pull.snapshot");
      };
      for await (const page of client.listLeads(campaignId)) {
        const at = clock.next();
        for (const lead of page) {
          buffer.push(leadRow(runId, at, campaignId, lead));
          const add = addIndex.get(`${(lead.campaign ?? campaignId).toLowerCase()}|${norm(lead.email)}`);
          if (add) add.foundLeadId = lead.id;
          const drain = drainIndex.get(lead.id);
          if (drain) drain.stillPresent = true;
        }
        count += page.length;
        if (buffer.length >= batchRows) {
          await flush();
          log(`  ${m.segment.name}: ${count.toLocaleString("en-US")} leads`);
        }
      }
      await flush();
      leadsByCampaign[campaignId] = count;
      total += count;
      log(`  ${m.segment.name} (${campaignId}): ${count.toLocaleString("en-US")} leads snapshotted`);
    }
  } catch (error) {
    await recordFailedPull(warehouse, runId, startedAt, error, options.env);
    explainPreflightError(error, client);
  }
  const completeness = judgeCompleteness(await listingCounts(client, campaigns, leadsByCampaign, log));
  const shortIds = new Set(completeness.short.map((c) => c.campaignId));
  if (shortIds.size > 0) log(describeShortPull(completeness.short));

  crashPoint("pull.before-reconcile");
  const managed = new Set(settings.managedCampaignIds);
  const finals: FinalEntry[] = [];
  const reconciled: Record<string, Record<string, number>> = {};
  try {
    for (const o of open.filter((o) => !shortIds.has(o.action.campaign_id) || !isSnapshotOp(o))) {
      const entry = await reconcileOne(o, managed, client);
      finals.push(entry);
      const byOp = nested(reconciled, o.action.op);
      byOp[entry.state] = (byOp[entry.state] ?? 0) + 1;
    }
    if (finals.length > 0) {
      const at = clock.next();
      await warehouse.append(
        syncChangelogTable,
        finals.map((f) => changelogRow(runId, at, f)),
      );
    }
  } catch (error) {
    await recordFailedPull(warehouse, runId, startedAt, error, options.env);
    explainPreflightError(error, client);
  }

  crashPoint("pull.before-run-row");
  const finishedAt = clock.next();
  const apiCalls = client.stats().totals.calls - callsBefore;
  await writeRunRow(warehouse, {
    runId,
    mode: "pull",
    startedAt,
    finishedAt,
    status: completeness.short.length === 0 ? "succeeded" : "partial",
    ...(completeness.short.length === 0 ? {} : { error: describeShortPull(completeness.short) }),
    counts: {
      campaigns: campaigns.length,
      leads: total,
      leads_by_campaign: leadsByCampaign,
      reconciled,
      api_calls: apiCalls,
      completeness,
    },
    ciRunUrl: ciRunUrl(options.env),
  });
  const warnings = await alertCompleteness(options, runId, finishedAt, completeness);
  return {
    runId,
    startedAt,
    finishedAt,
    campaigns: campaigns.length,
    leads: total,
    leadsByCampaign,
    reconciled,
    apiCalls,
    complete: completeness.short.length === 0,
    completeness,
    warnings,
  };
}

/** add and drain are reconciled against the lead snapshot; block and verify are not. */

/**
 * Each campaign's listed leads with its analytics lead count from the preflight and again now (see
 * pull-completeness.ts). A failing second read leaves only the first count: it never fails the pull.
 */
async function listingCounts(
  client: InstantlyClient,
  campaigns: readonly ManagedCampaign[],
  listed: Record<string, number>,
  log: (line: string) => void,
): Promise<CampaignCompleteness[]> {
  const after = new Map<string, number | null>();
  const ids = campaigns.map((m) => m.campaign.id.toLowerCase());
  try {
    for (const a of await client.campaignAnalytics({ ids, excludeTotalLeadsCount: false })) {
      after.set(a.campaign_id.toLowerCase(), intOrNull(a.leads_count));
    }
  } catch (error) {
    log(
      `  lead counts not re-read (${safeMessage(error instanceof Error ? error.message : String(error), 200)})`,
    );
  }
  return campaigns.map((m) => {
    const campaignId = m.campaign.id.toLowerCase();
    return {
      campaignId,
      listed: listed[campaignId] ?? 0,
      countBefore: intOrNull(m.analytics?.leads_count),
      countAfter: after.get(campaignId) ?? null,
    };
  });
}

/** Raise or clear the pull_incomplete alert; warnings only, never an error. */
async function alertCompleteness(
  options: PullOptions,
  runId: string,
  finishedAt: Date,
  completeness: PullCompleteness,
): Promise<string[]> {
  if (options.notifier === false) return [];
  try {
    const notifier =
      options.notifier ??
      createNotifier(options.env ?? process.env, { write: (text) => process.stderr.write(text) });
    return await notifyPullCompleteness(
      {
        runId,
        finishedAt,
        ciRunUrl: ciRunUrl(options.env),
        short: completeness.short,
        measured: completeness.checked > 0,
      },
      { notifier, alertStore: createWarehouseAlertStore(options.warehouse), env: options.env ?? process.env },
    );
  } catch (error) {
    return [`pull alert not sent: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`];
  }
}

/**
 * A pull that failed after it started writing: record it (status failed) so `engine status` and the
 * dashboard show it. Its snapshot rows stay (append-only) but apply never uses them: only a pull with
 * a succeeded row counts as complete. Best effort: the original error is what the user must see.
 */
async function recordFailedPull(
  warehouse: Warehouse,
  runId: string,
  startedAt: Date,
  error: unknown,
  env: Record<string, string | undefined> | undefined,
): Promise<void> {
  try {
    await writeRunRow(warehouse, {
      runId,
      mode: "pull",
      startedAt,
      finishedAt: now(),
      status: "failed",
      error: safeMessage(error instanceof Error ? error.message : String(error), 1000),
      ciRunUrl: ciRunUrl(env),
    });
  } catch {
    // the warehouse itself may be what failed
  }
}
