import { escapeTerminal } from "../core/escape.ts";
import { type Plan, summarisePlan } from "../core/plan.ts";
import type { ApplyResult } from "./apply/types.ts";
import type { PullResult } from "./pull.ts";

/**
 * Human-readable run summaries for the terminal. Counts, ids, codes and campaign names only: never an
 * email or a lead's name (those stay in the warehouse and the plan file).
 */
const n = (v: number) => v.toLocaleString("en-US");

/**
 * Why a plan is a forecast, not a promise: its verify actions are checks whose results only apply
 * learns. Printed with every plan (terminal and job summary).
 */
export const PLAN_MAY_DIFFER =
  "Verification results are only known at apply: a lead that fails its check is not added and the next candidate in rank order takes the slot, which may belong to another campaign, so the split per campaign can move (e.g. plan midsize 100, apply smb 3 / midsize 97). Instantly may also skip a lead already in the workspace, and a newer pull makes the plan stale. `apply --plan FILE` executes this plan's actions, with the same verification step.";

export function formatPull(r: PullResult): string[] {
  const lines = [
    `pull ${r.runId}: ${n(r.leads)} lead(s) in ${r.campaigns} campaign(s), ${n(r.apiCalls)} API call(s)`,
  ];
  for (const [campaign, count] of Object.entries(r.leadsByCampaign)) lines.push(`  ${campaign}  ${n(count)}`);
  for (const [op, states] of Object.entries(r.reconciled)) {
    lines.push(
      `  reconciled ${op}: ${Object.entries(states)
        .map(([s, c]) => `${s} ${c}`)
        .join(", ")}`,
    );
  }
  return lines;
}

export function formatApply(r: ApplyResult): string[] {
  const rep = r.report;
  const lines = [
    `${r.mode} ${r.runId}: ${r.status.toUpperCase()} (exit ${r.exitCode})`,
    `  drain   ${n(rep.drain.deleted)} deleted / ${n(rep.drain.attempted)} attempted (${n(rep.drain.identified)} identified), ${n(rep.drain.failed)} failed`,
    `  block   ${n(rep.blocklist.added)} added to the block list`,
    `  verify  ${n(rep.verification.attempted)} checked: ${n(rep.verification.verified)} verified, ${n(rep.verification.invalid)} invalid, ${n(rep.verification.catchAll)} catch-all, ${n(rep.verification.pending)} pending`,
    `  add     ${n(rep.adds.added)} added / ${n(rep.adds.attempted)} attempted, ${n(rep.adds.skipped)} skipped, ${n(rep.adds.rejected)} rejected, ${n(rep.adds.failed)} failed (allowed ${n(r.capacity?.allowed ?? 0)})`,
    `  capacity ${n(rep.capacity.inventoryBefore)} → ${n(rep.capacity.inventoryAfter)} of cap ${n(rep.capacity.cap)}`,
    `  api     ${n(rep.api.calls)} call(s), ${n(rep.api.retries)} retries, ${n(rep.api.throttled)} throttled`,
  ];
  const errors = Object.entries(rep.errorsByClass);
  if (errors.length > 0) lines.push(`  errors  ${errors.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  if (r.error) lines.push(`  error   ${r.error}`);
  for (const w of r.warnings) lines.push(`  warning ${w}`);
  return lines;
}

/** `names`: campaign names by id, as `engine status` prints them; a campaign without one prints its id. */
export function formatPlan(
  plan: Plan,
  file: string,
  sampleSize = 5,
  names: ReadonlyMap<string, string> = new Map(),
): string[] {
  const s = summarisePlan(plan.actions);
  const label = (id: string) => escapeTerminal(names.get(id.toLowerCase()) ?? id);
  const lines = [
    `plan ${plan.plan_run_id} (pull ${plan.pull_run_id}): ${plan.actions.length} action(s); nothing was sent to Instantly`,
    `  by op:       ${
      Object.entries(s.byOp)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join(", ") || "none"
    }`,
    `  by reason:   ${
      Object.entries(s.byReason)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join(", ") || "none"
    }`,
  ];
  for (const [campaign, ops] of Object.entries(s.byCampaign)) {
    lines.push(
      `  ${label(campaign)}: ${Object.entries(ops)
        .map(([k, v]) => `${k} ${n(v)}`)
        .join(", ")}`,
    );
  }
  const sample = plan.actions.slice(0, sampleSize);
  if (sample.length > 0) {
    lines.push("  sample (no PII):");
    for (const a of sample) {
      lines.push(
        `    ${a.op.padEnd(6)} ${a.action_id}  campaign ${label(a.campaign_id)}${a.rank !== null ? `  rank ${a.rank}` : ""}${a.reason ? `  ${a.reason}` : ""}`,
      );
    }
  }
  lines.push(`  may differ at apply: ${PLAN_MAY_DIFFER}`);
  lines.push(
    `  saved to ${file} (holds emails: keep it private; apply it with \`engine apply --plan ${file}\`)`,
  );
  return lines;
}
