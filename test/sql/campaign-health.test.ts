import { afterAll, describe, expect, it } from "vitest";
import {
  daysAgo,
  insert,
  MIDSIZE,
  OTHER_CAMPAIGN,
  openScenario,
  resetInputs,
  rows,
  run,
  type Scenario,
  SMB,
} from "./harness.ts";

/**
 * int_campaign_health is the one definition of a campaign's bounce rate and of the bounce guard
 * (the engine's guard, the run report and the bounce alert read it). Checked here against the
 * formula: bounced / contacted x 100, judged once contacted >= bounce_min_contacted, blocked when
 * over bounce_block_pct (workflow_settings.yaml: 3 %, 20 contacted).
 */
const opened: Scenario[] = [];
afterAll(() => {
  for (const s of opened) s.wh.close();
});

const campaigns = [
  // 4 % of 100: over 3 %.
  { id: SMB, contacted_count: 100, bounced_count: 4, emails_sent_count: 300 },
  // exactly 3 %: not over.
  { id: MIDSIZE, contacted_count: 100, bounced_count: 3, emails_sent_count: 250 },
  // 50 %, but only 10 contacted: too few to judge with the default minimum.
  { id: OTHER_CAMPAIGN, contacted_count: 10, bounced_count: 5, emails_sent_count: 10 },
];

async function healthWith(vars: Record<string, string>): Promise<Record<string, unknown>[]> {
  const s = await openScenario(vars);
  opened.push(s);
  await resetInputs(s);
  const at = daysAgo(0.01);
  await insert(s, "cold_email_ops", "sync_runs", [
    { run_id: "pull-1", mode: "pull", started_at: at, finished_at: at, status: "succeeded" },
  ]);
  await insert(
    s,
    "cold_email_ops",
    "instantly_campaigns",
    campaigns.map((c) => ({ run_id: "pull-1", recorded_at: at, name: c.id, status: 1, ...c })),
  );
  await run(s);
  return rows(
    s,
    `select campaign_id, contacted_count, bounced_count, bounce_min_contacted, bounce_block_pct,
            is_bounce_judged, bounce_rate_pct, is_bounce_blocked
     from "cold_email_staging"."int_campaign_health" order by campaign_id`,
  );
}

/** The formula the SQL must match (kept here only to check it). */
function expected(c: (typeof campaigns)[number], minContacted: number, blockPct: number) {
  const judged = c.contacted_count >= minContacted;
  const rate = judged && c.contacted_count > 0 ? (100 * c.bounced_count) / c.contacted_count : null;
  return {
    campaign_id: c.id,
    contacted_count: c.contacted_count,
    bounced_count: c.bounced_count,
    bounce_min_contacted: minContacted,
    bounce_block_pct: blockPct,
    is_bounce_judged: judged,
    bounce_rate_pct: rate,
    is_bounce_blocked: rate !== null && rate > blockPct,
  };
}

const byId = (a: { campaign_id: string }, b: { campaign_id: string }) =>
  a.campaign_id < b.campaign_id ? -1 : 1;

describe("int_campaign_health: bounce rate with its minimum, and the bounce guard", () => {
  it("blocks over bounce_block_pct only, and only once bounce_min_contacted leads were contacted", async () => {
    const got = await healthWith({});
    expect(got).toEqual(campaigns.map((c) => expected(c, 20, 3)).sort(byId));
    const verdict = Object.fromEntries(got.map((r) => [r.campaign_id, r.is_bounce_blocked]));
    expect(verdict).toEqual({ [SMB]: true, [MIDSIZE]: false, [OTHER_CAMPAIGN]: false });
  }, 120_000);

  it("follows the vars: a lower minimum judges the small campaign, a higher ceiling unblocks", async () => {
    const got = await healthWith({ bounce_min_contacted: "5", bounce_block_pct: "4.5" });
    expect(got).toEqual(campaigns.map((c) => expected(c, 5, 4.5)).sort(byId));
    const verdict = Object.fromEntries(got.map((r) => [r.campaign_id, r.is_bounce_blocked]));
    expect(verdict).toEqual({ [SMB]: false, [MIDSIZE]: false, [OTHER_CAMPAIGN]: true });
  }, 120_000);

  it("rpt_campaign_health shows the same rate and verdict", async () => {
    const s = opened[0]!;
    const [health, report] = await Promise.all([
      rows(
        s,
        `select campaign_id, bounce_rate_pct, is_bounce_blocked from "cold_email_staging"."int_campaign_health" order by campaign_id`,
      ),
      rows(
        s,
        `select campaign_id, bounce_rate_pct, is_bounce_blocked from "cold_email_reporting"."rpt_campaign_health" order by campaign_id`,
      ),
    ]);
    expect(report).toEqual(health);
  });
});
