import type { RelationRef, Warehouse } from "../warehouse/port.ts";
import { formatLeads } from "./format.ts";
import type { MessageSection } from "./message.ts";

/**
 * How many leads a run handed off to sales, from rpt_handoffs (definitions/reporting): the view says
 * which drains are hand-offs (includes/rules.js DRAIN_REASONS handoff), this file only reads its rows
 * for the run, one column, never the email or name. The drain message says how many and where to
 * find who (`engine handoffs`, the table rpt_handoffs in the warehouse).
 */
export interface RunHandoffs {
  total: number;
  /** Hand-offs by drain reason (interested, meeting_booked, replied), as rpt_handoffs names them. */
  byReason: Record<string, number>;
}

export const handoffsRef: RelationRef = { dataset: "reporting", name: "rpt_handoffs" };

/** This run's hand-offs, or null when rpt_handoffs is not in the warehouse (no transform yet). */
export async function readRunHandoffs(warehouse: Warehouse, runId: string): Promise<RunHandoffs | null> {
  if (!(await warehouse.exists(handoffsRef))) return null;
  const byReason: Record<string, number> = {};
  let total = 0;
  for await (const batch of warehouse.read(handoffsRef, {
    columns: ["handoff_reason"],
    where: { drain_run_id: runId },
  })) {
    for (const row of batch) {
      const reason = String(row.handoff_reason);
      byReason[reason] = (byReason[reason] ?? 0) + 1;
      total += 1;
    }
  }
  return { total, byReason };
}

/** readRunHandoffs for the end of a run: a read error becomes a warning, never a failed run. */
export async function loadHandoffsForNotify(
  warehouse: Warehouse,
  runId: string,
): Promise<{ handoffs: RunHandoffs | null; warning?: string }> {
  try {
    return { handoffs: await readRunHandoffs(warehouse, runId) };
  } catch (error) {
    return {
      handoffs: null,
      warning: `hand-off count skipped: cannot read rpt_handoffs (${error instanceof Error ? error.message.split("\n")[0] : "error"})`,
    };
  }
}

const WHERE = "who: `engine handoffs --since 24h` (or --csv FILE), table rpt_handoffs in the warehouse";

/** The drain message's "🤝 Hand-offs" block: counts and where to look, never a lead. */
export function handoffSection(handoffs: RunHandoffs | null | undefined): MessageSection | undefined {
  if (handoffs === undefined) return undefined;
  if (handoffs === null) {
    return {
      emoji: "🤝",
      heading: "Hand-offs",
      lines: ["• Not counted: rpt_handoffs is not built yet (run `engine transform`)"],
    };
  }
  const reasons = Object.entries(handoffs.byReason)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, n]) => `${reason.replace(/_/g, " ")} ${n}`)
    .join(", ");
  return {
    emoji: "🤝",
    heading: "Hand-offs",
    lines: [
      `• ${formatLeads(handoffs.total)} handed off to sales this run${reasons ? ` (${reasons})` : ""}`,
      `• ${handoffs.total > 0 ? WHERE : "Earlier hand-offs: `engine handoffs`, table rpt_handoffs"}`,
    ],
  };
}

/** The same for Echo's notification_data. */
export function handoffData(handoffs: RunHandoffs): Record<string, unknown> {
  return { total: handoffs.total, by_reason: handoffs.byReason, table: "rpt_handoffs" };
}
