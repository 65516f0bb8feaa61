import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGraph } from "../../engine/src/dataform/runner.ts";
import { leads, openScenario, run, type Scenario } from "./harness.ts";
import { hoursAgo, SimInstantly, tableRows } from "./state-sim.ts";

/**
 * Full refresh = incremental. Two warehouses get exactly the same pulls and changelog rows: one is
 * transformed incrementally after every pull (state tables merged from their watermarks), the other is
 * rebuilt from scratch (`--full-refresh`) from the same data. After every run the action tables and
 * every state table must be identical, while sequences move on (adds, replies, out-of-office, bounces,
 * unsubscribes, answers, completions, drains), a pull is killed midway, and a transform dies after
 * some of its merges and is run again. The raw leads change between runs too (edited, duplicated,
 * deleted and new rows, a second form of one person's address): the incremental cleaning
 * (stg_lead_rows) and the leads built from it equal a rebuild.
 */

const COMPARED: [string, string][] = [
  ["cold_email", "push_queue"],
  ["cold_email", "push_budget"],
  ["cold_email", "drain_queue"],
  ["cold_email_staging", "stg_instantly_pull_log"],
  ["cold_email_staging", "stg_instantly_lead_state"],
  ["cold_email_staging", "stg_instantly_pull_campaigns"],
  ["cold_email_staging", "stg_sync_action_state"],
  ["cold_email_staging", "int_contact_history"],
  ["cold_email_staging", "int_cooldown"],
  ["cold_email_staging", "int_suppression"],
  ["cold_email_staging", "stg_lead_rows"],
  ["cold_email_staging", "stg_leads"],
  ["cold_email_staging", "int_lead_flags"],
];

const CYCLES = 10;
const KILLED_PULL = 4;
const KILLED_TRANSFORM = 7;
const VARS = { inventory_cap: "14", max_adds_per_run: "5", verify_before_push: "false" };

let incremental: Scenario;
let refreshed: Scenario;

beforeAll(async () => {
  incremental = await openScenario(VARS);
  refreshed = await openScenario(VARS);
  const pool = Array.from({ length: 60 }, (_, i) => ({
    email: `lead${i}@co${i % 23}.com`,
    estimated_sales_yearly: [200_000, 700_000, 3_000_000, 9_000_000][i % 4] as number,
    product_count: i,
  }));
  for (const s of [incremental, refreshed]) await leads(s, pool);
}, 60_000);
afterAll(() => {
  incremental?.wh.close();
  refreshed?.wh.close();
});

async function expectSameState(cycle: number): Promise<void> {
  for (const [schema, table] of COMPARED) {
    const a = await tableRows(incremental, schema, table);
    const b = await tableRows(refreshed, schema, table);
    expect(a, `cycle ${cycle}: ${schema}.${table} (incremental vs full refresh)`).toEqual(b);
  }
}

/**
 * The same edit of the raw leads in both warehouses, different each cycle: one row edited, one
 * duplicated, one deleted, one new lead, and a second form (upper case) of an existing address.
 */
async function editLeads(cycle: number): Promise<void> {
  const n = 60 + cycle;
  const statements = [
    `update cold_email_raw.leads set estimated_sales_yearly = '${4_000_000 + cycle}', updated_at = updated_at + interval 1 minute where email = 'lead${cycle * 3}@co${(cycle * 3) % 23}.com'`,
    `insert into cold_email_raw.leads select * from cold_email_raw.leads where email = 'lead${cycle * 5 + 1}@co${(cycle * 5 + 1) % 23}.com' limit 1`,
    `delete from cold_email_raw.leads where email = 'lead${59 - cycle}@co${(59 - cycle) % 23}.com'`,
    `insert into cold_email_raw.leads (email, first_name, merchant_name, country_code, estimated_sales_yearly, product_count, updated_at) values ('lead${n}@co${n % 23}.com', 'Sam', 'Shop', 'GB', '${n * 10_000}', '${n}', timestamp '2026-05-01 00:00:00+00' + interval ${cycle} hour)`,
    `insert into cold_email_raw.leads (email, first_name, merchant_name, country_code, estimated_sales_yearly, updated_at) values ('LEAD${cycle * 7 + 2}@CO${(cycle * 7 + 2) % 23}.COM', 'Alexa', 'Store ${cycle}', 'US', '900000', timestamp '2026-05-02 00:00:00+00')`,
  ];
  for (const s of [incremental, refreshed]) for (const sql of statements) await s.conn.run(sql);
}

/** A transform killed after `merges` incremental tables committed (the rest never ran). */
async function killedTransform(s: Scenario, merges: number): Promise<void> {
  let done = 0;
  const kill = new Error("killed");
  await expect(
    runGraph(s.conn, s.graph, {
      onProgress: (e) => {
        if (e.kind === "done" && e.result.type === "incremental" && ++done === merges) throw kill;
      },
    }),
  ).rejects.toBe(kill);
}

describe("full refresh = incremental", () => {
  it("gives identical action and state tables after every run while sequences move on", async () => {
    const sim = new SimInstantly([incremental, refreshed]);
    const seen = { adds: 0, drains: 0, reasons: new Set<string>() };
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const at = hoursAgo(2 * (CYCLES - cycle));
      if (cycle > 0) {
        const applied = await sim.apply(incremental, `apply-${cycle}`, hoursAgo(2 * (CYCLES - cycle) + 1));
        seen.adds += applied.adds;
        seen.drains += applied.drains;
        sim.advance(hoursAgo(2 * (CYCLES - cycle) + 0.5));
      }
      if (cycle > 0) await editLeads(cycle);
      await sim.pull(`pull-${cycle}`, at, cycle !== KILLED_PULL);
      if (cycle === KILLED_TRANSFORM) await killedTransform(incremental, 3);
      await run(incremental);
      await runGraph(refreshed.conn, refreshed.graph, { fullRefresh: true }).then((r) => {
        if (!r.ok)
          throw new Error(
            `full refresh failed: ${JSON.stringify(r.actions.filter((a) => a.status !== "ok"))}`,
          );
      });
      await expectSameState(cycle);
      for (const r of await tableRows(incremental, "cold_email", "drain_queue")) {
        seen.reasons.add(String((r as { reason: string }).reason));
      }
    }
    // The simulation really moved: leads were added and drained for several reasons.
    expect(seen.adds).toBeGreaterThan(10);
    expect(seen.drains).toBeGreaterThan(5);
    expect(seen.reasons.size).toBeGreaterThanOrEqual(3);
    // The killed pull was never merged; the others were, in order.
    const pulls = (await tableRows(incremental, "cold_email_staging", "stg_instantly_pull_log")) as {
      run_id: string;
    }[];
    expect(pulls.map((p) => p.run_id)).not.toContain(`pull-${KILLED_PULL}`);
    expect(pulls).toHaveLength(CYCLES - 1);
    // The leads really changed: every cycle added a person and merged a second address form.
    const merged = (await tableRows(incremental, "cold_email_staging", "stg_leads")) as {
      email: string;
      source_rows: number;
    }[];
    expect(merged.map((l) => l.email)).toContain(`lead${60 + CYCLES - 1}@co${(60 + CYCLES - 1) % 23}.com`);
    expect(merged.map((l) => l.email)).not.toContain("lead57@co11.com");
    expect(merged.filter((l) => Number(l.source_rows) > 1).length).toBeGreaterThanOrEqual(5);
  }, 600_000);

  it("a rerun without new data changes nothing (merges are idempotent)", async () => {
    const snapshot = async () => {
      const out: unknown[][] = [];
      for (const [schema, table] of COMPARED) out.push(await tableRows(incremental, schema, table));
      return out;
    };
    const before = await snapshot();
    await run(incremental);
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  it("re-picks a person whose fingerprint differs and re-flags an email flagged by other rules", async () => {
    // What a run after an edit of includes/rules.js (a stale rules_version) or a lost stg_leads row
    // would leave: rows the incremental run must recompute from scratch, not keep.
    const person = "lead3@co3.com";
    await incremental.conn.run(
      `update cold_email_staging.stg_leads set first_name = 'Stale', rows_fingerprint = 'stale' where email = '${person}'`,
    );
    await incremental.conn.run(
      `update cold_email_staging.int_lead_flags set is_free_mail = not is_free_mail, rules_version = 'older' where email = '${person}'`,
    );
    await incremental.conn.run(`delete from cold_email_staging.int_lead_flags where email = 'lead4@co4.com'`);
    await run(incremental);
    for (const table of ["stg_leads", "int_lead_flags"]) {
      const a = await tableRows(incremental, "cold_email_staging", table);
      const b = await tableRows(refreshed, "cold_email_staging", table);
      expect(a, `${table} (repaired vs full refresh)`).toEqual(b);
    }
  }, 120_000);
});
