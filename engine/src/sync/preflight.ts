import type { Segment, Settings } from "../config/settings.ts";
import { ExitCode, UserError } from "../core/errors.ts";
import {
  type Campaign,
  type CampaignAnalytics,
  type InstantlyClient,
  InstantlyFailedError,
  InstantlyFatalError,
  InstantlyRejectedError,
} from "../instantly/index.ts";

/**
 * The checks both pull and apply make before touching anything: the key works, Instantly is
 * reachable, every managed campaign exists. Each failure is ONE clear message (a UserError, so the CLI
 * prints message + hint and no stack) and nothing has been written yet.
 */

export interface ManagedCampaign {
  segment: Segment;
  campaign: Campaign;
  analytics: CampaignAnalytics | undefined;
}

/** Turns a network-level failure into a UserError naming the base URL (never the key) and the step. */
export function unreachable(error: unknown, baseUrl: string, what = "preflight"): UserError | undefined {
  if (error instanceof InstantlyFailedError) {
    if (error.code === "timeout") {
      return new UserError(
        `Instantly ${what} failed: the API at ${baseUrl} did not answer (headers and body) within the deadline`,
        {
          hint: "the API or the network is slow or stalled; run again later (check INSTANTLY_BASE_URL too)",
          exitCode: ExitCode.failed,
        },
      );
    }
    if (["connection_refused", "dns_error", "connection_reset", "network_error"].includes(error.code)) {
      return new UserError(
        `Instantly ${what} failed: cannot reach the Instantly API at ${baseUrl} (${error.code})`,
        {
          hint: "check the network and INSTANTLY_BASE_URL (unset it for https://api.instantly.ai/api/v2)",
          exitCode: ExitCode.failed,
        },
      );
    }
  }
  return undefined;
}

/**
 * Rethrows a client error as one clear UserError saying which step failed (`what`: "preflight",
 * "lead listing of campaign …", …) and why.
 */
export function explainInstantlyError(error: unknown, client: InstantlyClient, what = "preflight"): never {
  if (error instanceof InstantlyFatalError || error instanceof UserError) throw error;
  const net = unreachable(error, client.baseUrl, what);
  if (net) throw net;
  if (error instanceof InstantlyFailedError || error instanceof InstantlyRejectedError) {
    throw new UserError(`Instantly ${what} failed: ${error.message}`, { exitCode: ExitCode.failed });
  }
  throw error;
}

export async function checkKey(client: InstantlyClient): Promise<void> {
  try {
    await client.checkKey();
  } catch (error) {
    explainInstantlyError(error, client);
  }
}

/**
 * Every managed campaign with its analytics. An id Instantly does not know is a settings mistake:
 * one message naming the segment var to fix.
 */
export async function loadManagedCampaigns(
  client: InstantlyClient,
  settings: Settings,
): Promise<ManagedCampaign[]> {
  const out: ManagedCampaign[] = [];
  const unknown: string[] = [];
  for (const segment of settings.segments) {
    try {
      const campaign = await client.getCampaign(segment.campaignId);
      out.push({ segment, campaign, analytics: undefined });
    } catch (error) {
      if (error instanceof InstantlyRejectedError && (error.httpStatus === 404 || error.httpStatus === 400)) {
        unknown.push(`vars.${segment.name}_campaign_id (${segment.campaignId})`);
        continue;
      }
      explainInstantlyError(error, client);
    }
  }
  if (unknown.length > 0) {
    throw new UserError(`campaign not found in this Instantly workspace: ${unknown.join(", ")}`, {
      hint: "fix the id in workflow_settings.yaml (Instantly → Campaigns → the campaign's URL holds its id)",
    });
  }
  let analytics: CampaignAnalytics[] = [];
  try {
    analytics = await client.campaignAnalytics({
      ids: settings.managedCampaignIds,
      excludeTotalLeadsCount: false,
    });
  } catch (error) {
    explainInstantlyError(error, client);
  }
  const byId = new Map(analytics.map((a) => [a.campaign_id.toLowerCase(), a]));
  for (const m of out) m.analytics = byId.get(m.campaign.id.toLowerCase());
  return out;
}
