import { ATTENTION_SOURCE, attentionLine, sortAttention, toAttentionItem } from "./attention.ts";
import type { ReportData } from "./data.ts";

/**
 * The report's first section, "Needs attention": rpt_attention's rows in words (report/attention.ts,
 * the same lines `engine status` prints), the ones needing attention first and marked, then the
 * pool's runway per segment. Counts, codes and campaign names only.
 */
export function attentionCard(data: ReportData, esc: (s: string) => string): string {
  const head = `<header><h2>Needs attention</h2><span class="src">${ATTENTION_SOURCE}</span></header>`;
  if (data.missing.includes(ATTENTION_SOURCE)) {
    return `<section class="card wide attention" data-section="attention">
  ${head}
  <p class="warn">${ATTENTION_SOURCE} does not exist yet: run <code>engine transform</code>.</p>
</section>`;
  }
  const names = new Map<string, string | null>();
  for (const c of data.tables.campaigns) {
    names.set(String(c.campaign_id).toLowerCase(), c.campaign_name === null ? null : String(c.campaign_name));
  }
  const items = sortAttention(data.tables.attention.map((r) => toAttentionItem(r)));
  const needs = items.filter((i) => i.needsAttention);
  const info = items.filter((i) => !i.needsAttention);
  const li = (cls: string) => (i: (typeof items)[number]) =>
    `<li class="${cls}" data-kind="${esc(i.kind)}">${esc(attentionLine(i, names))}</li>`;
  const summary =
    needs.length === 0
      ? `<p class="ok" data-needs="0">Nothing needs attention.</p>`
      : `<p class="note" data-needs="${needs.length}">${needs.length} item${needs.length === 1 ? "" : "s"} to look at, most urgent first; the pool's runway below.</p>`;
  return `<section class="card wide attention" data-section="attention">
  ${head}
  ${summary}
  <ul class="attention-list">
${[...needs.map(li("needs")), ...info.map(li("info"))].join("\n")}
  </ul>
</section>`;
}
