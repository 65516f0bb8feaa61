import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import type { RunReport } from "../../engine/src/core/run-report.ts";
import { createDuckDbAlertStore, createWarehouseAlertStore } from "../../engine/src/notify/alert-store.ts";
import {
  type AlertState,
  type CampaignBounce,
  evaluateAlerts,
  measureAlerts,
} from "../../engine/src/notify/alerts.ts";
import { createNotifier } from "../../engine/src/notify/create-notifier.ts";
import { notifyRun } from "../../engine/src/notify/notify.ts";
import { startNotifySink } from "../../engine/src/sandbox/notify-sink.ts";
import { ensureContract, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { figuresAsSqlWould, sampleReport } from "./fixtures.ts";

const settings = loadSettings({ projectDir: repoRoot() });
const T0 = new Date("2025-01-15T12:00:00Z").getTime();

/** A run finishing `hours` after T0 with the given inventory / verification / row figures. */
function runAt(
  n: number,
  hours: number,
  o: {
    inventory?: number;
    verified?: number;
    answered?: number;
    badRows?: number;
    status?: RunReport["status"];
  } = {},
): RunReport {
  const r = sampleReport({ runId: `run-${n}`, status: o.status ?? "succeeded", ciRunUrl: undefined });
  r.finishedAt = new Date(T0 + hours * 3_600_000);
  r.startedAt = new Date(r.finishedAt.getTime() - 60_000);
  r.capacity = { ...r.capacity, inventoryAfter: o.inventory ?? 1_000 };
  const answered = o.answered ?? 100;
  const verified = o.verified ?? answered;
  r.verification = {
    ...r.verification,
    attempted: answered,
    verified,
    invalid: answered - verified,
    catchAll: 0,
  };
  r.adds = { ...r.adds, attempted: 100, rejected: o.badRows ?? 0, failed: 0 };
  r.drain = { ...r.drain, attempted: 100, failed: 0 };
  if (r.status === "failed") r.error = "Instantly answered 401";
  return r;
}

// int_campaign_health rows: 1,000 contacted and sent, the rate as the SQL computes it (bounced / contacted).
const health = (campaignId: string, campaignName: string, bounced: number): CampaignBounce => ({
  campaignId,
  campaignName,
  contacted: 1_000,
  sent: 1_000,
  bounced,
  bounceRatePct: (100 * bounced) / 1_000,
});
const bounce = (a: number, b?: number): CampaignBounce[] => [
  health("camp-a", "SMB", a),
  ...(b === undefined ? [] : [health("camp-b", "Midsize", b)]),
];

describe("alert evaluation (pure)", () => {
  it("raises once, stays quiet while it holds, clears once; unmeasured keeps state", () => {
    const state = new Map<string, AlertState>();
    const apply = (report: RunReport, campaignHealth?: CampaignBounce[]) => {
      const t = evaluateAlerts(
        state,
        measureAlerts(report, {
          figures: figuresAsSqlWould(report),
          ...(campaignHealth ? { campaignHealth } : {}),
        }),
      );
      for (const x of t) state.set(x.key, { key: x.key, state: x.state, value: null, at: report.finishedAt });
      return t.map((x) => `${x.key}:${x.state}`);
    };
    expect(apply(runAt(1, 0, { inventory: 20_000 }))).toEqual(["capacity_80:raised"]);
    expect(apply(runAt(2, 1, { inventory: 20_000 }))).toEqual([]);
    expect(apply(runAt(3, 2, { inventory: 22_000 }))).toEqual(["capacity_90:raised"]);
    expect(apply(runAt(4, 3, { inventory: 1_000, answered: 0 }))).toEqual([
      "capacity_80:cleared",
      "capacity_90:cleared",
    ]);
    expect(apply(runAt(5, 4, { verified: 70 }))).toEqual(["verification_success:raised"]);
    // No verification this run: the alert neither clears nor re-fires.
    expect(apply(runAt(6, 5, { answered: 0 }))).toEqual([]);
    expect(apply(runAt(7, 6, { verified: 95 }))).toEqual(["verification_success:cleared"]);
  });

  it("plan runs raise nothing; thresholds come from optional vars", () => {
    expect(measureAlerts({ ...runAt(1, 0, { inventory: 23_000 }), mode: "plan" })).toEqual([]);
    const t = loadSettings({
      projectDir: repoRoot(),
      overrides: { alert_capacity_warn_pct: "50", alert_no_success_hours: "2" },
    }).alertThresholds;
    expect(t).toMatchObject({ capacityWarnPct: 50, capacityCriticalPct: 90, noSuccessHours: 2 });
    expect(() =>
      loadSettings({ projectDir: repoRoot(), overrides: { alert_bounce_max_pct: "two" } }),
    ).toThrow('vars.alert_bounce_max_pct must be a number >= 0, got "two"');
    const keys = measureAlerts(runAt(1, 0), { thresholds: t, figures: figuresAsSqlWould(runAt(1, 0)) }).map(
      (m) => m.key,
    );
    expect(keys).toContain("capacity_50");
  });
});

describe("bounce alert reads the SQL's rate", () => {
  it("alerts on int_campaign_health.bounce_rate_pct; an unjudged campaign (NULL rate) neither raises nor clears", () => {
    const measured = (rows: CampaignBounce[]) =>
      measureAlerts(runAt(1, 0), { campaignHealth: rows }).filter((m) => m.key.startsWith("bounce_rate"));
    const [over] = measured(bounce(30));
    expect(over).toMatchObject({ key: "bounce_rate:camp-a", active: true, value: 3, threshold: 2 });
    expect(over?.detail).toBe("SMB: 30 bounced of 1,000 contacted (3.0%)");
    const unjudged = measured([{ ...health("camp-a", "SMB", 5), contacted: 10, bounceRatePct: null }]);
    expect(unjudged.map((m) => m.active)).toEqual([undefined]);
    const state = new Map<string, AlertState>([
      ["bounce_rate:camp-a", { key: "bounce_rate:camp-a", state: "raised", value: 3, at: new Date(T0) }],
    ]);
    expect(evaluateAlerts(state, unjudged)).toEqual([]);
  });
});

describe("alert state in the warehouse across runs", () => {
  it("fires each transition exactly once each way, surviving a reopen of the DuckDB file", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "alerts-")), "w.duckdb");
    const sequence: Array<{
      report: RunReport;
      health?: CampaignBounce[];
      lastSuccessAt?: Date | null;
      expect: string[];
    }> = [
      {
        report: runAt(1, 0, { inventory: 20_000 }),
        health: bounce(30, 10),
        expect: ["capacity_80:raised", "bounce_rate:camp-a:raised"],
      },
      {
        report: runAt(2, 0.5, { inventory: 20_000, badRows: 30 }),
        health: bounce(30, 25),
        expect: ["row_failure_rate:raised", "bounce_rate:camp-b:raised"],
      },
      {
        report: runAt(3, 1, { inventory: 20_000 }),
        health: bounce(10),
        expect: ["row_failure_rate:cleared", "bounce_rate:camp-a:cleared"],
      },
      {
        report: runAt(4, 1.5, { inventory: 5_000 }),
        health: bounce(10, 5),
        expect: ["capacity_80:cleared", "bounce_rate:camp-b:cleared"],
      },
      {
        report: runAt(5, 2, { status: "failed" }),
        lastSuccessAt: new Date(T0 + 1.5 * 3_600_000),
        expect: ["run_failed:raised"],
      },
      {
        report: runAt(6, 5, { status: "failed" }),
        lastSuccessAt: new Date(T0 + 1.5 * 3_600_000),
        expect: [],
      },
      {
        report: runAt(7, 9, { status: "failed" }),
        lastSuccessAt: new Date(T0 + 1.5 * 3_600_000),
        expect: ["no_success:raised"],
      },
      {
        report: runAt(8, 10, { status: "failed" }),
        lastSuccessAt: new Date(T0 + 1.5 * 3_600_000),
        expect: [],
      },
      { report: runAt(9, 10.5), expect: ["run_failed:cleared", "no_success:cleared"] },
      { report: runAt(10, 11), expect: [] },
    ];
    const printed: string[] = [];
    for (const step of sequence) {
      // A fresh connection per run: nothing is remembered in memory.
      const wh = await openDuckDb(file);
      try {
        await ensureContract(wh.conn, settings);
        const result = await notifyRun(step.report, {
          figures: figuresAsSqlWould(step.report),
          notifier: createNotifier({}, { write: (t) => printed.push(t) }),
          alertStore: createDuckDbAlertStore(wh.conn, settings.vars.ops_dataset),
          ...(step.health ? { campaignHealth: step.health } : {}),
          ...(step.lastSuccessAt ? { lastSuccessAt: step.lastSuccessAt } : {}),
          timeZone: "UTC",
        });
        expect(result.warnings, step.report.runId).toEqual([]);
        expect(
          result.alerts.map((a) => `${a.key}:${a.state}`),
          step.report.runId,
        ).toEqual(step.expect);
        // Sync + drain + one message per alert transition.
        expect(result.delivered.map((d) => d.message)).toEqual([
          "drain",
          "sync",
          ...step.expect.map(() => "alert"),
        ]);
      } finally {
        wh.close();
      }
    }
    const wh = await openDuckDb(file);
    try {
      const rows = (
        await wh.conn.runAndReadAll(
          `select run_id, alert, state from ${settings.vars.ops_dataset}.alert_events order by recorded_at, alert`,
        )
      ).getRowObjectsJS();
      expect(rows).toHaveLength(sequence.reduce((n, s) => n + s.expect.length, 0));
      const byAlert = new Map<string, string[]>();
      for (const r of rows)
        byAlert.set(String(r.alert), [...(byAlert.get(String(r.alert)) ?? []), String(r.state)]);
      for (const states of byAlert.values()) expect(states).toEqual(["raised", "cleared"]);
      expect([...byAlert.keys()].sort()).toEqual([
        "bounce_rate:camp-a",
        "bounce_rate:camp-b",
        "capacity_80",
        "no_success",
        "row_failure_rate",
        "run_failed",
      ]);
    } finally {
      wh.close();
    }
    const alertText = printed.filter((p) => p.includes("Cold Email Alert"));
    expect(alertText.some((t) => t.includes("🚨 Cold Email Alert: Bounce rate above 2% in SMB"))).toBe(true);
    expect(alertText.some((t) => t.includes("✅ Cold Email Alert Resolved: Capacity back under 80%"))).toBe(
      true,
    );
  });

  it("an undelivered alert is not recorded, so the next run tries again", async () => {
    const wh = await openDuckDb(":memory:");
    try {
      await ensureContract(wh.conn, settings);
      const store = createDuckDbAlertStore(wh.conn, settings.vars.ops_dataset);
      const closed = await startNotifySink();
      await closed.close();
      const dead = createNotifier(closed.env("slack"), {
        retry: { baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 1_000 },
      });
      const first = await notifyRun(runAt(1, 0, { inventory: 20_000 }), {
        figures: figuresAsSqlWould(runAt(1, 0, { inventory: 20_000 })),
        notifier: dead,
        alertStore: store,
      });
      expect(first.alerts.map((a) => a.key)).toEqual(["capacity_80"]);
      expect(first.warnings).toHaveLength(3);
      expect(first.warnings[2]).toBe(
        "alert notification not delivered: Slack webhook failed after 3 attempts: ECONNREFUSED",
      );
      expect((await store.load()).size).toBe(0);
      const out: string[] = [];
      const second = await notifyRun(runAt(2, 1, { inventory: 20_000 }), {
        figures: figuresAsSqlWould(runAt(2, 1, { inventory: 20_000 })),
        notifier: createNotifier({}, { write: (t) => out.push(t) }),
        alertStore: store,
      });
      expect(second.alerts.map((a) => `${a.key}:${a.state}`)).toEqual(["capacity_80:raised"]);
      expect((await store.load()).get("capacity_80")?.state).toBe("raised");
    } finally {
      wh.close();
    }
  });

  it("works the same through the warehouse port", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "alerts-port-")), "w.duckdb");
    const warehouse = await DuckDbWarehouse.open(file, settings);
    try {
      await warehouse.ensureContract();
      const store = createWarehouseAlertStore(warehouse);
      const quiet = createNotifier({}, { write: () => {} });
      const a = await notifyRun(runAt(1, 0, { inventory: 20_000 }), {
        figures: figuresAsSqlWould(runAt(1, 0, { inventory: 20_000 })),
        notifier: quiet,
        alertStore: store,
      });
      const b = await notifyRun(runAt(2, 1, { inventory: 20_000 }), {
        figures: figuresAsSqlWould(runAt(2, 1, { inventory: 20_000 })),
        notifier: quiet,
        alertStore: store,
      });
      const c = await notifyRun(runAt(3, 2), {
        figures: figuresAsSqlWould(runAt(3, 2)),
        notifier: quiet,
        alertStore: store,
      });
      expect([a, b, c].map((r) => r.alerts.map((x) => `${x.key}:${x.state}`))).toEqual([
        ["capacity_80:raised"],
        [],
        ["capacity_80:cleared"],
      ]);
      expect((await store.load()).get("capacity_80")).toMatchObject({ state: "cleared", value: 4.2 });
    } finally {
      await warehouse.close();
    }
  });
});
