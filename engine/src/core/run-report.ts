/**
 * What one engine run measured: the contract between the run (engine pull/plan/apply, which fills it
 * from real results) and everything that reports on it (notifications, `engine status`, the
 * sync_runs.counts JSON). Only measured figures: no estimates, no invented accuracy numbers.
 * Contains no email addresses or names: counts, campaign ids and reason codes only.
 */

export type RunMode = "plan" | "apply";
export type RunStatus = "succeeded" | "partial" | "failed" | "skipped";

export interface CampaignAdds {
  campaignId: string;
  /** Segment name from workflow_settings.yaml (`smb`, `midsize`, ...). */
  segment: string;
  /** Campaign name as Instantly reports it, when known. */
  campaignName?: string;
  /** push_queue rows sent to Instantly for this campaign. */
  attempted: number;
  /** Leads Instantly created. */
  added: number;
}

export interface RunReport {
  runId: string;
  mode: RunMode;
  status: RunStatus;
  startedAt: Date;
  finishedAt: Date;
  /** Link to the CI run (GitHub Actions) when there is one. */
  ciRunUrl?: string;
  /** The fatal error of a `failed` run, already free of secrets and PII. */
  error?: string;
  /** Which phases ran (`--only drain` runs no push). */
  phases: { drain: boolean; push: boolean };

  capacity: {
    cap: number;
    /** Active leads in managed campaigns at the pull, before this run acted. */
    inventoryBefore: number;
    /** inventoryBefore - drained + added. */
    inventoryAfter: number;
    /** Adds this run was allowed to land (push_budget.slots). */
    slots: number;
    /** Eligible leads left in the warehouse after this run (push_queue candidates not used, plus the rest of the pool). */
    eligibleRemaining: number;
  };

  adds: {
    attempted: number;
    added: number;
    /** Instantly skipped them (already in the workspace, in its blocklist, ...). */
    skipped: number;
    /** Terminal 4xx or invalid rows. */
    rejected: number;
    /** Transient failures left for a later run. */
    failed: number;
    byCampaign: CampaignAdds[];
  };

  verification: {
    attempted: number;
    verified: number;
    invalid: number;
    catchAll: number;
    /** Still pending when the run stopped waiting. */
    pending: number;
    creditsUsed: number;
    /** What happens to leads that failed verification (e.g. "suppressed; never retried"). */
    failedDisposition: string;
  };

  drain: {
    /** Leads of managed campaigns in the snapshot the run classified. */
    analyzed: number;
    /** Leads kept because they are still in their sequence (replaces the old 24-hour skip count, which counted leads, not reasons). */
    kept: number;
    /** drain_queue rows. */
    identified: number;
    /** Counts by drain reason code (completed, replied, bounced, unsubscribed, stale, ...). */
    byReason: Record<string, number>;
    attempted: number;
    deleted: number;
    failed: number;
  };

  blocklist: {
    /** Entries added to Instantly's block list this run (unsubscribes). */
    added: number;
    /** Size of the suppression set after the run (DNC + Instantly suppression), when known. */
    suppressedTotal?: number;
  };

  api: {
    calls: number;
    /** Calls that ended 2xx (after retries). */
    succeeded: number;
    retries: number;
    /** 429 responses received. */
    throttled: number;
  };

  /** Failed or rejected rows summarised by error class (e.g. `timeout`, `http_422`), never per lead. */
  errorsByClass: Record<string, number>;

  /**
   * The same error classes split by phase (drain: drain + blocklist rows; push: verify + add rows), when
   * the loop tracks it, so the drain message and the sync message each show only their own errors.
   * Without it both messages show `errorsByClass`.
   */
  errorsByPhase?: { drain?: Record<string, number>; push?: Record<string, number> };

  /**
   * Wall time of each phase in ms, when the loop measured it. The messages report a duration and a
   * leads-per-minute rate each; without a phase time the messages use the whole run's time.
   */
  phaseDurationsMs?: { drain?: number; push?: number };
}
