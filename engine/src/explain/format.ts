import { renderTable } from "../core/table.ts";
import type { LeadStory } from "./story.ts";

/** The story as terminal lines: state, rule checks, suppression, cooldowns, sequences, actions. */
export function formatStory(s: LeadStory): string[] {
  const lines = [`lead ${s.email}`];
  if (!s.found) {
    lines.push(
      "  not in the team's leads (stg_leads): it was never loaded, or its email normalises differently",
    );
  }
  if (s.state) lines.push(`  state: ${s.state.leadState}: ${s.state.detail}`);
  if (s.queues.push)
    lines.push(`  push_queue: rank ${s.queues.push.rank} for campaign ${s.queues.push.campaignId}`);
  if (s.queues.drain) {
    lines.push(
      `  drain_queue: removed from ${s.queues.drain.campaignId} this run (${s.queues.drain.reason})`,
    );
  }
  if (s.checks.length > 0) {
    lines.push("", "eligibility (in the order int_lead_eligibility checks):");
    const mark = (p: boolean | null) => (p === null ? "off" : p ? "pass" : "FAIL");
    const rows = s.checks.map((c) => [
      c.rule,
      mark(c.passed),
      c.rule === s.verdict ? `${c.data}  ← first rule that keeps it out` : c.data,
    ]);
    lines.push(...renderTable(["rule", "result", "data"], rows, { maxWidth: 90 }).map((l) => `  ${l}`));
  }
  section(
    lines,
    "suppression",
    s.suppression.map((x) => [x.reason, x.kind, x.value, x.since, x.detail]),
    ["reason", "kind", "value", "since", "source"],
  );
  section(
    lines,
    "cooldowns",
    s.cooldowns.map((c) => [c.scope, c.reason, c.endedAt, c.until, c.active ? "yes" : "no"]),
    ["scope", "reason", "ended", "until", "active"],
  );
  section(
    lines,
    "sequences (int_contact_history)",
    s.sequences.map(
      (q) =>
        [
          q.campaign_id,
          q.started_at,
          q.ongoing ? "yes" : "no",
          q.ended_at,
          q.end_reason,
          q.replied ? "yes" : "no",
          q.cooldown_until,
        ] as Array<string | null>,
    ),
    ["campaign", "started", "running", "ended", "end reason", "replied", "cooldown until"],
  );
  section(
    lines,
    "in Instantly (latest snapshot per lead)",
    s.instantly.map(
      (q) =>
        [
          q.campaign_id,
          q.status,
          q.interest,
          q.replies,
          q.last_contact,
          q.in_latest_pull ? "yes" : "no",
        ] as Array<string | number | null>,
    ),
    ["campaign", "status", "interest", "replies", "last contact", "in latest pull"],
  );
  section(
    lines,
    "engine actions (sync_changelog)",
    s.actions.map(
      (a) => [a.at, a.op, a.state, a.reason, a.campaign_id, a.error_code, a.run_id] as Array<string | null>,
    ),
    ["at", "op", "state", "reason", "campaign", "error", "run"],
  );
  if (s.missing.length > 0) lines.push("", `not built yet (run the transform): ${s.missing.join(", ")}`);
  lines.push("", "(this output holds the email address: keep it local)");
  return lines;
}

function section(
  lines: string[],
  title: string,
  rows: Array<Array<string | number | null>>,
  headers: string[],
): void {
  lines.push("", `${title}:${rows.length === 0 ? " none" : ""}`);
  if (rows.length > 0) lines.push(...renderTable(headers, rows).map((l) => `  ${l}`));
}
