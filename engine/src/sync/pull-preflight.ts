import type { Settings } from "../config/settings.ts";
import { notBefore } from "../core/clock.ts";
import type { InstantlyClient } from "../instantly/index.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { checkKey, loadManagedCampaigns, type ManagedCampaign } from "./preflight.ts";
import { loadOpenActions, norm, type OpenAction } from "./reconcile.ts";

/** What the pull knows before it writes anything. */
export interface PullPreflight {
  campaigns: ManagedCampaign[];
  /** Intents of earlier runs without a final row, to settle against this snapshot. */
  open: OpenAction[];
  /** Open add intents by `campaign|email` and drain intents by lead id: the listing marks them. */
  addIndex: Map<string, OpenAction>;
  drainIndex: Map<string, OpenAction>;
}

/** Nothing is written until the key works and every campaign exists. */
export async function preflightPull(
  client: InstantlyClient,
  warehouse: Warehouse,
  settings: Settings,
  log: (line: string) => void,
): Promise<PullPreflight> {
  await checkKey(client);
  const campaigns = await loadManagedCampaigns(client, settings);
  const open = await loadOpenActions(warehouse);
  // Readers take an action's latest row by time: the rows that settle these intents must be stamped
  // after them, even when another process's clock wrote them ahead of this one (core/clock.ts).
  const latestOpen = open.reduce((m, o) => Math.max(m, o.stateAt?.getTime() ?? 0), 0);
  if (latestOpen > 0 && notBefore(new Date(latestOpen)) > 0) {
    log("  clock moved past the latest unresolved action's stamp (written by a clock ahead of this one)");
  }
  const addIndex = new Map<string, OpenAction>();
  const drainIndex = new Map<string, OpenAction>();
  for (const o of open) {
    if (o.action.op === "add") addIndex.set(`${o.action.campaign_id}|${norm(o.action.email)}`, o);
    if (o.action.op === "drain" && o.action.lead_id) drainIndex.set(o.action.lead_id, o);
  }
  return { campaigns, open, addIndex, drainIndex };
}
