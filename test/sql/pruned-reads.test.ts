import { beforeAll, describe, expect, it } from "vitest";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";
import { bigQueryTableResource } from "../../engine/src/warehouse/bigquery-schema.ts";
import { instantlyLeadsTable, syncChangelogTable } from "../../engine/src/warehouse/tables.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";

/**
 * Pruned reads on BigQuery: the snapshot history (instantly_leads, partitioned by day of recorded_at,
 * with a required partition filter) is only ever read through a recorded_at filter on a script
 * variable set before the statement (a watermark read from the target) or on a constant, which
 * BigQuery can prune on; never through a subquery, which it cannot.
 */

let graph: CompiledGraph;
beforeAll(async () => {
  graph = await compiledGraph({ dialect: "bigquery" });
}, 60_000);

/** Every statement `dataform run` may send, with the action that sends it. */
function statements(g: CompiledGraph): { action: string; sql: string }[] {
  const out: { action: string; sql: string }[] = [];
  for (const t of g.tables) {
    const name = `${t.target.schema}.${t.target.name}`;
    for (const sql of [
      t.query,
      t.incrementalQuery ?? "",
      ...t.preOps,
      ...t.incrementalPreOps,
      ...t.postOps,
      ...t.incrementalPostOps,
    ]) {
      if (sql.trim() !== "") out.push({ action: name, sql });
    }
  }
  for (const o of g.operations) {
    for (const sql of o.queries) out.push({ action: `${o.target.schema}.${o.target.name}`, sql });
  }
  return out;
}

const SNAPSHOT_READ =
  /from `[^`]*\.(cold_email_ops\.instantly_leads|cold_email_staging\.stg_instantly_lead_snapshots)`/g;
/** What may follow a read of the snapshots: a WHERE on recorded_at against a variable or a constant. */
const PRUNABLE =
  /^`\s*where\s+recorded_at\s*(>=|>|<)\s*([a-z_]+|TIMESTAMP_SUB\(CURRENT_TIMESTAMP\(\), INTERVAL \d+ DAY\))\s/;

describe("pruned reads on BigQuery", () => {
  it("requires a partition filter on the snapshot table, not on the changelog the engine reads by run", () => {
    const snapshots = bigQueryTableResource(instantlyLeadsTable);
    expect(snapshots.timePartitioning).toEqual({ type: "DAY", field: "recorded_at" });
    expect(snapshots.requirePartitionFilter).toBe(true);
    const changelog = bigQueryTableResource(syncChangelogTable);
    expect(changelog.timePartitioning).toEqual({ type: "DAY", field: "recorded_at" });
    expect(changelog.requirePartitionFilter).toBeUndefined();
  });

  it("reads the snapshots only through a recorded_at filter BigQuery can prune on", () => {
    const reads: string[] = [];
    for (const { action, sql } of statements(graph)) {
      if (action === "cold_email_staging.stg_instantly_lead_snapshots") continue; // the view itself
      for (const m of sql.matchAll(SNAPSHOT_READ)) {
        const after = sql.slice((m.index ?? 0) + m[0].length - 1, (m.index ?? 0) + m[0].length + 200);
        reads.push(action);
        expect(after, `${action} reads ${m[1]} without a prunable recorded_at filter`).toMatch(PRUNABLE);
      }
    }
    // The pull log, the lead state, the per-pull campaign counts, the engine's live pull view and the
    // retention operation: nothing else touches the history.
    expect([...new Set(reads)].sort()).toEqual([
      "cold_email_ops.prune_snapshots",
      "cold_email_staging.stg_instantly_lead_state",
      "cold_email_staging.stg_instantly_pull_campaigns",
      "cold_email_staging.stg_instantly_pull_log",
      "cold_email_staging.stg_instantly_pulls",
    ]);
  });

  it("sets each watermark before the statement that reads it, from the target itself", () => {
    const state = graph.tables.filter((t) => t.type === "incremental");
    expect(state.map((t) => t.target.name).sort()).toEqual([
      "int_contact_history",
      "int_lead_flags",
      "int_send_capacity_history",
      "int_suppression_history",
      "stg_instantly_lead_state",
      "stg_instantly_pull_campaigns",
      "stg_instantly_pull_log",
      "stg_lead_rows",
      "stg_leads",
      "stg_sync_action_state",
    ]);
    // stg_lead_rows reads the raw leads (no partitions, no history): it cleans the rows whose
    // fingerprint its target does not hold (an anti-join on the target itself), so no watermark.
    const leadRows = state.find((t) => t.target.name === "stg_lead_rows");
    expect(leadRows?.incrementalQuery).toMatch(/from `[^`]+\.stg_lead_rows`/);
    // stg_leads and int_lead_flags, likewise: the people whose rows_fingerprint differs from the
    // target's, the emails the target has not flagged with the current rules_version.
    const leads = state.find((t) => t.target.name === "stg_leads");
    expect(leads?.incrementalQuery).toMatch(/from `[^`]+\.stg_leads`/);
    const flags = state.find((t) => t.target.name === "int_lead_flags");
    expect(flags?.incrementalQuery).toMatch(/from `[^`]+\.int_lead_flags`/);
    const antiJoined = [leadRows, leads, flags];
    // int_suppression_history reads only current state (no history table, so no watermark): it adds
    // the suppressions its target does not hold yet (an anti-join on the target itself).
    const history = state.find((t) => t.target.name === "int_suppression_history");
    expect(history?.incrementalQuery).toMatch(/left join `[^`]+\.int_suppression_history` as kept/);
    // int_send_capacity_history merges the latest pull's few rows per campaign (int_send_capacity,
    // itself read from the latest pull only): nothing to window, so no watermark either.
    const pacing = state.find((t) => t.target.name === "int_send_capacity_history");
    expect(pacing?.incrementalQuery).toMatch(/int_send_capacity`/);
    for (const t of state.filter((x) => x !== history && x !== pacing && !antiJoined.includes(x))) {
      const self = `\`${t.target.database}.${t.target.schema}.${t.target.name}\``;
      const declares = t.incrementalPreOps.filter((s) => /^\s*declare /i.test(s));
      expect(declares.length, t.target.name).toBeGreaterThan(0);
      expect(declares.join("\n"), t.target.name).toContain(self);
      // A first build (or --full-refresh) has no target to read: its watermarks are constants.
      expect(t.preOps.join("\n"), t.target.name).not.toContain(self);
    }
  });
});
