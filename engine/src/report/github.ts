import { appendFileSync } from "node:fs";
import path from "node:path";
import { markdownCode, trustedWorkflowCommand } from "../core/escape.ts";
import { type Plan, summarisePlan } from "../core/plan.ts";
import type { ApplyResult } from "../sync/apply/types.ts";
import { PLAN_MAY_DIFFER } from "../sync/summary.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { publicPlanPath, recordPlan, writePublicPlan } from "./plan-record.ts";

/**
 * What a run leaves in GitHub Actions: a Markdown job summary (`$GITHUB_STEP_SUMMARY`) and
 * `::error::` / `::warning::` annotations for failed rows and guards. Outside Actions
 * (`GITHUB_ACTIONS` unset) nothing is written. Counts, ids and error codes only: never an email or a
 * name (the summary and annotations are visible to anyone who can read the repository's runs). Text
 * that may come from Instantly (a run's error, warnings, guard details, error classes, campaign ids)
 * is printed as inline code (core/escape.ts markdownCode), so it can form no link, image or HTML;
 * annotations carry it %-escaped on their one line.
 */

type Env = Record<string, string | undefined>;
const n = (v: number) => v.toLocaleString("en-US");
const STATES = ["succeeded", "skipped", "rejected", "invalid", "failed", "intent"] as const;
const STATUS_ICON: Record<string, string> = { succeeded: "✅", partial: "⚠️", failed: "❌", skipped: "⏭️" };

/** Markdown-safe cell text (a pipe would split the table). */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/** Workflow-command escaping (GitHub's toolkit rules): data escapes %, CR, LF; properties also : and ,. */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
export function annotation(level: "error" | "warning" | "notice", title: string, message: string): string {
  return trustedWorkflowCommand(`::${level} title=${escapeProperty(title)}::${escapeData(message)}`);
}

interface Counts {
  by_op_state?: Record<string, Record<string, number>>;
  errors_by_class?: Record<string, number>;
  blocked_campaigns?: Record<string, { reason: string; detail: string }>;
  guards_overridden?: string[];
  pull_run_id?: string | null;
}

/** The job summary of an apply (or plan) run: its table, its rows by op and state, guards, warnings. */
export function renderRunSummary(r: ApplyResult): string {
  const rep = r.report;
  const c = r.counts as Counts;
  const seconds = Math.max(0, Math.round((rep.finishedAt.getTime() - rep.startedAt.getTime()) / 1000));
  const lines = [
    `### ${STATUS_ICON[r.status] ?? ""} engine ${r.mode} \`${r.runId}\`: ${r.status}`,
    "",
    "| run | |",
    "| --- | --- |",
    `| status | ${r.status} (exit ${r.exitCode}) |`,
    `| pull | \`${c.pull_run_id ?? "–"}\` |`,
    `| started | ${rep.startedAt.toISOString().replace("T", " ").slice(0, 19)} UTC |`,
    `| duration | ${n(seconds)} s |`,
    `| capacity | ${n(rep.capacity.inventoryBefore)} → ${n(rep.capacity.inventoryAfter)} of cap ${n(rep.capacity.cap)} (${n(r.capacity?.allowed ?? 0)} adds allowed) |`,
    `| verification | ${n(rep.verification.attempted)} checked: ${n(rep.verification.verified)} verified, ${n(rep.verification.invalid)} invalid, ${n(rep.verification.catchAll)} catch-all |`,
    `| Instantly API | ${n(rep.api.calls)} calls, ${n(rep.api.retries)} retries, ${n(rep.api.throttled)} throttled |`,
  ];
  const ops = Object.entries(c.by_op_state ?? {});
  if (ops.length > 0) {
    lines.push("", `| op | ${STATES.join(" | ")} |`, `| --- |${STATES.map(() => " ---: |").join("")}`);
    for (const [op, states] of ops)
      lines.push(`| ${op} | ${STATES.map((s) => n(states[s] ?? 0)).join(" | ")} |`);
  }
  const errors = Object.entries(c.errors_by_class ?? {});
  if (errors.length > 0)
    lines.push("", `**Errors by class:** ${errors.map(([k, v]) => `${markdownCode(k)} ${n(v)}`).join(", ")}`);
  const guards = [
    ...Object.entries(c.blocked_campaigns ?? {}).map(([, b]) => `no adds: ${markdownCode(b.detail)}`),
    ...(c.guards_overridden ?? []).map((g) => `overridden by --force: ${markdownCode(g)}`),
  ];
  if (guards.length > 0) lines.push("", "**Guards**", ...guards.map((g) => `- ${g}`));
  if (r.error) lines.push("", `**Error:** ${markdownCode(r.error)}`);
  if (r.warnings.length > 0) lines.push("", "**Warnings**", ...r.warnings.map((w) => `- ${markdownCode(w)}`));
  return `${lines.join("\n")}\n`;
}

/** The job summary of a dry run: the plan's counts, what may still differ at apply, where the plan is. */
export function renderPlanSummary(plan: Plan, r: ApplyResult, artifact: string | undefined): string {
  const s = summarisePlan(plan.actions);
  const ops = ["drain", "block", "verify", "add"];
  const lines = [
    `### 📝 engine plan \`${plan.plan_run_id}\`: ${n(plan.actions.length)} actions (dry run: nothing was sent to Instantly)`,
    "",
    `Computed from pull \`${plan.pull_run_id}\`; ${n(plan.capacity.allowed)} adds allowed${plan.only ? `; only ${plan.only}` : ""}.`,
    "",
    `| campaign | adds allowed | ${ops.join(" | ")} |`,
    `| --- | ---: |${ops.map(() => " ---: |").join("")}`,
  ];
  const campaigns = new Set([...Object.keys(s.byCampaign), ...Object.keys(plan.capacity.per_campaign)]);
  for (const id of campaigns) {
    const row = s.byCampaign[id] ?? {};
    const allowed = plan.capacity.per_campaign[id];
    lines.push(
      `| ${cell(markdownCode(id))} | ${allowed === undefined ? "–" : n(allowed)} | ${ops.map((op) => n(row[op] ?? 0)).join(" | ")} |`,
    );
  }
  lines.push(
    `| **all** | ${n(plan.capacity.allowed)} | ${ops.map((op) => `**${n(s.byOp[op] ?? 0)}**`).join(" | ")} |`,
  );
  const reasons = Object.entries(s.byReason).filter(
    ([k]) => !k.startsWith("add:") && !k.startsWith("verify:"),
  );
  if (reasons.length > 0)
    lines.push("", `**By reason:** ${reasons.map(([k, v]) => `${markdownCode(k)} ${n(v)}`).join(", ")}`);
  lines.push("", `> **What may differ at apply.** ${PLAN_MAY_DIFFER}`);
  lines.push(
    "",
    artifact
      ? `The plan without emails is this run's artifact (\`${path.basename(artifact)}\`) and the row \`sync_plans.run_id = '${plan.plan_run_id}'\` in the ops dataset.`
      : `The plan without emails is the row \`sync_plans.run_id = '${plan.plan_run_id}'\` in the ops dataset.`,
  );
  return `${renderRunSummary(r)}\n${lines.join("\n")}\n`;
}

/** Annotations: failed and rejected rows and a failed run as errors, guards and warnings as warnings. */
export function runAnnotations(r: ApplyResult): string[] {
  const c = r.counts as Counts;
  const out: string[] = [];
  const where = `engine ${r.mode} ${r.runId}`;
  if (r.status === "failed") out.push(annotation("error", `${where} failed`, r.error ?? "the run failed"));
  const errors = Object.entries(c.errors_by_class ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  for (const [op, states] of Object.entries(c.by_op_state ?? {})) {
    for (const state of ["failed", "rejected", "invalid"] as const) {
      // An invalid verification is an answer (that email is bad), not a failure of the run.
      if (op === "verify" && state === "invalid") continue;
      const count = states[state] ?? 0;
      if (count === 0) continue;
      const retry = state === "failed" ? " (retryable ones are retried by the next run)" : "";
      out.push(
        annotation(
          "error",
          `${where}: ${op} ${state}`,
          `${count} ${op} action(s) ${state}${retry}. Error classes: ${errors || "none recorded"}. Details per action in sync_changelog (run_id ${r.runId}).`,
        ),
      );
    }
  }
  for (const [campaign, b] of Object.entries(c.blocked_campaigns ?? {})) {
    out.push(annotation("warning", `guard: no adds to ${campaign} (${b.reason})`, b.detail));
  }
  for (const g of c.guards_overridden ?? [])
    out.push(annotation("warning", "guard overridden by --force", g));
  for (const w of r.warnings) out.push(annotation("warning", `${where}: warning`, w));
  return out;
}

function inActions(env: Env): boolean {
  return env.GITHUB_ACTIONS === "true";
}

function appendSummary(env: Env, markdown: string): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
}

/** cli/apply.ts: the job summary and annotations of an apply, when running in GitHub Actions. */
export function publishApply(r: ApplyResult, write: (line: string) => void, env: Env = process.env): void {
  if (!inActions(env)) return;
  appendSummary(env, renderRunSummary(r));
  for (const line of runAnnotations(r)) write(line);
}

export interface PublishPlanOptions {
  warehouse: Warehouse;
  result: ApplyResult;
  plan: Plan;
  /** The private plan file (with emails) that `engine plan` saved. */
  planFile: string;
  write: (line: string) => void;
  env?: Env;
}

/**
 * cli/plan.ts: record the plan without emails in `sync_plans` (always: it is what survives the
 * runner); in GitHub Actions also its public copy next to the plan file (`<plans dir>/public/`, which
 * the workflow uploads as the artifact), the job summary and the annotations. Returns the public
 * copy's path, if one was written.
 */
export async function publishPlan(o: PublishPlanOptions): Promise<string | undefined> {
  const env = o.env ?? process.env;
  await recordPlan(o.warehouse, o.plan, env);
  if (!inActions(env)) {
    o.write(`  recorded without emails in the ops table sync_plans (run_id ${o.plan.plan_run_id})`);
    return undefined;
  }
  const artifact = writePublicPlan(o.plan, publicPlanPath(o.planFile, o.plan));
  o.write(`  without emails: ${artifact} (the run's artifact) and the ops table sync_plans`);
  appendSummary(env, renderPlanSummary(o.plan, o.result, artifact));
  for (const line of runAnnotations(o.result)) o.write(line);
  return artifact;
}
