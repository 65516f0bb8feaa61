import { nowMs } from "../core/clock.ts";
import type { PlannedAction } from "../core/plan.ts";
import { leadTerms, safeMessage, scrubTerms } from "../core/redact.ts";
import type { FinalState } from "../core/states.ts";
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

export interface FinalEntry {
  action: PlannedAction;
  state: FinalState;
  leadId?: string | null;
  retryable?: boolean | null;
  errorCode?: string | null;
  httpStatus?: number | null;
  /** Short, no PII (the journal scrubs it again before storing: see `storedMessages`). */
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

/**
 * The messages of one batch of final rows as they may be stored: the client already redacts what it
 * builds, but a message can come from anywhere (a per-row result, a reconcile note), so every one is
 * scrubbed here once more of email addresses and of the names, companies and custom values of the
 * WHOLE batch (an error about one row may quote another), then cut to the column's length.
 */
export function storedMessages(entries: readonly FinalEntry[]): (string | null)[] {
  let terms: Set<string> | undefined;
  return entries.map((e) => {
    if (!e.message) return null;
    terms ??= leadTerms(entries.map((x) => x.action));
    // Addresses first: a name inside one (`ana.lima@…`) must not break the address apart.
    return safeMessage(scrubTerms(safeMessage(e.message, Number.POSITIVE_INFINITY), terms), MESSAGE_MAX);
  });
}

export function changelogRow(
  runId: string,
  recordedAt: Date,
  entry: FinalEntry | { action: PlannedAction },
  /** The stored message (from `storedMessages` over the whole batch); default: this row's alone. */
  message?: string | null,
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
    message: final ? ((message === undefined ? storedMessages([final])[0] : message) ?? null) : null,
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
    const messages = storedMessages(entries);
    const rows = entries.map((e, i) => changelogRow(this.runId, at, e, messages[i] ?? null));
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

/**
 * The journal with its appends one after another, for callers that write from concurrent tasks
 * (verification: poll groups finish while the next batch writes) on a warehouse connection that
 * must not interleave appends.
 */
export function serialJournal(journal: Journal): Journal {
  let tail: Promise<unknown> = Promise.resolve();
  const serial =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    (...args: A): Promise<void> => {
      const next = tail.then(() => write(...args));
      tail = next.catch(() => undefined);
      return next;
    };
  return {
    recording: journal.recording,
    intents: serial((a) => journal.intents(a)),
    finals: serial((e) => journal.finals(e)),
    verifications: serial((r) => journal.verifications(r)),
  };
}
