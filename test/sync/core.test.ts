import { spawnSync } from "node:child_process";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, test } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { isAmbiguousFailure, isSettled, mayHaveLanded } from "../../engine/src/core/action-state.ts";
import { chunk, groupBy } from "../../engine/src/core/batching.ts";
import { allowedAdds } from "../../engine/src/core/capacity.ts";
import { ExitCode } from "../../engine/src/core/errors.ts";
import { evaluateGuards, type GuardInput } from "../../engine/src/core/guards.ts";
import { makeAction, planSchema, summarisePlan } from "../../engine/src/core/plan.ts";
import { deriveRunStatus, exitCodeFor } from "../../engine/src/core/run-status.ts";
import type { ActionStateName } from "../../engine/src/core/states.ts";
import { CRASH_POINTS, parseCrashTarget } from "../../engine/src/sync/crash-points.ts";
import { ciRunUrl, newRunId } from "../../engine/src/sync/run-id.ts";
import type { PriorState } from "../../engine/src/sync/warehouse-reads.ts";
import { actionId } from "../setup/action-id.ts";
import { loadIncludes } from "../sql/includes.ts";

describe("actionId", () => {
  test("is the same hash as includes/sql.js actionId computes on DuckDB", async () => {
    // includes/sql.js is CommonJS evaluated by Dataform with a `dataform` global: do the same.
    const module = { exports: loadIncludes({ dialect: "duckdb" })("sql") };
    const sql = module.exports as {
      actionId: (...e: string[]) => string;
      str: (s: string) => string;
    };
    const cases: Array<[Parameters<typeof actionId>[0], string | null, string | null, string | null]> = [
      ["block", "ana@example.com", "8c46e0c9-c1f9-4201-a8d6-6221bafeada6", "pull-20261122T000000Z-abcdef"],
      ["verify", "Ünïcode.Name@exämple.de", "5ffbe8c3-dc0e-41e4-9999-48f00d2015df", "pull-1"],
      ["add", "x@y.io", null, null],
    ];
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    try {
      for (const [op, email, campaign, run] of cases) {
        const lit = (v: string | null) => (v === null ? "null" : sql.str(v));
        const expr = sql.actionId(sql.str(op), lit(email), lit(campaign), lit(run));
        const reader = await conn.runAndReadAll(`select ${expr} as id`);
        const fromSql = (reader.getRowObjectsJS()[0] as { id: string }).id;
        expect(actionId(op, email, campaign, run)).toBe(fromSql);
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  test("differs by op, email, campaign and pull", () => {
    const base = actionId("add", "a@b.co", "c1", "p1");
    expect(base).toMatch(/^[0-9a-f]{32}$/);
    expect(actionId("drain", "a@b.co", "c1", "p1")).not.toBe(base);
    expect(actionId("add", "a2@b.co", "c1", "p1")).not.toBe(base);
    expect(actionId("add", "a@b.co", "c2", "p1")).not.toBe(base);
    expect(actionId("add", "a@b.co", "c1", "p2")).not.toBe(base);
  });
});

describe("guards", () => {
  // int_campaign_health rows; which rates are over bounce_block_pct is tested on the SQL itself
  // (test/sql/campaign-health.test.ts).
  const health = (campaignId: string, bounceRatePct: number | null, isBounceBlocked: boolean) => ({
    campaignId,
    campaignName: campaignId,
    segment: null,
    contacted: 100,
    sent: 100,
    bounced: 1,
    bounceRatePct,
    bounceBlockPct: 3,
    isBounceBlocked,
  });
  const base: GuardInput = {
    campaigns: [
      { campaignId: "c1", segment: "smb", status: 1 },
      { campaignId: "c2", segment: "midsize", status: 1 },
    ],
    health: [health("c1", 1, false), health("c2", 1, false)],
    drainCount: 10,
    inventory: 100,
    maxDrainFraction: 0.5,
    sourceLeads: 1,
    force: false,
  };

  test("healthy input blocks nothing and does not abort", () => {
    expect(evaluateGuards(base)).toEqual({ abort: [], overridden: [], blockedCampaigns: {} });
  });

  test("an inactive campaign gets no adds", () => {
    const r = evaluateGuards({
      ...base,
      campaigns: [{ ...base.campaigns[0]!, status: 2 }, base.campaigns[1]!],
    });
    expect(r.blockedCampaigns.c1?.reason).toBe("inactive");
    expect(r.blockedCampaigns.c2).toBeUndefined();
    expect(r.abort).toEqual([]);
  });

  test("a campaign the SQL marks bounce-blocked gets no adds; unjudged or unknown ones do", () => {
    const over = evaluateGuards({ ...base, health: [health("c1", 4, true), health("c2", 3, false)] });
    expect(over.blockedCampaigns.c1?.reason).toBe("bounce_rate");
    expect(over.blockedCampaigns.c1?.detail).toBe(
      "campaign c1 (smb) bounce rate 4.00% is over bounce_block_pct 3%: no adds to it",
    );
    expect(over.blockedCampaigns.c2).toBeUndefined();
    expect(over.abort).toEqual([]);
    const unjudged = evaluateGuards({ ...base, health: [health("c1", null, false)] });
    expect(unjudged.blockedCampaigns).toEqual({});
    expect(evaluateGuards({ ...base, health: [] }).blockedCampaigns).toEqual({});
  });

  test("a drain over max_drain_fraction aborts unless forced", () => {
    const r = evaluateGuards({ ...base, drainCount: 51 });
    expect(r.abort).toHaveLength(1);
    expect(r.abort[0]).toMatch(/drain guard: 51 drains/);
    expect(evaluateGuards({ ...base, drainCount: 50 }).abort).toEqual([]);
    const forced = evaluateGuards({ ...base, drainCount: 51, force: true });
    expect(forced.abort).toEqual([]);
    expect(forced.overridden).toHaveLength(1);
  });

  test("an empty source aborts unless forced; an unchecked source does not", () => {
    expect(evaluateGuards({ ...base, sourceLeads: 0 }).abort[0]).toMatch(/empty-source guard/);
    expect(evaluateGuards({ ...base, sourceLeads: 0, force: true }).abort).toEqual([]);
    expect(evaluateGuards({ ...base, sourceLeads: undefined }).abort).toEqual([]);
  });
});

describe("capacity", () => {
  const base = {
    cap: 100,
    activeInventory: 90,
    slots: 20,
    campaignSlots: null,
    drainsConfirmed: 10,
    addsOutstanding: 0,
    addsOutstandingByCampaign: {},
    blockedCampaigns: [],
    managedCampaigns: ["a", "b"],
  };

  test("counts only confirmed drains as freed room", () => {
    expect(allowedAdds(base).allowed).toBe(20);
    expect(allowedAdds({ ...base, drainsConfirmed: 0 }).allowed).toBe(10);
    expect(allowedAdds({ ...base, activeInventory: 130, drainsConfirmed: 0 }).allowed).toBe(0);
  });

  test("subtracts adds of the same pull that earlier runs landed", () => {
    expect(allowedAdds({ ...base, addsOutstanding: 15 }).allowed).toBe(5);
    expect(allowedAdds({ ...base, addsOutstanding: 50 }).allowed).toBe(0);
  });

  test("splits per campaign when campaign_slots are set; blocked campaigns get none", () => {
    const r = allowedAdds({
      ...base,
      campaignSlots: { a: 12, b: 8 },
      addsOutstandingByCampaign: { a: 2 },
      addsOutstanding: 2,
      blockedCampaigns: ["b"],
    });
    expect(r.split).toBe(true);
    expect(r.allowed).toBe(18);
    expect(r.perCampaign).toEqual({ a: 10, b: 0 });
    const unsplit = allowedAdds({ ...base, campaignSlots: { a: null, b: null } });
    expect(unsplit.split).toBe(false);
    expect(unsplit.perCampaign).toEqual({ a: 20, b: 20 });
  });
});

describe("run status", () => {
  test("never succeeded with a rejected or failed row", () => {
    expect(deriveRunStatus({ fatal: false, states: { succeeded: 5, skipped: 2, invalid: 1 } })).toBe(
      "succeeded",
    );
    expect(deriveRunStatus({ fatal: false, states: { succeeded: 5, rejected: 1 } })).toBe("partial");
    expect(deriveRunStatus({ fatal: false, states: { failed: 1 } })).toBe("partial");
    expect(deriveRunStatus({ fatal: true, states: { succeeded: 5 } })).toBe("failed");
    expect(deriveRunStatus({ fatal: false, skipped: true, states: {} })).toBe("skipped");
  });

  test("exit codes match", () => {
    expect(exitCodeFor("succeeded")).toBe(ExitCode.ok);
    expect(exitCodeFor("partial")).toBe(ExitCode.partial);
    expect(exitCodeFor("failed")).toBe(ExitCode.failed);
    expect(exitCodeFor("skipped")).toBe(ExitCode.locked);
  });
});

describe("prior states", () => {
  const p = (
    state: ActionStateName,
    extra: { retryable?: boolean | null; errorCode?: string | null } = {},
  ): PriorState => ({
    op: "add",
    state,
    retryable: extra.retryable ?? null,
    errorCode: extra.errorCode ?? null,
    campaignId: "c",
    leadId: null,
    at: 0,
  });
  test("only clear, retryable failures are sent again in the same pull", () => {
    expect(isSettled(undefined)).toBe(false);
    expect(isSettled(p("failed", { retryable: true, errorCode: "rate_limited" }))).toBe(false);
    expect(isSettled(p("failed", { retryable: true, errorCode: "circuit_open" }))).toBe(false);
    expect(isSettled(p("failed", { retryable: false }))).toBe(true);
    for (const s of ["succeeded", "rejected", "invalid", "skipped", "intent"] as const)
      expect(isSettled(p(s))).toBe(true);
  });

  test("an ambiguous add failure waits for the next pull and holds a slot; a drain is retried", () => {
    for (const code of ["unconfirmed", "http_503", "http_408", "timeout", "connection_reset"]) {
      expect(isAmbiguousFailure(code)).toBe(true);
      expect(isSettled(p("failed", { retryable: true, errorCode: code }))).toBe(true);
      expect(mayHaveLanded(p("failed", { retryable: true, errorCode: code }))).toBe(true);
      expect(isSettled({ ...p("failed", { retryable: true, errorCode: code }), op: "drain" })).toBe(false);
    }
    for (const code of ["connection_refused", "http_422", "rate_limited", null])
      expect(isAmbiguousFailure(code)).toBe(false);
    expect(mayHaveLanded(p("succeeded"))).toBe(true);
    expect(mayHaveLanded(p("intent"))).toBe(true);
    expect(mayHaveLanded(p("skipped"))).toBe(false);
    expect(mayHaveLanded({ ...p("succeeded"), op: "drain" })).toBe(false);
    // Within a pull an intent waits for the next pull to settle it; a retryable failure is sent again.
    expect(isSettled({ ...p("intent"), op: "drain" })).toBe(true);
    expect(isSettled({ ...p("intent"), op: "block" })).toBe(true);
    expect(isSettled({ ...p("failed", { retryable: null }), op: "drain" })).toBe(false);
  });
});

describe("helpers", () => {
  test("chunk and groupBy keep order", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunk([1], 0)).toThrow(/chunk size/);
    expect([...groupBy(["b1", "a1", "b2"], (s) => s[0]!)]).toEqual([
      ["b", ["b1", "b2"]],
      ["a", ["a1"]],
    ]);
  });

  test("run ids sort by time and CI url comes from the environment", () => {
    const a = newRunId("apply", new Date("2026-01-02T03:04:05.678Z"));
    expect(a).toMatch(/^apply-20260102T030405Z-[0-9a-f]{6}$/);
    expect(ciRunUrl({})).toBeUndefined();
    expect(ciRunUrl({ CI_RUN_URL: "https://ci/1" })).toBe("https://ci/1");
    expect(
      ciRunUrl({ GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "42" }),
    ).toBe("https://github.com/o/r/actions/runs/42");
  });

  test("plan schema rejects a bad action and the summary has no emails", () => {
    const action = makeAction({
      action_id: "0".repeat(32),
      op: "add",
      email: "p@q.rs",
      campaign_id: "c",
      reason: "smb",
    });
    const plan = {
      version: 1,
      plan_run_id: "plan-x",
      pull_run_id: "pull-x",
      created_at: new Date().toISOString(),
      managed_campaign_ids: ["c"],
      only: null,
      capacity: { allowed: 1, per_campaign: { c: 1 } },
      actions: [action],
    };
    expect(planSchema.parse(plan).actions).toHaveLength(1);
    expect(planSchema.safeParse({ ...plan, actions: [{ ...action, op: "nuke" }] }).success).toBe(false);
    const s = summarisePlan([action]);
    expect(s).toEqual({ byOp: { add: 1 }, byReason: { "add:smb": 1 }, byCampaign: { c: { add: 1 } } });
    expect(JSON.stringify(s)).not.toContain("@");
  });
});

describe("crash points", () => {
  test("parse names and hit counts; unknown names are refused", () => {
    expect(parseCrashTarget("apply.after-call#3")).toEqual({ name: "apply.after-call", nth: 3 });
    expect(parseCrashTarget("pull.snapshot")).toEqual({ name: "pull.snapshot", nth: 1 });
    expect(() => parseCrashTarget("apply.nowhere")).toThrow(/unknown crash point/);
    expect(CRASH_POINTS).toContain("apply.mid-writeback");
  });

  test("the n-th hit kills the process with SIGKILL, earlier hits do not", () => {
    const script = [
      'import { crashPoint } from "./engine/src/sync/crash-points.ts";',
      'crashPoint("apply.after-call"); process.stdout.write("1 ");',
      'crashPoint("apply.after-call"); process.stdout.write("2 ");',
      'crashPoint("apply.after-call"); process.stdout.write("3 ");',
    ].join("\n");
    const run = (target: string) =>
      spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: repoRoot(),
        env: { ...process.env, ENGINE_CRASH_AT: target },
        encoding: "utf8",
      });
    const killed = run("apply.after-call#2");
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stdout).toBe("1 ");
    const other = run("apply.before-intents");
    expect(other.status).toBe(0);
    expect(other.stdout).toBe("1 2 3 ");
  });
});
