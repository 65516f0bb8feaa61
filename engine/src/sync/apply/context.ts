import type { Settings } from "../../config/settings.ts";
import type { CampaignHealth } from "../../core/campaign-health.ts";
import type { CapacityResult } from "../../core/capacity.ts";
import { now } from "../../core/clock.ts";
import { UserError } from "../../core/errors.ts";
import type { GuardResult } from "../../core/guards.ts";
import type { InstantlyClient } from "../../instantly/index.ts";
import type { Warehouse } from "../../warehouse/port.ts";
import { type Journal, RecordingJournal, WarehouseJournal } from "../journal.ts";
import type { ManagedCampaign } from "../preflight.ts";
import { newRunId } from "../run-id.ts";
import { Tally } from "../tally.ts";
import type { DrainRow, PriorState, PullInfo, PushBudget } from "../warehouse-reads.ts";
import { type InstantlyWriter, LiveWriter, RecordingWriter } from "../writer.ts";
import { type ActionSource, planSource, warehouseSource } from "./source.ts";
import type { ApplyOptions, Phase } from "./types.ts";

/**
 * What one run knows, passed as a value to every phase. Fixed at start: who we are (mode, run id),
 * where things go (writer, journal: live in apply, recording in plan — the one place the mode
 * decides anything about I/O), where the actions come from (source). Filled by the checks: the pull,
 * the budget and what earlier runs of the same pull did. `progress` is the only thing phases change.
 */
export interface RunContext {
  readonly mode: "apply" | "plan";
  readonly runId: string;
  readonly startedAt: Date;
  readonly settings: Settings;
  readonly warehouse: Warehouse;
  readonly client: InstantlyClient;
  readonly writer: InstantlyWriter;
  readonly journal: Journal;
  readonly source: ActionSource;
  readonly tally: Tally;
  readonly log: (line: string) => void;
  readonly warnings: string[];
  readonly phases: Record<Phase, boolean>;
  readonly options: ApplyOptions;
  readonly batch: { add: number; verify: number; drain: number; block: number };
  readonly verifyConcurrency: number;
  readonly callsBefore: ReturnType<InstantlyClient["stats"]>["totals"];
  readonly progress: RunProgress;
}

/** What the freshness check established: the pull the action tables belong to and its history. */
export interface RunInputs {
  pull: PullInfo;
  budget: PushBudget;
  /** int_campaign_health of the managed campaigns: the bounce verdicts the guard and the alert read. */
  health: CampaignHealth[];
  /** Latest state per action id from earlier applies of the same pull. */
  prior: Map<string, PriorState>;
  /** This run's number among the applies of the pull (engine/src/sync/apply-history.ts). */
  applyNumber: number;
}

/** After preflight: Instantly's view of the managed campaigns and the guards' verdict. */
export interface Preflight {
  campaigns: ManagedCampaign[];
  health: CampaignHealth[];
  guards: GuardResult;
  drainRows: DrainRow[];
}

export interface VerificationCounts {
  attempted: number;
  verified: number;
  invalid: number;
  catchAll: number;
  pending: number;
  creditsUsed: number;
}

/** Counters and stop flags the phases move forward (everything else in a run is fixed). */
export interface RunProgress {
  verification: VerificationCounts;
  addsAttempted: number;
  drainsAttempted: number;
  /** Adds sent whose outcome is unknown (ambiguous failure): they hold room until a pull settles them. */
  addsUnknown: number;
  /** Rows dropped right before their batch because the warehouse now suppresses them. */
  suppressedSinceTransform: number;
  phaseMs: Partial<Record<Phase, number>>;
  /** The API is failing (circuit open, failed batch): no more adds this run. */
  stopPush: boolean;
  /** Out of verification credits: rows that need verification are left for the next run. */
  verificationStopped: boolean;
  capacity?: CapacityResult;
}

const DEFAULT_BATCH = { add: 1000, verify: 100, drain: 1000, block: 1000 };

export function createContext(options: ApplyOptions): RunContext {
  const mode = options.mode ?? "apply";
  const startedAt = now();
  const runId = newRunId(mode, startedAt);
  if (options.only && options.plan?.only && options.only !== options.plan.only) {
    throw new UserError(
      `--only ${options.only} conflicts with the plan, which was made with --only ${options.plan.only}`,
    );
  }
  const only = options.only ?? options.plan?.only ?? undefined;
  const batch = { ...DEFAULT_BATCH, ...options.batchSizes };
  for (const [name, size] of Object.entries(batch)) {
    if (!Number.isInteger(size) || size < 1 || size > 1000) {
      throw new UserError(`batch size ${name} must be a whole number from 1 to 1000, got ${size}`);
    }
  }
  return {
    mode,
    runId,
    startedAt,
    settings: options.settings,
    warehouse: options.warehouse,
    client: options.client,
    writer: mode === "plan" ? new RecordingWriter() : new LiveWriter(options.client),
    journal: mode === "plan" ? new RecordingJournal() : new WarehouseJournal(options.warehouse, runId),
    source: options.plan ? planSource(options.plan) : warehouseSource(options.warehouse),
    tally: new Tally(),
    log: options.log ?? (() => {}),
    warnings: [],
    phases: { drain: only !== "push", push: only !== "drain" },
    options,
    batch,
    verifyConcurrency: Math.max(1, options.verifyConcurrency ?? 64),
    callsBefore: { ...options.client.stats().totals },
    progress: {
      verification: { attempted: 0, verified: 0, invalid: 0, catchAll: 0, pending: 0, creditsUsed: 0 },
      addsAttempted: 0,
      drainsAttempted: 0,
      addsUnknown: 0,
      suppressedSinceTransform: 0,
      phaseMs: {},
      stopPush: false,
      verificationStopped: false,
    },
  };
}
