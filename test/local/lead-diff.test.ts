import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings, type Settings } from "../../engine/src/config/settings.ts";
import { transformLocal } from "../../engine/src/dataform/transform.ts";
import {
  diffLeadStatus,
  formatLeadDiff,
  type LeadDiff,
  snapshotLeadStatus,
} from "../../engine/src/local/lead-diff.ts";
import { seedWarehouse } from "../../engine/src/local/seed.ts";
import { ensureContract, type LocalWarehouse } from "../../engine/src/warehouse/duckdb.ts";
import { asOf, memoryWarehouse, rows } from "./helpers.ts";

/**
 * `engine transform --diff` on a rule edit: the threshold smb_max_revenue goes from 1,000,000 to
 * 500,000 and max_adds_per_run from 100 to 20 between two transforms; the diff must name exactly the
 * leads whose revenue lies between the two thresholds (computed here from stg_leads) and the leads that
 * left the queue, with the rule that keeps them out.
 */
const settingsWith = (vars: Record<string, string> = {}): Settings =>
  loadSettings({
    projectDir: repoRoot(),
    overrides: {
      dialect: "duckdb",
      as_of: asOf.toISOString(),
      pacing: "cap",
      smb_max_revenue: "1000000",
      ...vars,
    },
  });

let wh: LocalWarehouse;
let diff: LeadDiff;
let unchanged: LeadDiff;
let queuedBefore: number;

async function transform(settings: Settings) {
  const result = await transformLocal({ settings, conn: wh.conn });
  expect(result.actions.filter((a) => a.status === "failed").map((a) => a.error)).toEqual([]);
}

beforeAll(async () => {
  wh = await memoryWarehouse();
  const before = settingsWith();
  await ensureContract(wh.conn, before);
  await seedWarehouse(wh.conn, before, { leads: 600, dnc: 20, seed: 3, asOf });
  await transform(before);
  const edited = settingsWith({ smb_max_revenue: "500000", max_adds_per_run: "20" });
  queuedBefore = Number((await rows(wh, "select count(*)::int as n from cold_email.push_queue"))[0]?.n);
  await snapshotLeadStatus(wh.conn, edited);
  await transform(edited);
  diff = await diffLeadStatus(wh.conn, edited);
  await snapshotLeadStatus(wh.conn, edited);
  await transform(edited);
  unchanged = await diffLeadStatus(wh.conn, edited);
}, 180_000);
afterAll(() => wh?.close());

describe("engine transform --diff", () => {
  it("names exactly the leads the threshold moved from smb to midsize", async () => {
    const expected = await rows(
      wh,
      `select s.email from cold_email_staging.stg_leads s join cold_email.lead_status l on l.email = s.email
       where s.estimated_sales_yearly >= 500000 and s.estimated_sales_yearly < 1000000 order by 1`,
    );
    expect(expected.length).toBeGreaterThan(5);
    const moved = diff.changes
      .filter((c) => c.output === "lead_status" && c.kind === "segment smb → midsize")
      .map((c) => c.email)
      .sort();
    expect(moved).toEqual(expected.map((r) => String(r.email)));
    expect(
      diff.changes.filter((c) => c.kind.startsWith("segment") && c.kind !== "segment smb → midsize"),
    ).toEqual([]);
    const counted = diff.summary
      .filter((s) => s.change === "segment smb → midsize")
      .reduce((n, s) => n + s.leads, 0);
    expect(counted).toBe(expected.length);
  });

  it("names the leads that left the queue, kept out by capacity, and counts each kind of change", async () => {
    const queuedAfter = Number(
      (await rows(wh, "select count(*)::int as n from cold_email.push_queue"))[0]?.n,
    );
    expect(queuedAfter).toBeLessThan(queuedBefore);
    const left = diff.changes.filter((c) => c.output === "push_queue" && c.kind === "unqueued");
    expect(left.length).toBe(queuedBefore - queuedAfter);
    const stillQueued = await rows(wh, "select email from cold_email.push_queue");
    const queued = new Set(stillQueued.map((r) => String(r.email)));
    expect(left.filter((c) => queued.has(c.email))).toEqual([]);
    const reasons = await rows(
      wh,
      `select distinct kept_out_by from cold_email.lead_status where email in (${left.map((c) => `'${c.email}'`).join(",")})`,
    );
    expect(new Set(left.map((c) => c.why))).toEqual(new Set(reasons.map((r) => String(r.kept_out_by))));
    for (const s of diff.summary) {
      const leads = diff.changes.filter(
        (c) => c.output === s.output && c.kind === s.change && c.why === s.why,
      );
      expect(leads.length).toBe(s.leads);
    }
    expect(diff.changedLeads).toBe(new Set(diff.changes.map((c) => c.email)).size);
    expect(diff.before).toBe(diff.after);
  });

  it("a transform with no edit changes nothing", () => {
    expect(unchanged.changes).toEqual([]);
    expect(formatLeadDiff(unchanged)).toEqual([
      `diff: 0 of ${unchanged.after.toLocaleString("en-US")} leads changed (lead_status before: ${unchanged.before.toLocaleString("en-US")})`,
    ]);
  });

  it("prints a table per output and lists the leads, at most 10 per change", () => {
    const lines = formatLeadDiff(diff);
    expect(lines[1]).toMatch(/^output\s+change\s+why\s+leads$/);
    expect(lines.some((l) => /^lead_status\s+segment smb → midsize\s+/.test(l))).toBe(true);
    const listed = lines.find((l) => l.startsWith("  lead_status segment smb → midsize"));
    const first = diff.summary.find((s) => s.change === "segment smb → midsize");
    expect(listed).toContain(`(${first?.why}): `);
    if ((first?.leads ?? 0) > 10) expect(listed).toContain(`… and ${(first?.leads ?? 0) - 10} more`);
  });
});
