import type { Settings } from "../config/settings.ts";
import type { CampaignHealth } from "../core/campaign-health.ts";
import { varMismatches } from "../core/computed-with.ts";
import { UserError } from "../core/errors.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";

/**
 * The managed campaigns' health from int_campaign_health (the bounce rate and the bounce guard are
 * SQL's). The view records the guard vars it was compiled with; a run given other values would have
 * them silently ignored, so it is refused before anything is written (exit 2), like push_budget's
 * capacity vars (sync/apply/checks.ts).
 */
export async function readCampaignHealth(
  warehouse: Warehouse,
  settings: Settings,
): Promise<CampaignHealth[]> {
  const ref = { dataset: "staging" as const, name: "int_campaign_health" };
  if (!(await warehouse.exists(ref))) {
    throw new UserError("the model int_campaign_health does not exist yet", {
      hint: "run the transform (`engine transform` locally, `dataform run` in production), then apply",
    });
  }
  const rows: Row[] = [];
  for await (const batch of warehouse.read(ref, { where: { is_managed: true }, orderBy: ["campaign_id"] })) {
    rows.push(...batch);
  }
  const first = rows[0];
  if (first) {
    const computedWith = {
      bounce_block_pct: String(first.bounce_block_pct),
      bounce_min_contacted: String(first.bounce_min_contacted),
    };
    const diff = varMismatches(computedWith, {
      bounce_block_pct: String(settings.vars.bounce_block_pct),
      bounce_min_contacted: String(settings.vars.bounce_min_contacted),
    });
    if (diff.length > 0) {
      const list = diff
        .map(
          (d) =>
            `${d.name} is ${JSON.stringify(d.now)} here but int_campaign_health was computed with ${JSON.stringify(d.computed)}`,
        )
        .join("; ");
      throw new UserError(`vars differ from the transform's: ${list}`, {
        hint: "run the transform with the same vars (`engine transform --vars …` / `dataform run --vars=…`), then apply with them, or apply without them",
      });
    }
  }
  return rows.map(toHealth);
}

const count = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

function toHealth(r: Row): CampaignHealth {
  return {
    campaignId: String(r.campaign_id).toLowerCase(),
    campaignName: r.campaign_name === null || r.campaign_name === undefined ? null : String(r.campaign_name),
    segment: r.segment === null || r.segment === undefined ? null : String(r.segment),
    contacted: count(r.contacted_count),
    sent: count(r.emails_sent_count),
    bounced: count(r.bounced_count),
    bounceRatePct:
      r.bounce_rate_pct === null || r.bounce_rate_pct === undefined ? null : Number(r.bounce_rate_pct),
    bounceBlockPct: Number(r.bounce_block_pct),
    isBounceBlocked: r.is_bounce_blocked === true,
  };
}
