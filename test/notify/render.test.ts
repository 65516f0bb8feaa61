import { describe, expect, it } from "vitest";
import { formatClock, formatCount, formatDuration, formatPercent } from "../../engine/src/notify/format.ts";
import {
  capacityEmoji,
  renderDrainMessage,
  renderSyncMessage,
  verificationEmoji,
} from "../../engine/src/notify/render.ts";
import { figuresAsSqlWould, sampleReasonLabels, sampleReport } from "./fixtures.ts";

const opts = { timeZone: "America/New_York", reasonLabels: sampleReasonLabels() };

describe("formatting like the seeds", () => {
  it("formats counts, percentages and durations", () => {
    expect(formatCount(291469)).toBe("291,469");
    expect(formatCount(22658)).toBe("22,658");
    expect(formatPercent(92)).toBe("92.0%");
    expect(formatPercent(undefined)).toBe("n/a");
    expect(formatDuration(127_500)).toBe("2m 8s");
    expect(formatDuration(892_100)).toBe("14m 52s");
    expect(formatDuration(42_000)).toBe("42s");
    expect(formatDuration(3_900_000)).toBe("1h 5m");
  });

  it("labels the clock in the zone asked for, not the machine's", () => {
    const at = new Date("2025-01-15T19:30:00Z");
    expect(formatClock(at, "America/New_York")).toBe("2:30 PM EST");
    expect(formatClock(at, "UTC")).toBe("7:30 PM UTC");
    expect(formatClock(new Date("2025-07-15T18:30:00Z"), "America/New_York")).toBe("2:30 PM EDT");
  });

  it("uses the seeds' traffic-light thresholds", () => {
    expect([0, 69.9, 70, 89.9, 90, 100].map(capacityEmoji)).toEqual(["🟢", "🟢", "🟡", "🟡", "🔴", "🔴"]);
    expect([100, 90, 89.9, 80, 79.9, 0].map(verificationEmoji)).toEqual(["✨", "✨", "⚠️", "⚠️", "🚨", "🚨"]);
  });
});

describe("sync message", () => {
  it("renders the seed layout from a fixed run", () => {
    const m = renderSyncMessage(sampleReport(), { ...opts, figures: figuresAsSqlWould(sampleReport()) });
    expect(m.title).toBe("Cold Email Sync Complete with Issues - 2:30 PM EST");
    expect(m.shortTitle).toBe("Cold Email Sync - 14:30 EST");
    expect(m.text).toMatchInlineSnapshot(`
      "🔄 **Cold Email Sync Complete with Issues** | 2:30 PM EST

      📊 **Capacity Status**
      🟢 Current: 1,272 / 24,000 leads (5.3% utilized)
      • Available capacity: ~22,728 leads remaining
      • Added this run: +92 leads (100 slots)

      📈 **Campaign Breakdown**
      • SMB Campaign: 65 leads added
      • Midsize Campaign: 27 leads added
      • Total processed: 92/93 attempted
      • Rejected: 1 → suppressed, not retried

      ✨ **Email Verification**
      • Success: 92/100 (92.0%)
      • Failed: 8 leads (invalid 6, catch-all 2) → suppressed, never retried
      • Credits used: 25

      📦 **Current Inventory**
      • Instantly: 1,272 active leads
      • Warehouse eligible: 291,469 ready

      ⚡ **Performance**
      • Duration: 2m 8s | Rate: 44 leads/min
      • API Success: 98.8% (6 retries, 2 throttled)

      ⚠️ **Issues**: 1 row failed or rejected (logged in sync_changelog)
      • http_422: 1

      🔗 [View Logs](https://github.com/acme/cold-email/actions/runs/123456)"
    `);
  });

  it("renders the terminal variant without markup", () => {
    const report = sampleReport({ status: "succeeded", errorsByClass: {}, errorsByPhase: {} });
    const m = renderSyncMessage(report, { ...opts, figures: figuresAsSqlWould(report) });
    expect(m.terminalText).toMatchInlineSnapshot(`
      "🔄 Cold Email Sync Complete | 2:30 PM EST

      📊 Capacity Status
      🟢 Current: 1,272 / 24,000 leads (5.3% utilized)
      • Available capacity: ~22,728 leads remaining
      • Added this run: +92 leads (100 slots)

      📈 Campaign Breakdown
      • SMB Campaign: 65 leads added
      • Midsize Campaign: 27 leads added
      • Total processed: 92/93 attempted
      • Rejected: 1 → suppressed, not retried

      ✨ Email Verification
      • Success: 92/100 (92.0%)
      • Failed: 8 leads (invalid 6, catch-all 2) → suppressed, never retried
      • Credits used: 25

      📦 Current Inventory
      • Instantly: 1,272 active leads
      • Warehouse eligible: 291,469 ready

      ⚡ Performance
      • Duration: 2m 8s | Rate: 44 leads/min
      • API Success: 98.8% (6 retries, 2 throttled)

      🔗 View Logs: https://github.com/acme/cold-email/actions/runs/123456"
    `);
    expect(m.terminalText).not.toContain("**");
  });

  it("colours capacity and verification by the thresholds", () => {
    const busy = sampleReport({
      capacity: {
        cap: 24_000,
        inventoryBefore: 21_000,
        inventoryAfter: 21_700,
        slots: 700,
        eligibleRemaining: 5,
      },
      verification: { ...sampleReport().verification, verified: 70, invalid: 30, catchAll: 0 },
    });
    const text = renderSyncMessage(busy, { ...opts, figures: figuresAsSqlWould(busy) }).text;
    expect(text).toContain("🔴 Current: 21,700 / 24,000 leads (90.4% utilized)");
    expect(text).toContain("🚨 **Email Verification**");
    expect(text).toContain("• Success: 70/100 (70.0%)");
  });

  it("without the SQL's figures (rpt_figures not built) it says n/a instead of computing them", () => {
    const text = renderSyncMessage(sampleReport({ status: "succeeded" }), opts).text;
    expect(text).toContain("⚪ Current: n/a / 24,000 leads (n/a utilized)");
    expect(text).toContain("• Available capacity: ~n/a remaining");
    expect(text).toContain("• Instantly: n/a");
    expect(text).toContain("⏳ **Email Verification**");
    expect(renderDrainMessage(sampleReport(), opts).text).not.toContain("Total protected");
  });

  it("says so when no verification happened instead of inventing a rate", () => {
    const none = sampleReport({
      verification: {
        ...sampleReport().verification,
        attempted: 0,
        verified: 0,
        invalid: 0,
        catchAll: 0,
        creditsUsed: 0,
      },
    });
    const m = renderSyncMessage(none, { ...opts, figures: figuresAsSqlWould(none) });
    expect(m.text).toContain("• No verification needed this run");
    expect(
      (m.notificationData.verification_results as Record<string, unknown>).success_rate_percentage,
    ).toBeNull();
  });

  it("never mentions classification accuracy or a 24-hour skip count", () => {
    const all = [
      renderSyncMessage(sampleReport(), { ...opts, figures: figuresAsSqlWould(sampleReport()) }),
      renderDrainMessage(sampleReport(), { ...opts, figures: figuresAsSqlWould(sampleReport()) }),
    ];
    for (const m of all) {
      const everything = JSON.stringify(m);
      expect(everything).not.toMatch(/accuracy/i);
      expect(everything).not.toMatch(/24 ?hr/i);
    }
  });
});

describe("drain message", () => {
  it("renders the seed layout from a fixed run", () => {
    const m = renderDrainMessage(sampleReport(), { ...opts, figures: figuresAsSqlWould(sampleReport()) });
    expect(m.title).toBe("Cold Email Drain Complete with Issues - 2:30 PM EST");
    expect(m.text).toMatchInlineSnapshot(`
      "🧹 **Cold Email Drain Complete with Issues** | 2:30 PM EST

      🔍 **Analysis Summary**
      • Total analyzed: 1,342 leads
      • Kept (still in sequence): 1,156 leads
      • Eligible for drain: 186 leads
      • Identified for removal: 166 leads

      📋 **Drain Breakdown**
      • ✅ Completed sequences: 89
      • 💬 Replied: 34
      • ⚠️ Hard bounced: 12
      • 🚫 Unsubscribed: 8
      • 🕐 Stale (90+ days): 23

      ⚠️ **Deletion Results**
      • Success: 162/166 (97.6%)
      • Failed: 4 → Logged for retry
      • New inventory: 1,180 active leads

      🔒 **DNC Protection**
      • Added 8 new unsubscribes to the blocklist
      • Total protected: 11,734 contacts

      ⚡ **Performance**
      • Duration: 14m 52s | Rate: 90 leads/min
      • API Success: 98.8% (6 retries, 2 throttled)

      ⚠️ **Issues**: 4 rows failed or rejected (logged in sync_changelog)
      • timeout: 4

      🔗 [View Logs](https://github.com/acme/cold-email/actions/runs/123456)"
    `);
  });

  it("lists other drain reasons after the seed ones, only when present", () => {
    const r = sampleReport();
    r.drain.byReason = {
      ...r.drain.byReason,
      interested: 3,
      company_replied: 2,
      legacy_reason: 1,
      wrong_person: 0,
    };
    const text = renderDrainMessage(r, { ...opts, figures: figuresAsSqlWould(r) }).text;
    expect(text).toContain("• 🤝 Interested (handed off): 3\n• 🏢 Company replied: 2\n• legacy_reason: 1");
    expect(text).not.toContain("Wrong person");
  });
});

/** Every "a.b.c" path of the leaves of a JSON value (arrays count as leaves). */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (!value || typeof value !== "object" || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

// The original notification spec's "Required Data Points", verbatim.
const seedSync = {
  operation: "sync",
  timestamp: "2025-01-15T14:30:00Z",
  duration_seconds: 127.5,
  capacity_status: {
    current_inventory: 1250,
    max_capacity: 24000,
    utilization_percentage: 5.2,
    estimated_capacity_remaining: 22750,
  },
  leads_processed: {
    total_attempted: 100,
    smb_campaign: {
      campaign_id: "8c46e0c9-c1f9-4201-a8d6-6221bafeada6",
      leads_added: 65,
      campaign_name: "SMB",
    },
    midsize_campaign: {
      campaign_id: "5ffbe8c3-dc0e-41e4-9999-48f00d2015df",
      leads_added: 27,
      campaign_name: "Midsize",
    },
  },
  verification_results: {
    total_attempted: 100,
    verified_successful: 92,
    verification_failed: 8,
    failed_reasons: { invalid: 6, risky: 2 },
    failed_disposition: "Added to dead_letters table for review",
    credits_used: 25.0,
    success_rate_percentage: 92.0,
  },
  final_inventory: { instantly_total: 1342, bigquery_eligible: 291469 },
  performance: { api_success_rate: 98.7, processing_rate_per_minute: 47.1 },
  errors: [],
  github_run_url: "https://github.com/user/repo/actions/runs/123456",
};
const seedDrain = {
  operation: "drain",
  timestamp: "2025-01-15T16:00:00Z",
  duration_seconds: 892.1,
  analysis_summary: { total_leads_analyzed: 1342, leads_skipped_24hr: 1156, leads_eligible_for_drain: 186 },
  drain_classifications: {
    completed: 89,
    replied: 34,
    bounced_hard: 12,
    unsubscribed: 8,
    stale_active: 23,
    total_identified: 166,
  },
  deletion_results: {
    attempted_deletions: 166,
    successful_deletions: 162,
    failed_deletions: 4,
    success_rate_percentage: 97.6,
  },
  dnc_updates: { new_unsubscribes: 8, total_dnc_list: 11734 },
  inventory_impact: { leads_removed: 162, new_inventory_total: 1180 },
  performance: { classification_accuracy: 99.2, processing_rate_per_minute: 90.4 },
  errors: ["API timeout on 4 lead deletions - logged to dead_letters"],
  github_run_url: "https://github.com/user/repo/actions/runs/123457",
};

describe("the original notification_data example", () => {
  it("sync: every seed field, same values for the seed's figures, documented differences only", () => {
    const data = renderSyncMessage(sampleReport(), {
      ...opts,
      figures: figuresAsSqlWould(sampleReport()),
    }).notificationData;
    const ours = keyPaths(data).sort();
    const seed = keyPaths(seedSync).sort();
    // risky → catch_all (Instantly's verification result name); run_id and status added.
    const expected = [
      ...seed.filter((p) => p !== "verification_results.failed_reasons.risky"),
      "verification_results.failed_reasons.catch_all",
      "run_id",
      "status",
    ].sort();
    expect(ours).toEqual(expected);
    expect(data).toMatchObject({
      operation: "sync",
      timestamp: "2025-01-15T19:30:00.000Z",
      duration_seconds: 127.5,
      capacity_status: { current_inventory: 1272, max_capacity: 24000, utilization_percentage: 5.3 },
      leads_processed: { total_attempted: 93, smb_campaign: seedSync.leads_processed.smb_campaign },
      verification_results: { verified_successful: 92, verification_failed: 8, success_rate_percentage: 92 },
      final_inventory: { bigquery_eligible: 291469 },
      performance: { processing_rate_per_minute: 43.8, api_success_rate: 98.8 },
      errors: ["http_422: 1 row"],
      github_run_url: "https://github.com/acme/cold-email/actions/runs/123456",
    });
  });

  it("drain: every seed field except the unmeasured accuracy and the replaced 24-hour skip count", () => {
    const data = renderDrainMessage(sampleReport(), {
      ...opts,
      figures: figuresAsSqlWould(sampleReport()),
    }).notificationData;
    const ours = keyPaths(data).sort();
    const expected = [
      ...keyPaths(seedDrain).filter(
        (p) => p !== "performance.classification_accuracy" && p !== "analysis_summary.leads_skipped_24hr",
      ),
      "analysis_summary.leads_kept_in_sequence",
      "run_id",
      "status",
    ].sort();
    expect(ours).toEqual(expected);
    const { timestamp: _t, errors: _e, github_run_url: _g, performance: _p, ...figures } = seedDrain;
    const { leads_skipped_24hr: _s, ...analysis } = figures.analysis_summary;
    expect(data).toMatchObject({
      ...figures,
      analysis_summary: { ...analysis, leads_kept_in_sequence: 1156 },
      performance: { processing_rate_per_minute: 90.3 },
      errors: ["timeout: 4 rows"],
    });
  });
});
