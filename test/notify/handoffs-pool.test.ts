import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import type { RunReport } from "../../engine/src/core/run-report.ts";
import { createWarehouseAlertStore } from "../../engine/src/notify/alert-store.ts";
import { createNotifier } from "../../engine/src/notify/create-notifier.ts";
import { loadHandoffsForNotify, readRunHandoffs } from "../../engine/src/notify/handoffs.ts";
import { notifyRun } from "../../engine/src/notify/notify.ts";
import { loadPoolFillForNotify } from "../../engine/src/notify/pool-alert.ts";
import { renderDrainMessage, renderSyncMessage } from "../../engine/src/notify/render.ts";
import type { AttentionItem } from "../../engine/src/report/attention.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { figuresAsSqlWould, sampleReasonLabels, sampleReport } from "./fixtures.ts";

/**
 * The drain message's hand-off block (rpt_handoffs counts for the run, no lead), the pool-running-dry
 * alert (rpt_attention's pool_fill row, once per state change) and the failed-run / plural papercuts.
 */
const settings = loadSettings({ projectDir: repoRoot() });
const opts = { timeZone: "UTC", reasonLabels: sampleReasonLabels() };

async function openWarehouse(prefix: string): Promise<DuckDbWarehouse> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), prefix)), "w.duckdb");
  const warehouse = await DuckDbWarehouse.open(file, settings);
  await warehouse.ensureContract();
  return warehouse;
}

describe("hand-offs in the drain message", () => {
  it("says how many the run handed off, by reason, and where to find who; never a lead", () => {
    const m = renderDrainMessage(sampleReport(), {
      ...opts,
      handoffs: { total: 3, byReason: { replied: 1, interested: 2 } },
    });
    expect(m.text).toContain(
      "🤝 **Hand-offs**\n• 3 leads handed off to sales this run (interested 2, replied 1)\n• who: `engine handoffs --since 24h` (or --csv FILE), table rpt_handoffs in the warehouse",
    );
    // after the breakdown, before the deletion results
    expect(m.terminalText.indexOf("Hand-offs")).toBeGreaterThan(m.terminalText.indexOf("Drain Breakdown"));
    expect(m.terminalText.indexOf("Hand-offs")).toBeLessThan(m.terminalText.indexOf("Deletion Results"));
    expect(JSON.stringify(m.slack)).toContain("3 leads handed off to sales this run");
    expect(m.notificationData.handoffs).toEqual({
      total: 3,
      by_reason: { replied: 1, interested: 2 },
      table: "rpt_handoffs",
    });
  });

  it("one lead reads singular; no view says so; no count asked for shows no block", () => {
    const one = renderDrainMessage(sampleReport(), {
      ...opts,
      handoffs: { total: 1, byReason: { meeting_booked: 1 } },
    });
    expect(one.text).toContain("• 1 lead handed off to sales this run (meeting booked 1)");
    const none = renderDrainMessage(sampleReport(), {
      ...opts,
      handoffs: null,
      figures: figuresAsSqlWould(sampleReport()),
    });
    expect(none.text).toContain("• Not counted: rpt_handoffs is not built yet (run `engine transform`)");
    const absent = renderDrainMessage(sampleReport(), {
      ...opts,
      figures: figuresAsSqlWould(sampleReport()),
    });
    expect(absent.text).not.toContain("Hand-offs");
  });

  it("counts this run's rows of rpt_handoffs only; a missing view is null", async () => {
    const warehouse = await openWarehouse("handoffs-notify-");
    try {
      expect(await readRunHandoffs(warehouse, "run-2")).toBeNull();
      const schema = settings.vars.reporting_dataset;
      await warehouse.conn.run(`create schema if not exists "${schema}"`);
      await warehouse.conn.run(
        `create table "${schema}".rpt_handoffs as
         select * from (values
           ('a@x.com', 'interested', 'run-2'),
           ('b@x.com', 'interested', 'run-2'),
           ('c@x.com', 'replied', 'run-2'),
           ('d@x.com', 'meeting_booked', 'run-1')
         ) t(email, handoff_reason, drain_run_id)`,
      );
      expect(await loadHandoffsForNotify(warehouse, "run-2")).toEqual({
        handoffs: { total: 3, byReason: { interested: 2, replied: 1 } },
      });
      expect(await readRunHandoffs(warehouse, "run-3")).toEqual({ total: 0, byReason: {} });
    } finally {
      await warehouse.close();
    }
  });
});

function fill(o: Partial<AttentionItem> = {}): AttentionItem {
  return {
    kind: "pool_fill",
    subject: "push_budget",
    segment: null,
    campaignId: null,
    reason: null,
    items: 25,
    value: 25,
    threshold: 50,
    since: null,
    detail: null,
    eligibleLeft: 25,
    addsPerDay: null,
    runwayDays: null,
    slots: 100,
    heldDomainLimit: 562,
    heldCooldown: 40,
    heldSuppressed: 0,
    needsAttention: true,
    sortOrder: 6,
    ...o,
  };
}

describe("pool running dry alert, once per state change", () => {
  const T0 = new Date("2025-01-15T12:00:00Z").getTime();
  const runAt = (n: number, o: Partial<RunReport> = {}): RunReport => {
    const r = sampleReport({ runId: `run-${n}`, status: "succeeded", ciRunUrl: undefined, ...o });
    r.finishedAt = new Date(T0 + n * 3_600_000);
    r.startedAt = new Date(r.finishedAt.getTime() - 60_000);
    return r;
  };

  it("raises when the run's candidates fill under half its slots, clears when they fill half again", async () => {
    const warehouse = await openWarehouse("pool-alert-");
    const printed: string[] = [];
    try {
      const store = createWarehouseAlertStore(warehouse);
      const steps: Array<{ report?: Partial<RunReport>; poolFill: AttentionItem | null; expect: string[] }> =
        [
          { poolFill: fill(), expect: ["pool_fill:raised"] },
          { poolFill: fill({ items: 20, value: 20 }), expect: [] },
          // no rpt_attention (older warehouse): not measured, nothing raises or clears
          { poolFill: null, expect: [] },
          // a drain-only run adds nothing: not measured
          {
            report: { phases: { drain: true, push: false } },
            poolFill: fill({ needsAttention: false }),
            expect: [],
          },
          { poolFill: fill({ items: 80, value: 80, needsAttention: false }), expect: ["pool_fill:cleared"] },
          { poolFill: fill({ items: 80, value: 80, needsAttention: false }), expect: [] },
        ];
      for (const [i, step] of steps.entries()) {
        const result = await notifyRun(runAt(i + 1, step.report), {
          notifier: createNotifier({}, { write: (t) => printed.push(t) }),
          alertStore: store,
          timeZone: "UTC",
          poolFill: step.poolFill,
        });
        expect(result.warnings, `step ${i + 1}`).toEqual([]);
        expect(
          result.alerts.map((a) => `${a.key}:${a.state}`).filter((k) => k.startsWith("pool_fill")),
          `step ${i + 1}`,
        ).toEqual(step.expect);
      }
    } finally {
      await warehouse.close();
    }
    const raised = printed.find((t) => t.includes("Cold Email Alert: Lead pool running dry"));
    expect(raised).toContain(
      "25 candidates for 100 slots; 25 eligible leads left, kept out: 562 by the domain limit, 40 cooling down (rpt_attention)",
    );
    expect(printed.some((t) => t.includes("Cold Email Alert Resolved: Lead pool fills half the slots"))).toBe(
      true,
    );
  });

  it("reads the pool_fill row of rpt_attention; without the view there is nothing to judge", async () => {
    const warehouse = await openWarehouse("pool-read-");
    try {
      expect(await loadPoolFillForNotify(warehouse)).toEqual({ fill: null });
      const schema = settings.vars.reporting_dataset;
      await warehouse.conn.run(`create schema if not exists "${schema}"`);
      await warehouse.conn.run(
        `create table "${schema}".rpt_attention as
         select * from (values
           ('pool_runway', 'smb', 'smb', 120::bigint, null::bigint, 3.0, 40.0, false, 7),
           ('pool_fill', 'push_budget', null, 25::bigint, 100::bigint, null, null, true, 6)
         ) t(kind, subject, segment, items, slots, runway_days, adds_per_day, needs_attention, sort_order)`,
      );
      const got = await loadPoolFillForNotify(warehouse);
      expect(got.fill).toMatchObject({ kind: "pool_fill", items: 25, slots: 100, needsAttention: true });
    } finally {
      await warehouse.close();
    }
  });
});

describe("papercuts: a failed run does not look green, one lead is singular", () => {
  it("a failed run shows ❌ on capacity and verification, not 🟢 and ✅", () => {
    const r = sampleReport({ status: "failed", error: "HTTP 500 from Instantly" });
    r.verification = {
      ...r.verification,
      attempted: 0,
      verified: 0,
      invalid: 0,
      catchAll: 0,
      creditsUsed: 0,
    };
    const m = renderSyncMessage(r, { ...opts, figures: figuresAsSqlWould(r) });
    expect(m.text).toContain("Cold Email Sync Failed");
    expect(m.text).toContain("❌ Current: 1,272 / 24,000 leads");
    expect(m.text).not.toContain("🟢");
    expect(m.text).toContain("❌ **Email Verification**\n• None: the run failed before verifying");
    expect(m.text).not.toContain("✅ **Email Verification**");
    const ok = renderSyncMessage(sampleReport({ status: "succeeded" }), {
      ...opts,
      figures: figuresAsSqlWould(sampleReport({ status: "succeeded" })),
    });
    expect(ok.text).toContain("🟢 Current: 1,272 / 24,000 leads");
  });

  it("a failed drain that deleted nothing shows ❌ on its deletion results", () => {
    const r = sampleReport({ status: "failed", error: "boom" });
    r.drain = { ...r.drain, attempted: 0, deleted: 0, failed: 0 };
    expect(renderDrainMessage(r, { ...opts, figures: figuresAsSqlWould(r) }).text).toContain(
      "❌ **Deletion Results**",
    );
  });

  it("says 1 lead, not 1 leads", () => {
    const r = sampleReport();
    r.capacity = { ...r.capacity, inventoryAfter: 1, slots: 1 };
    r.adds = {
      ...r.adds,
      added: 1,
      byCampaign: [{ campaignId: "c", segment: "smb", campaignName: "SMB", attempted: 1, added: 1 }],
    };
    r.verification = { ...r.verification, invalid: 1, catchAll: 0 };
    r.drain = { ...r.drain, analyzed: 1, kept: 1, identified: 1 };
    const text = `${renderSyncMessage(r, { ...opts, figures: figuresAsSqlWould(r) }).terminalText}\n${renderDrainMessage(r, { ...opts, figures: figuresAsSqlWould(r) }).terminalText}`;
    expect(text).not.toMatch(/\b1 leads\b/);
    for (const line of [
      "Added this run: +1 lead (1 slot)",
      "SMB Campaign: 1 lead added",
      "Failed: 1 lead (invalid 1)",
      "Instantly: 1 active lead",
      "Total analyzed: 1 lead",
      "Identified for removal: 1 lead",
    ]) {
      expect(text).toContain(line);
    }
  });
});
