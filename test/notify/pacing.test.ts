import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import type { RunReport } from "../../engine/src/core/run-report.ts";
import { createWarehouseAlertStore } from "../../engine/src/notify/alert-store.ts";
import { createNotifier } from "../../engine/src/notify/create-notifier.ts";
import { notifyRun } from "../../engine/src/notify/notify.ts";
import {
  type CampaignPacing,
  loadPacingForNotify,
  readSendCapacity,
} from "../../engine/src/notify/pacing.ts";
import { renderSyncMessage } from "../../engine/src/notify/render.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { sampleReport } from "./fixtures.ts";

/**
 * The capacity block of the sync message, the pacing alerts and the int_send_capacity reader, with
 * fixture rows shaped like definitions/intermediate/int_send_capacity.sqlx's output.
 */
const settings = loadSettings({ projectDir: repoRoot() });

function pacingRow(o: Partial<CampaignPacing> = {}): CampaignPacing {
  return {
    segment: "smb",
    campaignId: "camp-a",
    campaignName: "SMB",
    hasCapacityData: true,
    sendingStatus: "healthy",
    senders: 3,
    healthySenders: 3,
    sendsPerDay: 81,
    newStartsPerDay: 27,
    backlog: 40,
    backlogDays: 40 / 27,
    targetBacklog: 54,
    pacedSlots: 14,
    poolLeft: 5_000,
    runwayDays: 5_000 / 27,
    noAddsReason: null,
    ...o,
  };
}

const rows: CampaignPacing[] = [
  pacingRow(),
  pacingRow({
    segment: "midsize",
    campaignId: "camp-b",
    campaignName: "Midsize",
    healthySenders: 0,
    senders: 2,
    sendsPerDay: 0,
    newStartsPerDay: 0,
    backlog: 12,
    backlogDays: null,
    targetBacklog: 0,
    pacedSlots: 0,
    runwayDays: null,
    noAddsReason: "no_healthy_sender",
  }),
];

const SMB_LINE =
  "• SMB: 3/3 healthy mailboxes | 81 sends/day | 27 new starts/day | backlog 1.5 days (40 leads) | +14 slots";
const MID_LINE =
  "• Midsize: 0/2 healthy mailboxes | 0 sends/day | 0 new starts/day | backlog n/a (12 leads) | no adds: no healthy mailbox";

const sectionText = (m: ReturnType<typeof renderSyncMessage>) =>
  m.slack.blocks
    .filter((b) => b.type === "section")
    .map((b) => (b.text as { text: string }).text)
    .find((t) => t.includes("Sending Capacity"));

describe("sync message capacity block", () => {
  it("renders one line per campaign in Slack blocks, Echo markdown, the console and notification_data", () => {
    const m = renderSyncMessage(sampleReport(), { timeZone: "UTC", pacing: rows });
    expect(sectionText(m)).toBe(`🚦 *Sending Capacity*\n${SMB_LINE}\n${MID_LINE}`);
    expect(m.text).toContain(`🚦 **Sending Capacity**\n${SMB_LINE}\n${MID_LINE}`);
    expect(m.terminalText).toContain(`🚦 Sending Capacity\n${SMB_LINE}\n${MID_LINE}`);
    // After the campaign breakdown, before verification.
    const headings = m.terminalText.split("\n\n").map((p) => p.split("\n")[0]);
    expect(headings.indexOf("🚦 Sending Capacity")).toBe(headings.indexOf("📈 Campaign Breakdown") + 1);
    const data = m.notificationData.sending_capacity as Array<Record<string, unknown>>;
    expect(data.map((d) => [d.segment, d.healthy_senders, d.new_starts_per_day, d.no_adds_reason])).toEqual([
      ["smb", 3, 27, null],
      ["midsize", 0, 0, "no_healthy_sender"],
    ]);
    expect(data[1]?.no_adds_reason_words).toBe("no healthy mailbox");
  });

  it("escapes a hostile campaign name from Instantly for every sink", () => {
    const hostile = "<!channel> *Big* [click](https://evil.example) \u001b[31mred";
    const m = renderSyncMessage(sampleReport(), {
      timeZone: "UTC",
      pacing: [pacingRow({ campaignName: hostile })],
    });
    const slack = sectionText(m) ?? "";
    expect(slack).not.toContain("<!channel>");
    expect(slack).toContain("&lt;!channel&gt;");
    expect(slack).not.toContain("\u001b");
    expect(m.slack.text).not.toContain("<!channel>");
    expect(m.text).not.toContain("[click](https://evil.example)");
    expect(m.text).toContain("\\[click\\]");
    expect(m.terminalText).not.toContain("\u001b");
    expect(m.terminalText).toContain("\\x1b[31mred");
    const data = m.notificationData.sending_capacity as Array<Record<string, unknown>>;
    expect(String(data[0]?.campaign_name)).toContain("&lt;!channel&gt;");
  });

  it("has no block without rows, or when pacing is cap", async () => {
    expect(sectionText(renderSyncMessage(sampleReport(), { timeZone: "UTC" }))).toBeUndefined();
    const printed: string[] = [];
    const quiet = createNotifier({}, { write: (t) => printed.push(t) });
    const cap = await notifyRun(sampleReport(), {
      notifier: quiet,
      timeZone: "UTC",
      pacing: rows,
      pacingMode: "cap",
    });
    const capacity = await notifyRun(sampleReport(), { notifier: quiet, timeZone: "UTC", pacing: rows });
    const older = await notifyRun(sampleReport(), { notifier: quiet, timeZone: "UTC", pacing: null });
    const sync = (r: typeof cap) => r.messages.find((m) => m.kind === "sync");
    expect(sync(cap)?.terminalText).not.toContain("Sending Capacity");
    expect(sync(older)?.terminalText).not.toContain("Sending Capacity");
    expect(sync(capacity)?.terminalText).toContain(SMB_LINE);
    expect([...cap.warnings, ...capacity.warnings, ...older.warnings]).toEqual([]);
  });
});

describe("int_send_capacity reader", () => {
  it("reads the model's rows in segment order, names from int_campaign_health; a missing model is no pacing", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "pacing-read-")), "w.duckdb");
    const warehouse = await DuckDbWarehouse.open(file, settings);
    try {
      await warehouse.ensureContract();
      expect(await readSendCapacity(warehouse)).toBeNull();
      expect(await loadPacingForNotify(warehouse, new Map())).toEqual({ rows: null });
      const schema = settings.vars.staging_dataset;
      await warehouse.conn.run(`create schema if not exists "${schema}"`);
      await warehouse.conn.run(
        `create table "${schema}".int_send_capacity as
         select * from (values
           ('midsize', 2, 'CAMP-B', true, 'waiting_for_leads', 2, 0, 0, 0, 12, null::double, 0, 0, 300, null::double, 'no_healthy_sender'),
           ('smb', 1, 'camp-a', true, 'healthy', 3, 3, 81, 27, 40, 40 / 27, 54, 14, 5000, 5000 / 27, null)
         ) t(segment, segment_order, campaign_id, has_capacity_data, sending_status, senders, healthy_senders,
             sends_per_day, new_starts_per_day, backlog, backlog_days, target_backlog, paced_slots, pool_left,
             runway_days, no_adds_reason)`,
      );
      const read = await readSendCapacity(warehouse, new Map([["camp-b", "Midsize"]]));
      expect(read?.map((r) => [r.segment, r.campaignId, r.campaignName, r.sendingStatus])).toEqual([
        ["smb", "camp-a", null, "healthy"],
        ["midsize", "camp-b", "Midsize", "waiting_for_leads"],
      ]);
      expect(read?.[0]).toMatchObject({
        healthySenders: 3,
        newStartsPerDay: 27,
        backlog: 40,
        pacedSlots: 14,
      });
      expect(read?.[0]?.backlogDays).toBeCloseTo(40 / 27, 6);
      expect(read?.[1]).toMatchObject({
        backlogDays: null,
        runwayDays: null,
        noAddsReason: "no_healthy_sender",
      });
    } finally {
      await warehouse.close();
    }
  });
});

describe("pacing alerts, once per state change", () => {
  const T0 = new Date("2025-01-15T12:00:00Z").getTime();
  const runAt = (n: number): RunReport => {
    const r = sampleReport({ runId: `run-${n}`, status: "succeeded", ciRunUrl: undefined });
    r.finishedAt = new Date(T0 + n * 3_600_000);
    r.startedAt = new Date(r.finishedAt.getTime() - 60_000);
    r.capacity = { ...r.capacity, inventoryAfter: 1_000 };
    r.adds = { ...r.adds, attempted: 100, rejected: 0, failed: 0 };
    r.drain = { ...r.drain, attempted: 100, failed: 0 };
    r.verification = { ...r.verification, attempted: 100, verified: 100, invalid: 0, catchAll: 0 };
    return r;
  };
  const bad = pacingRow({
    healthySenders: 0,
    sendingStatus: "waiting_for_leads",
    backlogDays: 5,
    runwayDays: 10,
  });

  it("raises no-healthy-sender, backlog, waiting_for_leads and runway per campaign once, clears each once", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "pacing-alerts-")), "w.duckdb");
    const warehouse = await DuckDbWarehouse.open(file, settings);
    const printed: string[] = [];
    try {
      await warehouse.ensureContract();
      const store = createWarehouseAlertStore(warehouse);
      const steps: Array<{ pacing: CampaignPacing[] | null; expect: string[] }> = [
        {
          pacing: [bad, pacingRow({ campaignId: "camp-b", campaignName: "Midsize" })],
          expect: [
            "no_healthy_sender:camp-a:raised",
            "backlog_days:camp-a:raised",
            "waiting_for_leads:camp-a:raised",
            "pool_runway:camp-a:raised",
          ],
        },
        { pacing: [bad], expect: [] },
        // An older warehouse (no model) measures nothing: nothing raises or clears.
        { pacing: null, expect: [] },
        // NULL figures (no starts, no diagnosis) are unmeasured and keep their state.
        {
          pacing: [
            pacingRow({ healthySenders: 0, sendingStatus: null, backlogDays: null, runwayDays: null }),
          ],
          expect: [],
        },
        {
          pacing: [pacingRow({ backlogDays: 4.1 })],
          expect: [
            "no_healthy_sender:camp-a:cleared",
            "waiting_for_leads:camp-a:cleared",
            "pool_runway:camp-a:cleared",
          ],
        },
        // 4 days is exactly 2 × first_touch_days: not over it.
        { pacing: [pacingRow({ backlogDays: 4 })], expect: ["backlog_days:camp-a:cleared"] },
        { pacing: [pacingRow()], expect: [] },
      ];
      for (const [i, step] of steps.entries()) {
        const result = await notifyRun(runAt(i + 1), {
          notifier: createNotifier({}, { write: (t) => printed.push(t) }),
          alertStore: store,
          timeZone: "UTC",
          pacing: step.pacing,
          firstTouchDays: 2,
        });
        expect(result.warnings, `step ${i + 1}`).toEqual([]);
        expect(
          result.alerts.map((a) => `${a.key}:${a.state}`),
          `step ${i + 1}`,
        ).toEqual(step.expect);
      }
    } finally {
      await warehouse.close();
    }
    const alerts = printed.filter((t) => t.includes("Cold Email Alert"));
    expect(alerts.some((t) => t.includes("🚨 Cold Email Alert: No healthy mailbox in SMB"))).toBe(true);
    expect(alerts.some((t) => t.includes("⚠️ Cold Email Alert: Backlog above 4 days in SMB"))).toBe(true);
    expect(alerts.some((t) => t.includes("Instantly says SMB is waiting for leads"))).toBe(true);
    expect(alerts.some((t) => t.includes("Lead pool for SMB runs dry in under 14 days"))).toBe(true);
    expect(
      alerts.some((t) => t.includes("SMB: 5,000 eligible leads left at 27 new starts a day (10 days)")),
    ).toBe(true);
  });

  it("with pacing cap the backlog alert is not measured (the cap fills past it by design)", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "pacing-cap-")), "w.duckdb");
    const warehouse = await DuckDbWarehouse.open(file, settings);
    try {
      await warehouse.ensureContract();
      const result = await notifyRun(runAt(1), {
        notifier: createNotifier({}, { write: () => {} }),
        alertStore: createWarehouseAlertStore(warehouse),
        timeZone: "UTC",
        pacing: [pacingRow({ backlogDays: 60 })],
        pacingMode: "cap",
        firstTouchDays: 2,
      });
      expect(result.alerts.map((a) => a.key)).toEqual([]);
    } finally {
      await warehouse.close();
    }
  });
});
