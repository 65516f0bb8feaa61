import type { ReportData } from "./data.ts";

/**
 * The report's "Trends" section: one chart card per campaign from rpt_campaign_trends (reply,
 * positive-reply, meeting, bounce and unsubscribe rates of each week's cohort of first emails, and the
 * cohort's size). The cards carry only the campaign id; assets/report-trends.js draws each.
 */
export const TRENDS_SOURCE = "rpt_campaign_trends";

const NOTE =
  "Per week of first email (a cohort, weeks start Monday): % of the week's contacted leads that replied, answered positively (interested or meeting), booked a meeting, bounced or unsubscribed; bars: leads contacted (right axis). Recent weeks rise as answers come in.";

export function trendCards(data: ReportData, esc: (s: string) => string): string {
  const campaigns: Array<{ id: string; label: string }> = [];
  for (const r of data.tables.trends) {
    const id = String(r.campaign_id ?? "");
    if (id && !campaigns.some((c) => c.id === id)) {
      campaigns.push({ id, label: `${r.segment ?? "unrouted"} · ${r.campaign_name ?? id}` });
    }
  }
  campaigns.sort((a, b) => a.label.localeCompare(b.label));
  if (campaigns.length === 0) {
    const why = data.missing.includes(TRENDS_SOURCE)
      ? `<p class="warn">${TRENDS_SOURCE} does not exist yet: run <code>engine transform</code>.</p>`
      : `<p class="note">No lead has had a first email yet.</p>`;
    return `<section class="card wide" data-section="trends">
  <header><h2>Trends</h2><span class="src">${TRENDS_SOURCE}</span></header>
  <p class="note">${esc(NOTE)}</p>${why}
</section>`;
  }
  return campaigns
    .map(
      (
        c,
        i,
      ) => `<section class="card" data-section="trends" data-chart="trends-${i}" data-campaign="${esc(c.id)}">
  <header><h2>Trends · ${esc(c.label)}</h2><span class="src">${TRENDS_SOURCE}</span></header>
  <p class="note">${esc(NOTE)}</p>
  <div class="chart"><canvas aria-label="Trends ${esc(c.label)}"></canvas></div>
</section>`,
    )
    .join("\n");
}
