import type { Settings } from "../config/settings.ts";
import { actionId } from "../core/action-id.ts";
import { isSettled, mayHaveLanded } from "../core/action-state.ts";
import { chunk, groupBy } from "../core/batching.ts";
import { allowedAdds, type CapacityResult } from "../core/capacity.ts";
import { now } from "../core/clock.ts";
import { ExitCode, UserError } from "../core/errors.ts";
import { evaluateGuards, type GuardResult } from "../core/guards.ts";
import { makeAction, PLAN_VERSION, type Plan, type PlannedAction } from "../core/plan.ts";
import type { RunReport, RunStatus } from "../core/run-report.ts";
import { deriveRunStatus, exitCodeFor } from "../core/run-status.ts";
import {
  type InstantlyClient,
  InstantlyFatalError,
  type InstantlyOutcome,
  type LeadInput,
  safeMessage,
  settle,
  type VerificationOutcome,
} from "../instantly/index.ts";
import type { Warehouse } from "../warehouse/port.ts";
import { crashPoint } from "./crash-points.ts";
import {
  type FinalEntry,
  type Journal,
  RecordingJournal,
  type VerificationRow,
  WarehouseJournal,
} from "./journal.ts";
import { checkKey, loadManagedCampaigns, type ManagedCampaign } from "./preflight.ts";
import { ciRunUrl, newRunId } from "./run-id.ts";
import { UNFINISHED_ERROR, writeRunRow } from "./run-record.ts";
import { Tally } from "./tally.ts";
import {
  type DrainRow,
  isPullComplete,
  type PriorState,
  type PullInfo,
  type PushBudget,
  type PushRow,
  readDrainQueue,
  readEligibleCount,
  readLatestPull,
  readPriorStates,
  readPushBudget,
  readPushQueue,
  sourceHasLeads,
} from "./warehouse-reads.ts";
import { type InstantlyWriter, LiveWriter, RecordingWriter } from "./writer.ts";

/**
 * `engine apply` / `engine plan`: execute what the SQL decided (DESIGN §2, §6).
 *
 *   checks   action tables computed from the latest COMPLETE pull (else refuse: stale)
 *   preflight key works, campaigns exist; guards: inactive / bouncing campaigns get no adds, drain
 *            larger than max_drain_fraction or an empty source abort (unless --force)
 *   drain    bulk delete per campaign, ≤ 1,000 ids per call
 *   block    unsubscribes into Instantly's block list
 *   push     in rank order, in waves: verify the wave's rows that need it (concurrently, inside the
 *            client's rate budget), add the good ones in bulk per campaign, until `allowed` adds
 *            succeeded — so a verification credit is only spent on a row that may still be needed
 *
 * Every batch is write-ahead: intent rows, the call, final rows. `plan` runs this same code with a
 * recording writer and journal: nothing goes to Instantly, the intents become the plan file.
 */

export interface ApplyOptions {
  settings: Settings;
  warehouse: Warehouse;
  /** Reads (preflight) always; writes only in apply mode. */
  client: InstantlyClient;
  mode?: "apply" | "plan";
  only?: "drain" | "push";
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
  /** Called with the finished report (apply mode) — the CLI passes notifyRun here. */
  onReport?: (report: RunReport, context: ReportContext) => Promise<string[]>;
}

export interface ReportContext {
  campaigns: ManagedCampaign[];
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

interface AddCandidate {
  action: PlannedAction;
  needsVerification: boolean;
}

const ADD_CHUNK = 1000;
const DELETE_CHUNK = 1000;
const BLOCK_CHUNK = 1000;

export async function runApply(options: ApplyOptions): Promise<ApplyResult> {
  return new ApplyRun(options).run();
}

class ApplyRun {
  readonly mode: "apply" | "plan";
  readonly runId: string;
  readonly startedAt = now();
  readonly writer: InstantlyWriter;
  readonly journal: Journal;
  readonly tally = new Tally();
  readonly log: (line: string) => void;
  readonly warnings: string[] = [];
  readonly phases: { drain: boolean; push: boolean };
  readonly phaseMs: { drain?: number; push?: number } = {};
  readonly verification = { attempted: 0, verified: 0, invalid: 0, catchAll: 0, pending: 0, creditsUsed: 0 };
  readonly adds = { attempted: 0 };
  readonly drainsAttempted = { n: 0 };
  readonly callsBefore: ReturnType<InstantlyClient["stats"]>["totals"];
  pull!: PullInfo;
  budget!: PushBudget;
  prior = new Map<string, PriorState>();
  campaigns: ManagedCampaign[] = [];
  guards?: GuardResult;
  capacity?: CapacityResult;
  drainRows: DrainRow[] = [];
  stopPush = false;
  verificationStopped = false;

  constructor(readonly o: ApplyOptions) {
    this.mode = o.mode ?? "apply";
    this.runId = newRunId(this.mode, this.startedAt);
    this.writer = this.mode === "plan" ? new RecordingWriter() : new LiveWriter(o.client);
    this.journal =
      this.mode === "plan" ? new RecordingJournal() : new WarehouseJournal(o.warehouse, this.runId);
    this.log = o.log ?? (() => {});
    const only = o.only ?? o.plan?.only ?? undefined;
    if (o.only && o.plan?.only && o.only !== o.plan.only) {
      throw new UserError(
        `--only ${o.only} conflicts with the plan, which was made with --only ${o.plan.only}`,
      );
    }
    this.phases = { drain: only !== "push", push: only !== "drain" };
    this.callsBefore = { ...o.client.stats().totals };
  }

  get pullRunId(): string {
    return this.pull.runId;
  }

  async run(): Promise<ApplyResult> {
    await this.checkFreshness();
    if (this.mode === "apply") {
      await writeRunRow(this.o.warehouse, {
        runId: this.runId,
        mode: "apply",
        startedAt: this.startedAt,
        finishedAt: null,
        status: "failed",
        error: UNFINISHED_ERROR,
        ciRunUrl: ciRunUrl(this.o.env),
      });
    }
    let fatal: string | undefined;
    try {
      await this.preflight();
      if (this.guards && this.guards.abort.length > 0) {
        fatal = this.guards.abort.join("; ");
      } else {
        if (this.phases.drain) await this.timed("drain", () => this.drainPhase());
        if (this.phases.push) await this.timed("push", () => this.pushPhase());
      }
    } catch (error) {
      fatal = describeFatal(error);
      if (!(error instanceof UserError) && process.env.ENGINE_DEBUG) console.error(error);
    }
    return this.finish(fatal);
  }

  async timed(phase: "drain" | "push", fn: () => Promise<void>): Promise<void> {
    const t0 = performance.now();
    try {
      await fn();
    } finally {
      this.phaseMs[phase] = Math.round(performance.now() - t0);
    }
  }

  // ------------------------------------------------------------------ checks

  /** The action tables must come from the latest pull, and that pull must have completed. */
  async checkFreshness(): Promise<void> {
    const { warehouse } = this.o;
    this.budget = await readPushBudget(warehouse);
    const latest = await readLatestPull(warehouse);
    if (!latest) {
      throw new UserError("no pull found in the warehouse", {
        hint: "run `engine pull`, then the transform, then apply",
      });
    }
    this.pull = latest;
    if (!(await isPullComplete(warehouse, latest.runId))) {
      throw new UserError(
        `the latest pull ${latest.runId} did not complete (no succeeded pull run recorded)`,
        {
          hint: "run `engine pull` again, then the transform, then apply",
        },
      );
    }
    if (this.budget.pullRunId !== latest.runId) {
      throw new UserError(
        `the action tables are stale: computed from pull ${this.budget.pullRunId ?? "(none)"}, but the latest pull is ${latest.runId}`,
        { hint: "run the transform (`engine transform` / `dataform run`) after `engine pull`, then apply" },
      );
    }
    if (this.o.plan && this.o.plan.pull_run_id !== latest.runId) {
      throw new UserError(
        `the plan was made from pull ${this.o.plan.pull_run_id}, but the latest pull is ${latest.runId}`,
        { hint: "make a new plan with `engine plan` (the old one may no longer be right)" },
      );
    }
    if (this.o.plan) {
      const managed = [...this.o.settings.managedCampaignIds].sort().join(",");
      if ([...this.o.plan.managed_campaign_ids].sort().join(",") !== managed) {
        throw new UserError(
          "the plan was made for other managed campaigns than workflow_settings.yaml lists",
          {
            hint: "make a new plan with `engine plan`",
          },
        );
      }
    }
    this.prior = await readPriorStates(warehouse, latest);
  }

  async preflight(): Promise<void> {
    const { client, settings, warehouse } = this.o;
    await checkKey(client);
    this.campaigns = await loadManagedCampaigns(client, settings);
    this.drainRows = this.phases.drain ? await this.loadDrains() : [];
    const pendingDrains = this.drainRows.filter((d) => !isSettled(this.prior.get(d.action_id)));
    const hasSource = await sourceHasLeads(warehouse, settings);
    const bounceMinContacted = Number(settings.rawVars.bounce_min_contacted ?? "20");
    if (!Number.isFinite(bounceMinContacted) || bounceMinContacted < 0) {
      throw new UserError(
        `workflow_settings.yaml var bounce_min_contacted must be a number >= 0, got ${JSON.stringify(settings.rawVars.bounce_min_contacted)}`,
      );
    }
    this.guards = evaluateGuards({
      campaigns: this.campaigns.map((m) => ({
        campaignId: m.campaign.id.toLowerCase(),
        segment: m.segment.name,
        status: m.campaign.status,
        contacted: m.analytics?.contacted_count ?? 0,
        bounced: m.analytics?.bounced_count ?? 0,
      })),
      bounceBlockPct: settings.vars.bounce_block_pct,
      bounceMinContacted,
      drainCount: pendingDrains.length,
      inventory: this.budget.activeInventory,
      maxDrainFraction: settings.vars.max_drain_fraction,
      sourceLeads: hasSource ? 1 : 0,
      force: this.o.force ?? false,
    });
    for (const b of Object.values(this.guards.blockedCampaigns)) {
      this.log(`guard: ${b.detail}`);
      this.warnings.push(b.detail);
    }
    for (const text of this.guards.overridden) {
      this.log(`guard overridden by --force: ${text}`);
      this.warnings.push(`overridden by --force: ${text}`);
    }
  }

  async loadDrains(): Promise<DrainRow[]> {
    if (this.o.plan) {
      return this.o.plan.actions
        .filter((a) => a.op === "drain")
        .map((a) => ({
          action_id: a.action_id,
          lead_id: a.lead_id ?? "",
          email: a.email,
          campaign_id: a.campaign_id,
          reason: a.reason ?? "",
          suppress: a.suppress ?? false,
          block: a.block ?? false,
        }));
    }
    return readDrainQueue(this.o.warehouse);
  }

  // ------------------------------------------------------------------ drain + block

  async drainPhase(): Promise<void> {
    const managed = new Set(this.o.settings.managedCampaignIds);
    const todo: PlannedAction[] = [];
    let refused = 0;
    for (const d of this.drainRows) {
      if (!managed.has(d.campaign_id) || !d.lead_id) {
        refused++;
        continue;
      }
      if (isSettled(this.prior.get(d.action_id))) continue;
      todo.push(
        makeAction({
          action_id: d.action_id,
          op: "drain",
          email: d.email,
          campaign_id: d.campaign_id,
          lead_id: d.lead_id,
          reason: d.reason,
          suppress: d.suppress,
          block: d.block,
        }),
      );
    }
    if (refused > 0) {
      this.warnings.push(
        `${refused} drain row(s) outside the managed campaigns were refused (never deleted)`,
      );
    }
    this.log(`drain: ${todo.length} lead(s) to delete`);
    for (const [campaign, rows] of groupBy(todo, (a) => a.campaign_id)) {
      for (const batch of chunk(rows, DELETE_CHUNK)) {
        const ok = await this.drainBatch(campaign, batch);
        this.log(`  ${campaign}: ${this.tally.count("drain", "succeeded")} deleted so far`);
        if (!ok) return;
      }
    }
    await this.blockPhase();
  }

  /** Returns false when the phase must stop (the API is failing: circuit open). */
  async drainBatch(campaign: string, batch: PlannedAction[]): Promise<boolean> {
    crashPoint("apply.before-intents");
    await this.journal.intents(batch);
    crashPoint("apply.after-intents");
    this.drainsAttempted.n += batch.length;
    const outcome = await settle(
      this.writer.deleteLeads(
        campaign,
        batch.map((a) => a.lead_id as string),
      ),
    );
    crashPoint("apply.after-call");
    let finals: FinalEntry[];
    if (outcome.status === "succeeded") {
      const byId = new Map(outcome.value.rows.map((r) => [r.id, r.status]));
      finals = batch.map((action) => {
        const status = byId.get(action.lead_id as string);
        if (status === "deleted" || status === "already_absent") {
          return {
            action,
            state: "succeeded",
            message: status === "already_absent" ? "already absent" : null,
          };
        }
        return {
          action,
          state: "failed",
          retryable: true,
          errorCode: "still_present",
          message: "lead still in the campaign after the delete",
        };
      });
    } else finals = batch.map((action) => failedEntry(action, outcome));
    await this.writeFinals(finals);
    return this.afterCall(outcome);
  }

  async blockPhase(): Promise<void> {
    const wanted: PlannedAction[] = [];
    const source = this.o.plan
      ? this.o.plan.actions.filter((a) => a.op === "block")
      : this.drainRows
          .filter((d) => d.block && this.o.settings.managedCampaignIds.includes(d.campaign_id))
          .map((d) =>
            makeAction({
              action_id: actionId("block", d.email, d.campaign_id, this.pullRunId),
              op: "block",
              email: d.email,
              campaign_id: d.campaign_id,
              lead_id: d.lead_id,
              reason: d.reason,
            }),
          );
    for (const a of source) if (!isSettled(this.prior.get(a.action_id))) wanted.push(a);
    if (wanted.length === 0) return;
    this.log(`block list: ${wanted.length} value(s) to add`);
    for (const batch of chunk(wanted, BLOCK_CHUNK)) {
      crashPoint("apply.before-intents");
      await this.journal.intents(batch);
      crashPoint("apply.after-intents");
      const values = [...new Set(batch.map((a) => a.email))];
      const outcome = await settle(this.writer.createBlocklistEntries(values));
      crashPoint("apply.after-call");
      let finals: FinalEntry[];
      if (outcome.status === "succeeded") {
        const accepted = new Set(outcome.value.entries.map((e) => e.bl_value.trim().toLowerCase()));
        finals = batch.map((action): FinalEntry => {
          if (accepted.has(action.email) || outcome.value.invalidCount === 0) {
            return { action, state: "succeeded" };
          }
          return {
            action,
            state: "rejected",
            retryable: false,
            errorCode: "invalid_value",
            message: "Instantly did not accept the value",
          };
        });
      } else finals = batch.map((action) => failedEntry(action, outcome));
      await this.writeFinals(finals);
      if (!this.afterCall(outcome)) return;
    }
  }

  // ------------------------------------------------------------------ verify + push

  async pushPhase(): Promise<void> {
    const settings = this.o.settings;
    const managed = settings.managedCampaignIds;
    const blocked = Object.keys(this.guards?.blockedCampaigns ?? {});
    // What earlier applies of this same pull already did (landed, or may have landed).
    let outstanding = 0;
    const outstandingBy: Record<string, number> = {};
    let drainsConfirmed = 0;
    for (const p of this.prior.values()) {
      if (mayHaveLanded(p)) {
        outstanding++;
        const c = p.campaignId ?? "";
        outstandingBy[c] = (outstandingBy[c] ?? 0) + 1;
      }
      if (p.op === "drain" && p.state === "succeeded") drainsConfirmed++;
    }
    drainsConfirmed += this.tally.count("drain", "succeeded");
    const capacity = allowedAdds({
      cap: this.budget.cap,
      activeInventory: this.budget.activeInventory,
      slots: this.budget.slots,
      campaignSlots: this.budget.campaignSlots,
      drainsConfirmed,
      addsOutstanding: outstanding,
      addsOutstandingByCampaign: outstandingBy,
      blockedCampaigns: blocked,
      managedCampaigns: managed,
    });
    if (this.o.plan) capacity.allowed = Math.min(capacity.allowed, this.o.plan.capacity.allowed);
    this.capacity = capacity;

    let pending = await this.loadCandidates(new Set(managed), new Set(blocked));
    let remaining = capacity.allowed;
    const remainingBy: Record<string, number> = { ...capacity.perCampaign };
    this.log(`push: up to ${remaining} add(s) from ${pending.length} candidate(s)`);

    while (remaining > 0 && pending.length > 0 && !this.stopPush) {
      // The next wave: best-ranked rows that still fit the global and per-campaign room.
      const wave: AddCandidate[] = [];
      const picked: Record<string, number> = {};
      const rest: AddCandidate[] = [];
      for (const c of pending) {
        const campaign = c.action.campaign_id;
        if (c.needsVerification && this.verificationStopped) continue; // cannot be verified this run
        if (wave.length < remaining && (picked[campaign] ?? 0) < (remainingBy[campaign] ?? 0)) {
          wave.push(c);
          picked[campaign] = (picked[campaign] ?? 0) + 1;
        } else if ((remainingBy[campaign] ?? 0) > 0) rest.push(c);
      }
      pending = rest;
      if (wave.length === 0) break;

      const toVerify = wave.filter((c) => c.needsVerification);
      this.log(
        `  wave: ${wave.length} candidate(s), ${toVerify.length} to verify, ${remaining} add(s) still wanted`,
      );
      const verifiedOk = await this.verifyWave(toVerify);
      const ready = wave.filter((c) => !c.needsVerification || verifiedOk.has(c.action.action_id));
      for (const [campaign, rows] of groupBy(ready, (c) => c.action.campaign_id)) {
        for (const batch of chunk(rows, ADD_CHUNK)) {
          if (this.stopPush) break;
          const added = await this.addBatch(
            campaign,
            batch.map((c) => c.action),
          );
          remaining -= added;
          remainingBy[campaign] = (remainingBy[campaign] ?? 0) - added;
        }
      }
    }
    this.log(`push: ${this.tally.count("add", "succeeded")} added, ${this.verification.attempted} verified`);
  }

  async loadCandidates(managed: Set<string>, blocked: Set<string>): Promise<AddCandidate[]> {
    const out: AddCandidate[] = [];
    const pull = this.pullRunId;
    let rows: AddCandidate[];
    if (this.o.plan) {
      const verifyKeys = new Set(
        this.o.plan.actions.filter((a) => a.op === "verify").map((a) => `${a.campaign_id}|${a.email}`),
      );
      rows = this.o.plan.actions
        .filter((a) => a.op === "add")
        .map((action) => ({
          action,
          needsVerification: verifyKeys.has(`${action.campaign_id}|${action.email}`),
        }));
    } else {
      rows = (await readPushQueue(this.o.warehouse)).map((r) => ({
        action: pushAction(r),
        needsVerification: r.needs_verification,
      }));
    }
    for (const c of rows) {
      const campaign = c.action.campaign_id;
      if (!managed.has(campaign) || blocked.has(campaign)) continue;
      if (isSettled(this.prior.get(c.action.action_id))) continue;
      if (c.needsVerification) {
        const v = this.prior.get(actionId("verify", c.action.email, campaign, pull));
        if (v?.state === "succeeded") c.needsVerification = false;
        else if (v && (v.state === "invalid" || v.state === "rejected")) continue;
      }
      out.push(c);
    }
    return out;
  }

  /** Verifies the rows concurrently; returns the add action ids whose email may be pushed. */
  async verifyWave(rows: AddCandidate[]): Promise<Set<string>> {
    const ok = new Set<string>();
    if (rows.length === 0) return ok;
    const allowCatchAll = flagVar(this.o.settings, "allow_catch_all", false);
    const actions = rows.map((c) =>
      makeAction({
        action_id: actionId("verify", c.action.email, c.action.campaign_id, this.pullRunId),
        op: "verify",
        email: c.action.email,
        campaign_id: c.action.campaign_id,
        reason: "before_add",
      }),
    );
    crashPoint("apply.before-intents");
    await this.journal.intents(actions);
    crashPoint("apply.after-intents");
    const outcomes: InstantlyOutcome<VerificationOutcome>[] = new Array(rows.length);
    let stop: string | undefined;
    let fatal: InstantlyOutcome<VerificationOutcome> | undefined;
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const i = next++;
        const action = actions[i] as PlannedAction;
        if (stop) {
          outcomes[i] = {
            status: "failed",
            retryable: true,
            code: "not_attempted",
            message: `not attempted: ${stop}`,
          };
          continue;
        }
        const outcome = await settle(this.writer.verifyEmail(action.email));
        outcomes[i] = outcome;
        if (outcome.status === "fatal") {
          fatal = outcome;
          stop = "the run stopped on a fatal error";
        } else if (
          outcome.status === "failed" &&
          (outcome.code === "out_of_credits" || outcome.code === "circuit_open")
        ) {
          stop = outcome.code === "out_of_credits" ? "out of verification credits" : "circuit open";
        }
      }
    };
    const concurrency = Math.max(1, Math.min(this.o.verifyConcurrency ?? 64, rows.length));
    await Promise.all(Array.from({ length: concurrency }, worker));
    crashPoint("apply.after-call");

    const finals: FinalEntry[] = [];
    const results: VerificationRow[] = [];
    rows.forEach((c, i) => {
      const action = actions[i] as PlannedAction;
      const outcome = outcomes[i] as InstantlyOutcome<VerificationOutcome>;
      if (outcome.status !== "succeeded") {
        finals.push(failedEntry(action, outcome));
        return;
      }
      this.verification.attempted++;
      const v = outcome.value;
      this.verification.creditsUsed += v.creditsUsed ?? 0;
      results.push({ email: action.email, result: v.result, creditsUsed: v.creditsUsed });
      switch (v.result) {
        case "verified":
          this.verification.verified++;
          ok.add(c.action.action_id);
          finals.push({ action, state: "succeeded", message: "verified" });
          break;
        case "catch_all":
          // Not suppressed (`skipped`, not `invalid`): the SQL keeps catch-all domains out while
          // allow_catch_all is false, and lets them in again if a team turns it on.
          this.verification.catchAll++;
          if (allowCatchAll) {
            ok.add(c.action.action_id);
            finals.push({ action, state: "succeeded", message: "catch_all (allowed)" });
          } else {
            finals.push({
              action,
              state: "skipped",
              errorCode: "catch_all",
              message: "catch-all domain; not pushed (allow_catch_all is false)",
            });
          }
          break;
        case "invalid":
          this.verification.invalid++;
          finals.push({
            action,
            state: "invalid",
            errorCode: "invalid_email",
            message: "verification invalid; not pushed",
          });
          break;
        default:
          this.verification.pending++;
          finals.push({
            action,
            state: "failed",
            retryable: true,
            errorCode: "verification_pending",
            message: "verification still pending; not pushed this run",
          });
      }
    });
    await this.journal.verifications(results);
    await this.writeFinals(finals);
    if (fatal) throw fatalError(fatal);
    if (stop) {
      this.warnings.push(`verification stopped: ${stop}`);
      // Out of credits: go on with candidates that need no verification. Circuit open: stop pushing.
      if (stop === "out of verification credits") this.verificationStopped = true;
      else this.stopPush = true;
    }
    return ok;
  }

  /** One bulk add; returns how many leads Instantly created. */
  async addBatch(campaign: string, batch: PlannedAction[]): Promise<number> {
    crashPoint("apply.before-intents");
    await this.journal.intents(batch);
    crashPoint("apply.after-intents");
    this.adds.attempted += batch.length;
    const outcome = await settle(
      this.writer.bulkAddLeads(campaign, batch.map(leadInput), { skipIfInWorkspace: true }),
    );
    crashPoint("apply.after-call");
    let finals: FinalEntry[];
    if (outcome.status === "succeeded") {
      const byIndex = new Map(outcome.value.rows.map((r) => [r.index, r]));
      finals = batch.map((action, i): FinalEntry => {
        const r = byIndex.get(i);
        if (!r)
          return {
            action,
            state: "failed",
            retryable: true,
            errorCode: "unconfirmed",
            message: "no outcome for the row",
          };
        return {
          action,
          state: r.state,
          leadId: r.leadId ?? null,
          retryable: r.state === "failed" ? r.retryable : null,
          errorCode: r.state === "succeeded" ? null : r.reason,
          message: r.status === "created" ? null : r.status,
        };
      });
    } else finals = batch.map((action) => failedEntry(action, outcome));
    await this.writeFinals(finals);
    if (!this.afterCall(outcome)) this.stopPush = true;
    return finals.filter((f) => f.state === "succeeded").length;
  }

  // ------------------------------------------------------------------ shared

  async writeFinals(finals: FinalEntry[]): Promise<void> {
    await this.journal.finals(finals);
    for (const f of finals) this.tally.record(f);
  }

  /** After a batch's finals are written: a fatal outcome aborts the run; a failed call stops the phase. */
  afterCall(outcome: InstantlyOutcome<unknown>): boolean {
    if (outcome.status === "fatal") throw fatalError(outcome);
    return outcome.status !== "failed";
  }

  // ------------------------------------------------------------------ end of run

  async finish(fatal: string | undefined): Promise<ApplyResult> {
    const finishedAt = now();
    const status = deriveRunStatus({ fatal: fatal !== undefined, states: this.tally.states() });
    let eligible: number | undefined;
    try {
      eligible = await readEligibleCount(this.o.warehouse);
    } catch {
      eligible = undefined; // a reporting view is a nicety here, never a reason to fail the run
    }
    const report = this.buildReport(status, finishedAt, fatal, eligible);
    const counts = this.buildCounts();
    const result: ApplyResult = {
      runId: this.runId,
      mode: this.mode,
      status,
      exitCode: exitCodeFor(status),
      report,
      counts,
      warnings: this.warnings,
      ...(fatal ? { error: fatal } : {}),
      ...(this.guards ? { guards: this.guards } : {}),
      ...(this.capacity ? { capacity: this.capacity } : {}),
    };
    if (this.mode === "plan") {
      result.plan = {
        version: PLAN_VERSION,
        plan_run_id: this.runId,
        pull_run_id: this.pullRunId,
        created_at: this.startedAt.toISOString(),
        managed_campaign_ids: [...this.o.settings.managedCampaignIds],
        only: this.o.only ?? null,
        capacity: { allowed: this.capacity?.allowed ?? 0, per_campaign: this.capacity?.perCampaign ?? {} },
        actions: (this.journal as RecordingJournal).actions,
      };
    }
    crashPoint("apply.before-run-row");
    try {
      await writeRunRow(this.o.warehouse, {
        runId: this.runId,
        mode: this.mode,
        startedAt: this.startedAt,
        finishedAt,
        status,
        counts,
        error: fatal ?? null,
        ciRunUrl: ciRunUrl(this.o.env),
      });
    } catch (error) {
      this.warnings.push(`could not write the sync_runs row: ${describeFatal(error)}`);
      if (status !== "failed") {
        result.status = "failed";
        result.exitCode = ExitCode.failed;
      }
    }
    if (this.mode === "apply" && this.o.onReport) {
      try {
        this.warnings.push(...(await this.o.onReport(report, { campaigns: this.campaigns })));
      } catch (error) {
        this.warnings.push(`notification failed: ${describeFatal(error)}`);
      }
    }
    return result;
  }

  buildCounts(): Record<string, unknown> {
    const stats = this.o.client.stats().totals;
    return {
      pull_run_id: this.pull?.runId ?? null,
      only: this.o.only ?? null,
      force: this.o.force ?? false,
      plan_run_id: this.o.plan?.plan_run_id ?? null,
      by_op_state: this.tally.byOpState,
      by_reason: this.tally.byReason,
      by_campaign: this.tally.byCampaign,
      errors_by_class: this.tally.errorsByClass,
      capacity: this.capacity ?? null,
      blocked_campaigns: this.guards?.blockedCampaigns ?? {},
      guards_overridden: this.guards?.overridden ?? [],
      verification: this.verification,
      api: {
        calls: stats.calls - this.callsBefore.calls,
        requests: stats.requests - this.callsBefore.requests,
        retries: stats.retries - this.callsBefore.retries,
        rate_limited: stats.rateLimited - this.callsBefore.rateLimited,
      },
      phase_ms: this.phaseMs,
      warnings: this.warnings,
    };
  }

  buildReport(
    status: RunStatus,
    finishedAt: Date,
    fatal: string | undefined,
    eligibleBefore: number | undefined,
  ): RunReport {
    const t = this.tally;
    const byReason: Record<string, number> = {};
    for (const d of this.drainRows) byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
    const deleted = t.count("drain", "succeeded");
    const added = t.count("add", "succeeded");
    const before = this.budget?.activeInventory ?? 0;
    const stats = this.o.client.stats().totals;
    const calls = stats.calls - this.callsBefore.calls;
    const statusDelta = (pred: (k: string) => boolean) =>
      Object.entries(stats.byStatus)
        .filter(([k]) => pred(k))
        .reduce((n, [k, v]) => n + v - (this.callsBefore.byStatus[k] ?? 0), 0);
    const ci = ciRunUrl(this.o.env);
    return {
      runId: this.runId,
      mode: this.mode,
      status,
      startedAt: this.startedAt,
      finishedAt,
      ...(ci ? { ciRunUrl: ci } : {}),
      ...(fatal ? { error: fatal } : {}),
      phases: this.phases,
      capacity: {
        cap: this.budget?.cap ?? this.o.settings.vars.inventory_cap,
        inventoryBefore: before,
        inventoryAfter: before - deleted + added,
        slots: this.budget?.slots ?? 0,
        // Eligible leads of the pool (rpt_lead_eligibility, computed before this run) minus what it added.
        eligibleRemaining: Math.max(0, (eligibleBefore ?? this.budget?.queued ?? 0) - added),
      },
      adds: {
        attempted: this.adds.attempted,
        added,
        skipped: t.count("add", "skipped"),
        rejected: t.count("add", "rejected") + t.count("add", "invalid"),
        failed: t.count("add", "failed"),
        byCampaign: this.campaigns.map((m) => {
          const id = m.campaign.id.toLowerCase();
          const attempted = ["succeeded", "skipped", "rejected", "invalid", "failed"].reduce(
            (n, s) => n + t.campaignCount(id, "add", s),
            0,
          );
          return {
            campaignId: id,
            segment: m.segment.name,
            campaignName: m.campaign.name,
            attempted,
            added: t.campaignCount(id, "add", "succeeded"),
          };
        }),
      },
      verification: {
        ...this.verification,
        failedDisposition:
          "invalid: suppressed, never pushed; catch-all: not pushed while allow_catch_all is false; pending: verified again next run",
      },
      drain: {
        analyzed: this.pull?.leadRows ?? 0,
        kept: Math.max(0, (this.pull?.leadRows ?? 0) - this.drainRows.length),
        identified: this.drainRows.length,
        byReason,
        attempted: this.drainsAttempted.n,
        deleted,
        failed: t.count("drain", "failed") + t.count("drain", "rejected"),
      },
      blocklist: { added: t.count("block", "succeeded") },
      api: {
        calls,
        succeeded: statusDelta((k) => /^2\d\d$/.test(k)),
        retries: stats.retries - this.callsBefore.retries,
        throttled: stats.rateLimited - this.callsBefore.rateLimited,
      },
      errorsByClass: { ...t.errorsByClass },
      errorsByPhase: { drain: { ...t.errorsByPhase.drain }, push: { ...t.errorsByPhase.push } },
      phaseDurationsMs: { ...this.phaseMs },
    };
  }
}

/** A "true"/"false" var read exactly like includes/config.js `flag` does. */
function flagVar(settings: Settings, name: string, fallback: boolean): boolean {
  const raw = (settings.rawVars[name] ?? String(fallback)).trim().toLowerCase();
  if (raw !== "true" && raw !== "false") {
    throw new UserError(
      `workflow_settings.yaml var ${name} must be "true" or "false", got ${JSON.stringify(raw)}`,
    );
  }
  return raw === "true";
}

function pushAction(r: PushRow): PlannedAction {
  return makeAction({
    action_id: r.action_id,
    op: "add",
    email: r.email,
    campaign_id: r.campaign_id,
    reason: r.segment,
    rank: r.rank,
    segment: r.segment,
    first_name: r.first_name,
    last_name: r.last_name,
    company_name: r.company_name,
    custom_variables: primitives(r.custom_variables),
  });
}

/** Instantly custom variables are flat: string, number, boolean or null; anything else becomes JSON text. */
function primitives(
  vars: Record<string, unknown> | null,
): Record<string, string | number | boolean | null> | null {
  if (!vars) return null;
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (v === null || v === undefined) out[k] = null;
    else if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (v instanceof Date) out[k] = v.toISOString();
    else out[k] = JSON.stringify(v);
  }
  return out;
}

function leadInput(a: PlannedAction): LeadInput {
  return {
    email: a.email,
    first_name: a.first_name,
    last_name: a.last_name,
    company_name: a.company_name,
    ...(a.custom_variables ? { custom_variables: a.custom_variables } : {}),
  };
}

function failedEntry(action: PlannedAction, outcome: InstantlyOutcome<unknown>): FinalEntry {
  switch (outcome.status) {
    case "rejected":
      return {
        action,
        state: "rejected",
        retryable: false,
        errorCode: outcome.code,
        httpStatus: outcome.httpStatus,
        message: outcome.message,
      };
    case "failed":
      return {
        action,
        state: "failed",
        retryable: outcome.retryable,
        errorCode: outcome.code,
        httpStatus: outcome.httpStatus ?? null,
        message: outcome.message,
      };
    case "fatal":
      return {
        action,
        state: "failed",
        retryable: true,
        errorCode: outcome.code,
        httpStatus: outcome.httpStatus ?? null,
        message: outcome.message,
      };
    default:
      return { action, state: "failed", retryable: true, errorCode: "internal_error" };
  }
}

function fatalError(outcome: InstantlyOutcome<unknown>): Error {
  const message = "message" in outcome ? outcome.message : "fatal error";
  return new UserError(message, { exitCode: ExitCode.failed });
}

function describeFatal(error: unknown): string {
  if (error instanceof InstantlyFatalError || error instanceof UserError) {
    return safeMessage(error.hint ? `${error.message} (${error.hint})` : error.message, 1000);
  }
  return safeMessage(
    error instanceof Error ? (error.message.split("\n")[0] ?? "error") : String(error),
    1000,
  );
}
