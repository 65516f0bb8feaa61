import { nested } from "../core/batching.ts";
import { syncChangelogTable } from "../warehouse/tables.ts";
import { changelogRow, type FinalEntry, type MonotonicClock } from "./journal.ts";
import type { PullCompleteness } from "./pull-completeness.ts";
import type { PullRun } from "./pull-types.ts";
import { isSnapshotOp, type OpenAction, reconcileOne } from "./reconcile.ts";

/**
 * The open intents this snapshot can settle: a campaign whose listing is short or untrusted proves
 * nothing about its leads, so its add and drain intents wait for a pull that can be trusted.
 */
export function settleable(open: readonly OpenAction[], completeness: PullCompleteness): OpenAction[] {
  const unreliable = new Set([
    ...completeness.short.map((c) => c.campaignId),
    ...completeness.untrusted.map((c) => c.campaignId),
  ]);
  return open.filter((o) => !unreliable.has(o.action.campaign_id) || !isSnapshotOp(o));
}

/**
 * Settles the open intents of earlier runs against this snapshot and stores their final rows.
 * Returns the final states by op.
 */
export async function reconcileOpen(
  run: PullRun,
  open: readonly OpenAction[],
  managed: Set<string>,
  clock: MonotonicClock,
): Promise<Record<string, Record<string, number>>> {
  const finals: FinalEntry[] = [];
  const reconciled: Record<string, Record<string, number>> = {};
  for (const o of open) {
    const entry = await reconcileOne(o, managed, run.client);
    finals.push(entry);
    const byOp = nested(reconciled, o.action.op);
    byOp[entry.state] = (byOp[entry.state] ?? 0) + 1;
  }
  if (finals.length > 0) {
    const at = clock.next();
    await run.warehouse.append(
      syncChangelogTable,
      finals.map((f) => changelogRow(run.runId, at, f)),
    );
  }
  return reconciled;
}
