import type { ReportData, ReportRow } from "./data.ts";
import { type Figures, figuresFromRow } from "./figures.ts";

/**
 * The headline figures at the top of the report, summed from the reporting views (the rules already
 * took the latest state per action, so nothing is counted twice here). Inventory, utilisation,
 * verification success, suppression size and run counts are rpt_figures' values, read as they are.
 */
export interface Kpi {
  label: string;
  value: string;
  detail: string;
}

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const sum = (rows: ReportRow[], col: string) => rows.reduce((acc, r) => acc + n(r[col]), 0);
const fmt = (v: number) => Math.round(v).toLocaleString("en-US");

export function computeKpis(data: ReportData): Kpi[] {
  const { funnel, eligibility, handoffs } = data.tables;
  const days = new Set(funnel.map((r) => String(r.day ?? "").slice(0, 10)).filter(Boolean));
  const row = data.tables.figures[0];
  const f: Figures | null = row ? figuresFromRow(row) : null;
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${Math.round(v)} %`);

  return [
    {
      label: "Leads added",
      value: fmt(sum(funnel, "added")),
      detail: `over ${days.size} day${days.size === 1 ? "" : "s"}`,
    },
    { label: "Leads drained", value: fmt(sum(funnel, "drained")), detail: "sequence over, reply, bounce…" },
    {
      label: "Real replies",
      value: fmt(sum(funnel, "replies")),
      detail: `${fmt(sum(funnel, "bounces"))} bounce${sum(funnel, "bounces") === 1 ? "" : "s"}`,
    },
    {
      label: "Hand-offs",
      value: fmt(sum(handoffs, "handoffs")),
      detail: "to sales; who: engine handoffs",
    },
    {
      label: "Inventory",
      value: f && f.inventoryCap > 0 ? pct(f.utilisationPct) : "–",
      detail: `${fmt(f?.inventoryNow ?? 0)} of cap ${fmt(f?.inventoryCap ?? 0)}`,
    },
    {
      label: "Apply runs",
      value: fmt(f?.applyRuns ?? 0),
      detail: `${f?.applyRunsSucceeded ?? 0} succeeded · ${f?.applyRunsPartial ?? 0} partial · ${f?.applyRunsFailed ?? 0} failed`,
    },
    {
      label: "Verified",
      value: pct(f?.verificationSuccessPct),
      detail: `of ${fmt(f?.answeredChecks ?? 0)} answered checks`,
    },
    {
      label: "Eligible now",
      value: fmt(
        sum(
          eligibility.filter((r) => r.status === "eligible"),
          "leads",
        ),
      ),
      detail: `of ${fmt(sum(eligibility, "leads"))} leads in the pool`,
    },
    {
      label: "Suppressed",
      value: f ? fmt(f.suppressionSize) : "–",
      detail: "never to be contacted",
    },
  ];
}
