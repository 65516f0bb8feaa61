import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoResult } from "../../engine/src/local/demo.ts";
import { DuckDbWarehouse } from "../../engine/src/warehouse/duckdb-warehouse.ts";
import { pinnedDemo } from "../setup/pinned-demo.ts";

/**
 * After a demo (sandbox, pull → transform → apply per day, the CLI's notify hook): each day's drain
 * message says as many hand-offs as that run's hand-off drains in the changelog (latest state per
 * action, succeeded, a reason with `handoff` in includes/rules.js), and no lead's email.
 */
describe("the drain message's hand-off count after a demo", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "handoffs-demo-"));
  const file = path.join(dir, "demo.duckdb");
  const printed: string[] = [];
  let demo: DemoResult;

  beforeAll(async () => {
    demo = await pinnedDemo({
      leads: 800,
      days: 4,
      seed: 5,
      warehouseFile: file,
      write: (t) => printed.push(t),
    });
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("equals each run's hand-off drains in the changelog, and names no lead", async () => {
    const warehouse = await DuckDbWarehouse.open(file, demo.settings);
    let expected: Map<string, number>;
    let emails: string[];
    try {
      const rows = (
        await warehouse.conn.runAndReadAll(`
        select run_id, count(*)::integer as n from (
          select *, row_number() over (
            partition by action_id
            order by recorded_at desc, case when state = 'intent' then 1 else 0 end, state
          ) as rn
          from cold_email_ops.sync_changelog
        ) where rn = 1 and op = 'drain' and state = 'succeeded'
          and reason in ('interested', 'meeting_booked', 'replied')
        group by run_id`)
      ).getRowObjectsJS();
      expected = new Map(rows.map((r) => [String(r.run_id), Number(r.n)]));
      emails = (
        await warehouse.conn.runAndReadAll("select distinct lower(email) as e from cold_email_raw.leads")
      )
        .getRowObjectsJS()
        .map((r) => String(r.e))
        .filter((e) => e.includes("@"));
    } finally {
      await warehouse.close();
    }
    const drains = printed.filter((t) => t.includes("Cold Email Drain"));
    expect(drains).toHaveLength(demo.days.length);
    const said = drains.map((t) => {
      const m = /• (\d+) leads? handed off to sales this run/.exec(t);
      return m ? Number(m[1]) : null;
    });
    const want = demo.days.map((d) => expected.get(d.apply.runId) ?? 0);
    expect(said).toEqual(want);
    expect(want.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const t of drains) {
      expect(t).toContain("engine handoffs");
      expect(emails.filter((e) => t.toLowerCase().includes(e))).toEqual([]);
    }
  });
});
