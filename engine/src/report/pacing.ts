import type { ReportData } from "./data.ts";

/**
 * The report's "Pacing" section: one chart card per managed campaign from rpt_send_capacity (what
 * its mailboxes could send and start a day against what they did, and the backlog in days). The
 * cards only carry the campaign id; assets/report.js draws each from the rows of its campaign.
 */
export const PACING_SOURCE = "rpt_send_capacity";

const NOTE =
  "Per day (the day's last pull): emails a day the mailboxes could send against emails sent, new leads they could start against new leads started, and the backlog waiting for a first email in days (right axis).";

export function pacingCards(data: ReportData, esc: (s: string) => string): string {
  const rows = data.tables.pacing;
  const campaigns: Array<{ id: string; segment: string }> = [];
  for (const r of rows) {
    const id = String(r.campaign_id ?? "");
    if (id && !campaigns.some((c) => c.id === id)) campaigns.push({ id, segment: String(r.segment ?? "?") });
  }
  campaigns.sort((a, b) => a.segment.localeCompare(b.segment) || a.id.localeCompare(b.id));
  if (campaigns.length === 0) {
    const why = data.missing.includes(PACING_SOURCE)
      ? `<p class="warn">${PACING_SOURCE} does not exist yet: run <code>engine transform</code>.</p>`
      : `<p class="note">No pull has read the campaigns' sending set-up yet.</p>`;
    return `<section class="card wide" data-section="pacing">
  <header><h2>Pacing</h2><span class="src">${PACING_SOURCE}</span></header>
  <p class="note">${esc(NOTE)}</p>${why}
</section>`;
  }
  return campaigns
    .map(
      (
        c,
        i,
      ) => `<section class="card" data-section="pacing" data-chart="pacing-${i}" data-campaign="${esc(c.id)}">
  <header><h2>Pacing · ${esc(c.segment)}</h2><span class="src">${PACING_SOURCE}</span></header>
  <p class="note">${esc(NOTE)} Campaign <code>${esc(c.id)}</code>.</p>
  <div class="chart"><canvas aria-label="Pacing ${esc(c.segment)}"></canvas></div>
</section>`,
    )
    .join("\n");
}
