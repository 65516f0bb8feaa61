import type { ReportData, ReportRow } from "./data.ts";

/**
 * The headline figures at the top of the report, summed from the reporting views (the rules already
 * took the latest state per action, so nothing is counted twice here).
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
  const { funnel, capacity, runs, verification, suppression, eligibility, handoffs } = data.tables;
  const days = new Set(funnel.map((r) => String(r.day ?? "").slice(0, 10)).filter(Boolean));

  const latestPull = [...capacity].sort((a, b) => String(b.pulled_at).localeCompare(String(a.pulled_at)))[0];
  const held = latestPull ? n(latestPull.total_held) : 0;
  const cap = latestPull ? n(latestPull.inventory_cap) : 0;

  const applies = runs.filter((r) => r.mode === "apply");
  const byStatus = (s: string) => applies.filter((r) => r.status === s).length;

  const checks = sum(verification, "checks");
  const verified = sum(
    verification.filter((r) => r.result === "verified"),
    "checks",
  );

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
      detail: `${fmt(sum(funnel, "bounces"))} bounces`,
    },
    {
      label: "Hand-offs",
      value: fmt(sum(handoffs, "handoffs")),
      detail: "to sales; who: engine handoffs",
    },
    {
      label: "Inventory",
      value: cap > 0 ? `${Math.round((100 * held) / cap)} %` : "–",
      detail: `${fmt(held)} of cap ${fmt(cap)}`,
    },
    {
      label: "Apply runs",
      value: fmt(applies.length),
      detail: `${byStatus("succeeded")} succeeded · ${byStatus("partial")} partial · ${byStatus("failed")} failed`,
    },
    {
      label: "Verified",
      value: checks > 0 ? `${Math.round((100 * verified) / checks)} %` : "–",
      detail: `of ${fmt(checks)} checks`,
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
      value: fmt(sum(suppression, "new_suppressions")),
      detail: "never to be contacted",
    },
  ];
}
