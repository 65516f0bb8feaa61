import type { Settings } from "../../config/settings.ts";
import type { CampaignHealth } from "../../core/campaign-health.ts";
import { now } from "../../core/clock.ts";
import { UserError } from "../../core/errors.ts";
import type { GuardResult } from "../../core/guards.ts";
import type { InstantlyClient } from "../../instantly/index.ts";
import type { Warehouse } from "../../warehouse/port.ts";
import { type Journal, RecordingJournal, WarehouseJournal } from "../journal.ts";
import type { ManagedCampaign } from "../preflight.ts";
import { newRunId } from "../run-id.ts";
import type { DrainRow, PriorState, PullInfo, PushBudget } from "../warehouse-reads.ts";
import { type InstantlyWriter, LiveWriter, RecordingWriter } from "../writer.ts";
import { type ActionSource, planSource, warehouseSource } from "./source.ts";
import type { ApplyOptions, Phase } from "./types.ts";

/**
 * What one run knows, fixed at start and read by every phase: who we are (mode, run id), where
 * things go (writer, journal: live in apply, recording in plan — the one place the mode decides
 * anything about I/O), where the actions come from (source). Nothing here changes during the run:
 * each phase returns what it did (results.ts) and run.ts adds the results up.
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
  readonly log: (line: string) => void;
  readonly phases: Record<Phase, boolean>;
  readonly options: ApplyOptions;
  readonly batch: { add: number; verify: number; drain: number; block: number };
  readonly verifyConcurrency: number;
  readonly callsBefore: ReturnType<InstantlyClient["stats"]>["totals"];
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
  /** What the checks found worth saying without stopping (push_budget without its vars). */
  warnings: string[];
}

/** After preflight: Instantly's view of the managed campaigns and the guards' verdict. */
export interface Preflight {
  campaigns: ManagedCampaign[];
  health: CampaignHealth[];
  guards: GuardResult;
  drainRows: DrainRow[];
  /** Campaigns the guards blocked, guards overridden by --force. */
  warnings: string[];
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
    log: options.log ?? (() => {}),
    phases: { drain: only !== "push", push: only !== "drain" },
    options,
    batch,
    verifyConcurrency: Math.max(1, options.verifyConcurrency ?? 64),
    callsBefore: { ...options.client.stats().totals },
  };
}
