import { defineCommand } from "citty";
import { UserError } from "../core/errors.ts";
import { formatDuration, renderTable } from "../core/table.ts";
import { lockLoop } from "../sync/lock.ts";
import { listRuns, type RunSummary } from "../sync/run-history.ts";
import { loadLoopSettings } from "../sync/session.ts";
import { openWarehouse } from "../warehouse/open-warehouse.ts";
import { jsonArg, parseLimit, varsArg, warehouseArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";

/** `engine runs`: the run history as a table, newest first, from sync_runs. */
export default defineCommand({
  meta: commandMeta("runs"),
  args: {
    limit: { type: "string", description: "How many runs to list (default 20)", default: "20" },
    mode: { type: "string", description: "Only runs of this mode: pull, plan or apply" },
    ...warehouseArg,
    ...varsArg,
    ...jsonArg("Print the runs as JSON"),
  },
  async run({ args }) {
    const limit = parseLimit("--limit", args.limit, 20);
    const mode = args.mode === undefined ? undefined : parseMode(args.mode);
    const settings = loadLoopSettings({ vars: args.vars, warehouse: args.warehouse });
    const lock = lockLoop(args.warehouse, "runs");
    try {
      const warehouse = await openWarehouse(settings, { kind: args.warehouse });
      try {
        const runs = await listRuns(warehouse, limit, mode);
        if (args.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        else for (const line of formatRuns(runs)) console.log(line);
      } finally {
        await warehouse.close();
      }
    } finally {
      lock.release();
    }
  },
});

function parseMode(value: string): string {
  if (value === "pull" || value === "plan" || value === "apply") return value;
  throw new UserError(`--mode must be pull, plan or apply, got ${JSON.stringify(value)}`);
}

/** `2026-06-01 12:00` (UTC): wide enough to tell runs apart, short enough for a table. */
export const shortTime = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")}` : null);

export function errorList(errors: Record<string, number>): string | null {
  const entries = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? null : entries.map(([k, v]) => `${k} ${v}`).join(", ");
}

export function formatRuns(runs: RunSummary[]): string[] {
  if (runs.length === 0) return ["no runs yet (run `engine pull`, then `engine apply`)"];
  return renderTable(
    ["run", "mode", "status", "started (UTC)", "duration", "adds", "drains", "failures", "errors", "link"],
    runs.map((r) => [
      r.runId,
      r.mode,
      r.finishedAt === null && r.status === "failed" ? "unfinished" : r.status,
      shortTime(r.startedAt),
      formatDuration(r.durationSeconds),
      r.adds,
      r.drains,
      r.failures,
      errorList(r.errorsByClass),
      r.ciRunUrl,
    ]),
    { maxWidth: 70 },
  );
}
