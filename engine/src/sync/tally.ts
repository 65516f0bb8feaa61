import type { ActionOp } from "../core/action-id.ts";
import { bump, nested } from "../core/batching.ts";
import type { ActionStateName } from "../core/states.ts";
import type { FinalEntry } from "./journal.ts";

/**
 * Counts of a run's final rows, kept as they are written: by op and state, by op and reason, by
 * campaign, and failures by error class (overall and per phase). These become sync_runs.counts and
 * the RunReport; they hold ids and codes only, never an email or a name.
 */
export class Tally {
  readonly byOpState: Record<string, Record<string, number>> = {};
  readonly byReason: Record<string, Record<string, number>> = {};
  readonly byCampaign: Record<string, Record<string, number>> = {};
  readonly errorsByClass: Record<string, number> = {};
  readonly errorsByPhase: { drain: Record<string, number>; push: Record<string, number> } = {
    drain: {},
    push: {},
  };

  /** The tallies of a run's phases, added up in phase order (so keys keep the order they were first seen). */
  static sum(tallies: readonly Tally[]): Tally {
    const out = new Tally();
    for (const t of tallies) {
      addNested(out.byOpState, t.byOpState);
      addNested(out.byReason, t.byReason);
      addNested(out.byCampaign, t.byCampaign);
      for (const [code, n] of Object.entries(t.errorsByClass)) bump(out.errorsByClass, code, n);
      for (const phase of ["drain", "push"] as const) {
        for (const [code, n] of Object.entries(t.errorsByPhase[phase]))
          bump(out.errorsByPhase[phase], code, n);
      }
    }
    return out;
  }

  record(entry: FinalEntry): void {
    const { op, campaign_id: campaign } = entry.action;
    bump(nested(this.byOpState, op), entry.state);
    bump(nested(this.byReason, op), entry.action.reason ?? "-");
    bump(nested(this.byCampaign, campaign), `${op}_${entry.state}`);
    if (entry.state === "failed" || entry.state === "rejected") {
      const code = entry.errorCode ?? "unknown";
      bump(this.errorsByClass, code);
      bump(op === "drain" || op === "block" ? this.errorsByPhase.drain : this.errorsByPhase.push, code);
    }
  }

  count(op: ActionOp, state: ActionStateName): number {
    return this.byOpState[op]?.[state] ?? 0;
  }

  /** Final rows of the run by state, over every op. */
  states(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const states of Object.values(this.byOpState)) {
      for (const [state, n] of Object.entries(states)) bump(out, state, n);
    }
    return out;
  }

  campaignCount(campaign: string, op: ActionOp, state: ActionStateName): number {
    return this.byCampaign[campaign]?.[`${op}_${state}`] ?? 0;
  }
}

function addNested(
  into: Record<string, Record<string, number>>,
  from: Record<string, Record<string, number>>,
) {
  for (const [key, counts] of Object.entries(from)) {
    for (const [k, n] of Object.entries(counts)) bump(nested(into, key), k, n);
  }
}
