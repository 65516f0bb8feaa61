import type { Settings } from "../config/settings.ts";
import type { InstantlyClient } from "../instantly/index.ts";
import type { Notifier } from "../notify/port.ts";
import type { Warehouse } from "../warehouse/port.ts";
import type { CapacityOutcome } from "./pull-capacity.ts";
import type { PullCompleteness } from "./pull-completeness.ts";

/** The public shapes of `engine pull` (a leaf: no logic, imported by every step of pull.ts). */

/** The whole pull's time budget unless `PullOptions.budgetMs` says otherwise. */
export const DEFAULT_PULL_BUDGET_MS = 60 * 60_000;

export interface PullOptions {
  settings: Settings;
  warehouse: Warehouse;
  client: InstantlyClient;
  log?: (line: string) => void;
  env?: Record<string, string | undefined>;
  /** Lead rows per warehouse append (default 2,000). */
  batchRows?: number;
  /** Where the pull_incomplete alert goes (default: the notifier the environment asks for; false: none). */
  notifier?: Notifier | false;
  /** The whole pull's time budget in ms (default DEFAULT_PULL_BUDGET_MS): past it, the pull fails. */
  budgetMs?: number;
}

export interface PullResult {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  campaigns: number;
  leads: number;
  leadsByCampaign: Record<string, number>;
  reconciled: Record<string, Record<string, number>>;
  apiCalls: number;
  /** false when a campaign's listing is short or untrusted: apply refuses this pull. */
  complete: boolean;
  completeness: PullCompleteness;
  /** The sending-capacity snapshot, or why it is missing. */
  capacity: CapacityOutcome;
  /** A missing capacity snapshot, notification problems (the pull's status is not affected). */
  warnings: string[];
}

/** Who this pull is, for every step that writes: its run id and start, where it writes, its env. */
export interface PullRun {
  runId: string;
  startedAt: Date;
  warehouse: Warehouse;
  client: InstantlyClient;
  env: Record<string, string | undefined> | undefined;
}
