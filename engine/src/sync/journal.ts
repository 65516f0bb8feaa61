import { nowMs } from "../core/clock.ts";
import type { PlannedAction } from "../core/plan.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";
import { emailVerificationsTable, syncChangelogTable } from "../warehouse/tables.ts";
import { crashPoint } from "./crash-points.ts";

/**
 * The write-ahead journal of a run: `intent` rows before a batch goes to Instantly, final rows after
 * (so a crash loses nothing: `engine pull` settles open intents). The warehouse journal appends them
 * to `sync_changelog`; the recording journal (used by `engine plan`) keeps the intents in memory —
 * they ARE the plan — and writes nothing.
 *
 * Final rows are stamped strictly after their intent (a monotonic clock), because the reporting
 * views take the latest row per action_id by `recorded_at`.
 */
export type FinalState = "succeeded" | "rejected" | "invalid" | "skipped" | "failed";

export interface FinalEntry {
  action: PlannedAction;
  state: FinalState;
  leadId?: string | null;
  retryable?: boolean | null;
  errorCode?: string | null;
  httpStatus?: number | null;
  /** Short, no PII (callers pass client messages, which are already redacted). */
  message?: string | null;
}

export interface VerificationRow {
  email: string;
  result: "verified" | "invalid" | "catch_all" | "pending";
  creditsUsed: number | null;
}

export interface Journal {
  readonly recording: boolean;
  intents(actions: readonly PlannedAction[]): Promise<void>;
  finals(entries: readonly FinalEntry[]): Promise<void>;
  verifications(rows: readonly VerificationRow[]): Promise<void>;
}

/** Monotonic timestamps: never earlier than the last one handed out. */
export class MonotonicClock {
  #last = 0;
  constructor(private readonly now: () => number = nowMs) {}
  next(): Date {
    this.#last = Math.max(this.#last + 1, this.now());
    return new Date(this.#last);
  }
}

const MESSAGE_MAX = 300;

export function changelogRow(
  runId: string,
  recordedAt: Date,
  entry: FinalEntry | { action: PlannedAction },
): Row {
  const a = entry.action;
  const final = "state" in entry ? entry : undefined;
  return {
    run_id: runId,
    recorded_at: recordedAt,
    action_id: a.action_id,
    op: a.op,
    email: a.email,
    campaign_id: a.campaign_id,
    lead_id: final?.leadId ?? a.lead_id ?? null,
    reason: a.reason ?? null,
    state: final ? final.state : "intent",
    retryable: final ? (final.retryable ?? null) : null,
    error_code: final?.errorCode ?? null,
    http_status: final?.httpStatus ?? null,
    message: final?.message ? final.message.slice(0, MESSAGE_MAX) : null,
  };
}

export class WarehouseJournal implements Journal {
  readonly recording = false;
  constructor(
    private readonly warehouse: Warehouse,
    private readonly runId: string,
    private readonly clock = new MonotonicClock(),
  ) {}

  async intents(actions: readonly PlannedAction[]): Promise<void> {
    if (actions.length === 0) return;
    const at = this.clock.next();
    await this.warehouse.append(
      syncChangelogTable,
      actions.map((action) => changelogRow(this.runId, at, { action })),
    );
  }

  /** Two appends with a crash point between them, so the crash tests can kill a write-back midway. */
  async finals(entries: readonly FinalEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const at = this.clock.next();
    const rows = entries.map((e) => changelogRow(this.runId, at, e));
    const half = Math.ceil(rows.length / 2);
    await this.warehouse.append(syncChangelogTable, rows.slice(0, half));
    crashPoint("apply.mid-writeback");
    await this.warehouse.append(syncChangelogTable, rows.slice(half));
  }

  async verifications(rows: readonly VerificationRow[]): Promise<void> {
    if (rows.length === 0) return;
    const at = this.clock.next();
    await this.warehouse.append(
      emailVerificationsTable,
      rows.map((r) => ({
        run_id: this.runId,
        email: r.email,
        result: r.result,
        credits_used: r.creditsUsed,
        verified_at: at,
      })),
    );
  }
}

/** `engine plan`: the intents are the plan; nothing is written anywhere. */
export class RecordingJournal implements Journal {
  readonly recording = true;
  readonly actions: PlannedAction[] = [];
  async intents(actions: readonly PlannedAction[]): Promise<void> {
    this.actions.push(...actions);
  }
  async finals(): Promise<void> {}
  async verifications(): Promise<void> {}
}
