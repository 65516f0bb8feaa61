import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { ensureContract, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";
import { AS_OF, changelog, daysAgo, leads, MIDSIZE, pull, run, type Scenario } from "../sql/harness.ts";

/**
 * `engine handoffs` as a user runs it (a child process on a DuckDB file): the table, --json, --since
 * and --csv, on a warehouse built from hand-made fixtures by the real graph. The child's clock starts at
 * the fixtures' "now" (ENGINE_CLOCK_START), so --since 24h means the same thing on any day.
 */

const FORMULA = '=HYPERLINK("http://evil.example","click")';
let dir: string;
let file: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "engine-handoffs-"));
  file = path.join(dir, "wh.duckdb");
  const overrides = { dialect: "duckdb", as_of: AS_OF, pacing: "cap" };
  const settings = loadSettings({ projectDir: repoRoot(), overrides });
  const graph = await compiledGraph(overrides);
  const wh = await openDuckDb(file);
  await ensureContract(wh.conn, settings);
  const s: Scenario = { settings, graph, wh, conn: wh.conn };
  await leads(s, [
    { email: "ana@shop-a.com", first_name: FORMULA, merchant_name: 'Shop, "A" & sons' },
    { email: "bo@shop-b.com", first_name: "Bo", merchant_name: "+1 Shop" },
    { email: "cy@shop-c.com", first_name: "Cy", merchant_name: "@cy" },
    { email: "di@shop-d.com", first_name: "Di" },
  ]);
  await pull(s, "pull-1", [
    { lead_id: "L-ana", email: "ana@shop-a.com", lt_interest_status: 1, email_reply_count: 1 },
    { lead_id: "L-bo", email: "bo@shop-b.com", campaign_id: MIDSIZE, lt_interest_status: 2 },
    { lead_id: "L-cy", email: "cy@shop-c.com", email_reply_count: 1 },
    { lead_id: "L-di", email: "di@shop-d.com", status: 3 },
  ]);
  // Campaign names come from Instantly as they are: a line break and a terminal escape sequence.
  await s.conn.run(
    `update "cold_email_ops"."instantly_campaigns" set name = 'Mid\nsize \u001b[2J' where id = '${MIDSIZE}'`,
  );
  const drain = (email: string, reason: string, at: number, campaign_id?: string) => {
    const base = {
      action_id: `d-${email}`,
      op: "drain" as const,
      email,
      reason,
      ...(campaign_id ? { campaign_id } : {}),
    };
    return [
      { ...base, state: "intent", recorded_at: daysAgo(at + 0.001) },
      { ...base, state: "succeeded", recorded_at: daysAgo(at) },
    ];
  };
  await changelog(s, [
    ...drain("ana@shop-a.com", "interested", 0.2),
    ...drain("bo@shop-b.com", "meeting_booked", 0.1, MIDSIZE),
    ...drain("cy@shop-c.com", "replied", 3),
    ...drain("di@shop-d.com", "completed", 0.1),
  ]);
  await run(s);
  wh.close();
  env = {
    ...(process.env as Record<string, string>),
    ENGINE_WAREHOUSE: file,
    ENGINE_CLOCK_START: AS_OF,
    ENGINE_DEBUG: "",
  };
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const BIN = path.join(repoRoot(), "engine/bin/engine.js");
const engine = (args: string[]) =>
  promisify(execFile)(process.execPath, [BIN, "handoffs", ...args], { cwd: repoRoot(), env });
const json = async (args: string[]) => JSON.parse((await engine([...args, "--json"])).stdout);

describe("engine handoffs", () => {
  it("--json lists every hand-off drain, newest first, with the lead's own fields", async () => {
    const rows = await json([]);
    expect(rows.map((r: Record<string, unknown>) => [r.email, r.handoff_reason, r.segment])).toEqual([
      ["bo@shop-b.com", "meeting_booked", "midsize"],
      ["ana@shop-a.com", "interested", "smb"],
      ["cy@shop-c.com", "replied", "smb"],
    ]);
    expect(rows[1]).toMatchObject({
      first_name: FORMULA,
      interest_label: "interested",
      drained_at: daysAgo(0.2),
      lead_id: "L-ana",
    });
    expect(rows[1].custom_variables).toMatchObject({ merchant_name: 'Shop, "A" & sons' });
  });

  it("--since filters on the hand-off time: 24h, 7d and an ISO date", async () => {
    const emails = async (since: string) =>
      (await json(["--since", since])).map((r: { email: string }) => r.email);
    expect(await emails("24h")).toEqual(["bo@shop-b.com", "ana@shop-a.com"]);
    expect(await emails("3h")).toEqual(["bo@shop-b.com"]);
    expect(await emails("7d")).toEqual(["bo@shop-b.com", "ana@shop-a.com", "cy@shop-c.com"]);
    expect(await emails("2025-05-30T13:00:00Z")).toEqual(["bo@shop-b.com", "ana@shop-a.com"]);
    expect(await emails("2025-05-30")).toEqual(["bo@shop-b.com", "ana@shop-a.com", "cy@shop-c.com"]);
  });

  it("refuses a --since it cannot read, naming the flag", async () => {
    const failed = await engine(["--since", "yesterday"]).catch((e) => e);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("--since must be like 24h, 7d or an ISO date");
  });

  it("before any transform, says the view is missing and what to run", async () => {
    const empty = path.join(dir, "empty.duckdb");
    const failed = await promisify(execFile)(process.execPath, [BIN, "handoffs"], {
      cwd: repoRoot(),
      env: { ...env, ENGINE_WAREHOUSE: empty },
    }).catch((e) => e);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain("rpt_handoffs does not exist yet");
    expect(failed.stderr).toContain("engine transform");
  });

  it("prints a table with control characters escaped and says how many", async () => {
    const { stdout } = await engine(["--since", "24h"]);
    expect(stdout).toContain("ana@shop-a.com");
    expect(stdout).not.toContain("\u001b");
    expect(stdout).toContain("Mid size \\x1b[2J");
    expect(stdout.trim().split("\n").at(-1)).toMatch(
      // the child's clock starts at AS_OF and ticks: 24h back is AS_OF's hour a day earlier
      /^2 hand-offs since 2025-06-01T12:\d\d:\d\d\.\d{3}Z$/,
    );
  });

  it("--csv round-trips through an RFC 4180 reader and neutralises formula-looking cells", async () => {
    const csv = path.join(dir, "handoffs.csv");
    const { stdout, stderr } = await engine(["--csv", csv]);
    expect(stdout).toBe("");
    // the message says how many and where, never who
    expect(stderr.trim()).toBe(`3 hand-offs written to ${csv}`);
    const text = readFileSync(csv, "utf8");
    expect(text.split("\r\n")[0]).toBe(
      "email,campaign_id,campaign_name,segment,handoff_reason,interest_status,interest_label,replied_at,drained_at,drain_run_id,lead_id,first_name,last_name,company_name,domain,custom_variables",
    );
    // DuckDB's CSV reader (not ours) reads it back.
    const db = await openDuckDb(":memory:");
    const read = (
      await db.conn.runAndReadAll(
        `select * from read_csv('${csv}', header = true, all_varchar = true, quote = '"', escape = '"', delim = ',')`,
      )
    ).getRowObjectsJS() as Record<string, string | null>[];
    db.close();
    const rows = await json([]);
    expect(read).toHaveLength(rows.length);
    const cell = (v: unknown) =>
      v === null
        ? null
        : typeof v === "object"
          ? JSON.stringify(v)
          : /^[=+\-@]/.test(String(v)) && typeof v === "string"
            ? `'${v}`
            : String(v);
    for (const [i, row] of rows.entries()) {
      for (const [k, v] of Object.entries(row as Record<string, unknown>))
        expect(read[i]?.[k], k).toBe(cell(v));
    }
    expect(read[1]?.first_name).toBe(`'${FORMULA}`);
    expect(read[1]?.company_name).toBe('Shop, "A" & sons');
    expect(read[0]?.company_name).toBe("'+1 Shop");
    expect(read[0]?.campaign_name).toBe("Mid\nsize \u001b[2J");
    expect(read[2]?.company_name).toBe("'@cy");
    // numbers are values, not text: a negative interest status would stay a number
    expect(read[0]?.interest_status).toBe("2");
  });
});
