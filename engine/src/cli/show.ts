import { defineCommand } from "citty";
import { UserError } from "../core/errors.ts";
import { escapeTerminal } from "../core/escape.ts";
import { formatDuration, renderTable } from "../core/table.ts";
import { lockLoop } from "../sync/lock.ts";
import { type RunDetail, showRun } from "../sync/run-history.ts";
import { loadLoopSettings } from "../sync/session.ts";
import { openWarehouse } from "../warehouse/open-warehouse.ts";
import { jsonArg, parseLimit, varsArg, warehouseArg } from "./args.ts";
import { campaignLabel, readCampaignNames } from "./campaign-names.ts";
import { commandMeta } from "./command-list.ts";

/** `engine show RUN_ID`: one run broken down by op, reason, campaign and error, with failed rows (no PII). */
export default defineCommand({
  meta: commandMeta("show"),
  args: {
    run_id: { type: "positional", description: "The run id (from `engine runs`)", required: true },
    sample: { type: "string", description: "Failed rows to show (default 10)", default: "10" },
    ...warehouseArg,
    ...varsArg,
    ...jsonArg("Print the breakdown as JSON"),
  },
  async run({ args }) {
    const sample = parseLimit("--sample", args.sample, 10, 1000);
    const settings = loadLoopSettings({ vars: args.vars, warehouse: args.warehouse });
    const lock = lockLoop(args.warehouse, "show");
    try {
      const warehouse = await openWarehouse(settings, { kind: args.warehouse });
      try {
        const detail = await showRun(warehouse, String(args.run_id), sample);
        if (!detail) {
          throw new UserError(`no run ${JSON.stringify(args.run_id)} in sync_runs`, {
            hint: "`engine runs` lists the run ids",
          });
        }
        if (args.json) process.stdout.write(`${JSON.stringify(detail, null, 2)}\n`);
        else {
          const names = await readCampaignNames(warehouse);
          for (const line of formatRunDetail(detail, names)) console.log(line);
        }
      } finally {
        await warehouse.close();
      }
    } finally {
      lock.release();
    }
  },
});

const STATES = ["succeeded", "skipped", "invalid", "rejected", "failed"];

/** `names`: campaign names by id (./campaign-names.ts); a campaign without one prints its id. */
export function formatRunDetail(d: RunDetail, names: ReadonlyMap<string, string> = new Map()): string[] {
  const r = d.run;
  const lines = [
    `run ${r.runId}: ${r.mode}, ${r.status}${r.finishedAt === null ? " (did not finish)" : ""}`,
    `  started ${r.startedAt}${r.finishedAt ? `, finished ${r.finishedAt} (${formatDuration(r.durationSeconds)})` : ""}`,
  ];
  if (r.ciRunUrl) lines.push(`  link    ${r.ciRunUrl}`);
  // The run's error may quote Instantly: its control characters print visibly (core/escape.ts).
  if (r.error) lines.push(`  error   ${escapeTerminal(r.error)}`);
  const ops = Object.keys(d.byOpState);
  if (ops.length === 0) lines.push("", "no lead actions were written by this run");
  else {
    lines.push("", "by op:");
    const table = renderTable(
      ["op", ...STATES],
      ops.map((op) => [op, ...STATES.map((s) => d.byOpState[op]?.[s] ?? 0)]),
    );
    lines.push(...table.map((l) => `  ${l}`));
    lines.push("", "by reason:");
    const reasons = Object.entries(d.byReason).flatMap(([op, m]) =>
      Object.entries(m).map(([k, v]) => [op, k, v]),
    );
    lines.push(...renderTable(["op", "reason", "rows"], reasons).map((l) => `  ${l}`));
    lines.push("", "by campaign:");
    const campaigns = Object.entries(d.byCampaign).map(([c, m]) => [
      campaignLabel(names, c),
      Object.entries(m)
        .map(([k, v]) => `${k} ${v}`)
        .join(", "),
    ]);
    lines.push(...renderTable(["campaign", "outcomes"], campaigns, { maxWidth: 100 }).map((l) => `  ${l}`));
  }
  const errors = Object.entries(d.byError);
  if (errors.length > 0) {
    lines.push("", "by error class:");
    lines.push(
      ...renderTable(
        ["error", "rows"],
        errors.sort((a, b) => b[1] - a[1]),
      ).map((l) => `  ${l}`),
    );
  }
  if (d.unresolved > 0) {
    lines.push(
      "",
      `unresolved: ${d.unresolved} action(s) sent with no outcome yet; the next \`engine pull\` settles them`,
    );
  }
  if (d.failedSample.length > 0) {
    lines.push("", `failed rows (first ${d.failedSample.length}, no PII; emails stay in sync_changelog):`);
    const rows = d.failedSample.map((f) => [
      f.op,
      f.state,
      f.error_code,
      f.http_status,
      f.retryable === null ? null : f.retryable ? "yes" : "no",
      campaignLabel(names, f.campaign_id),
      f.action_id,
      f.message,
    ]);
    lines.push(
      ...renderTable(["op", "state", "error", "http", "retry", "campaign", "action", "message"], rows).map(
        (l) => `  ${l}`,
      ),
    );
  }
  return lines;
}
