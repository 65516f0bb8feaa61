import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { compileProject } from "../../engine/src/dataform/compile.ts";
import { ensureContract, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { pull, rows, run, type Scenario } from "./harness.ts";

/**
 * prune_snapshots never deletes with an `as_of` ahead of the clock: a transform compiled with an
 * as_of in the future (a typo, `dataform run --vars as_of=…` on BigQuery, where the engine's var check
 * does not run) deletes no snapshot row that today's retention would keep. Snapshots are stamped
 * relative to the current time, so the outcome does not depend on the date the test runs.
 */
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
let s: Scenario;

beforeAll(async () => {
  const vars = {
    dialect: "duckdb",
    snapshot_retention_days: "30",
    // 400 days ahead: without the guard the cutoff is the latest pull's day and every older row goes.
    as_of: new Date(Date.now() + 400 * DAY).toISOString(),
  };
  const settings = loadSettings({ projectDir: repoRoot(), overrides: { dialect: "duckdb" } });
  const graph = await compileProject({ projectDir: repoRoot(), vars });
  const wh = await openDuckDb(":memory:");
  await ensureContract(wh.conn, settings);
  s = { settings, graph, wh, conn: wh.conn };
}, 120_000);
afterAll(() => s?.wh.close());

describe("prune_snapshots with as_of in the future", () => {
  it("keeps every snapshot row younger than the retention", async () => {
    for (let d = 20; d >= 1; d--) {
      await pull(
        s,
        `pull-${d}`,
        [{ lead_id: `L${d}`, email: `lead${d}@example${d}.com`, status: 1 }],
        ago(d),
      );
    }
    // One row old enough for today's retention to delete (40 days).
    await pull(s, "pull-old", [{ lead_id: "L-old", email: "old@old.com", status: 1 }], ago(40));
    const count = async () =>
      Number((await rows(s, `select count(*) as n from "cold_email_ops"."instantly_leads"`))[0]?.n);
    expect(await count()).toBe(21);
    await run(s);
    expect(await count()).toBe(20);
  });
});
