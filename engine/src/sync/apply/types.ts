import type { Settings } from "../../config/settings.ts";
import type { CampaignHealth } from "../../core/campaign-health.ts";
import type { CapacityResult } from "../../core/capacity.ts";
import type { GuardResult } from "../../core/guards.ts";
import type { Plan, PlannedAction } from "../../core/plan.ts";
import type { RunReport, RunStatus } from "../../core/run-report.ts";
import type { InstantlyClient } from "../../instantly/index.ts";
import type { Warehouse } from "../../warehouse/port.ts";
import type { ManagedCampaign } from "../preflight.ts";

/** The public shapes of `engine apply` / `engine plan` (a leaf: no logic, imported by every phase). */

export type Phase = "drain" | "push";

export interface ApplyOptions {
  settings: Settings;
  warehouse: Warehouse;
  /** Reads (preflight) always; writes only in apply mode. */
  client: InstantlyClient;
  mode?: "apply" | "plan";
  only?: Phase;
  /** apply --plan: execute exactly this plan. */
  plan?: Plan;
  force?: boolean;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /**
   * Verifications in flight at once. Most of a verification's time is spent waiting (Instantly answers
   * `pending`, the client polls), so this is high; the client's rate budget still caps the requests.
   * @default 64
   */
  verifyConcurrency?: number;
  /**
   * Rows per write-ahead batch. `add` is Instantly's bulk limit (1,000); `verify` bounds what a kill
   * during verification can lose (the results of one batch, already paid for). Tests make them small.
   * @default { add: 1000, verify: 100 }
   */
  batchSizes?: { add?: number; verify?: number };
  /** The notify step of an apply (run.ts → notify.ts): called with the recorded report; the CLI passes notifyRun here. */
  onReport?: (report: RunReport, context: ReportContext) => Promise<string[]>;
}

export interface ReportContext {
  campaigns: ManagedCampaign[];
  /** int_campaign_health rows read by this run (empty when it stopped before preflight). */
  health: CampaignHealth[];
}

export interface ApplyResult {
  runId: string;
  mode: "apply" | "plan";
  status: RunStatus;
  exitCode: number;
  error?: string;
  report: RunReport;
  counts: Record<string, unknown>;
  warnings: string[];
  guards?: GuardResult;
  capacity?: CapacityResult;
  /** plan mode: what apply would do. */
  plan?: Plan;
}

/** One push_queue row (or plan add) on its way: the add, and whether it must be verified first. */
export interface AddCandidate {
  action: PlannedAction;
  /** The verify action for this row when it needs one (id from push_queue / the plan). */
  verify: PlannedAction | null;
}
