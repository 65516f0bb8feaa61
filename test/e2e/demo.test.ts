import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { ENGINE_BIN } from "./harness.ts";

/**
 * `npm run demo` (`engine demo`) is the README's main job: on a fresh clone, offline, it must seed,
 * run the loop over simulated days, print each run's notification and where to look next — and
 * never print a lead's email. Run small here (the default size is for people).
 */
describe("e2e: engine demo", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "demo-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the loop over simulated days and says where to look next", async () => {
    const file = path.join(dir, "demo.duckdb");
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const env: Record<string, string> = {};
      for (const k of ["PATH", "HOME", "TMPDIR"]) if (process.env[k]) env[k] = process.env[k] as string;
      const child = spawn(
        process.execPath,
        [ENGINE_BIN, "demo", "--leads", "800", "--days", "3", "--seed", "3", "--warehouse", file],
        { cwd: repoRoot(), env, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
      });
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        err += d;
      });
      child.on("error", reject);
      child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    expect(code, `${stdout.slice(-3000)}\n${stderr}`).toBe(0);
    for (const day of [1, 2, 3]) expect(stdout).toContain(`Day ${day} of 3`);
    expect(stdout).toMatch(/Cold Email Sync Complete/);
    expect(stdout).toMatch(/Cold Email Drain/);
    expect(stdout).toContain("Where to look next");
    expect(stdout).toContain(file);
    expect(existsSync(file)).toBe(true);

    const wh = await openDuckDb(file);
    try {
      const runs = (
        await wh.conn.runAndReadAll(
          "select count(distinct run_id)::integer as n from cold_email_ops.sync_runs where mode = 'apply'",
        )
      ).getRowObjectsJS() as Array<{ n: number }>;
      expect(runs[0]?.n).toBe(3);
      const added = (
        await wh.conn.runAndReadAll(
          "select count(*)::integer as n from cold_email_ops.sync_changelog where op = 'add' and state = 'succeeded'",
        )
      ).getRowObjectsJS() as Array<{ n: number }>;
      expect(added[0]?.n).toBeGreaterThan(0);
      const emails = (
        await wh.conn.runAndReadAll("select distinct lower(trim(email)) as e from cold_email_raw.leads")
      ).getRowObjectsJS() as Array<{ e: string }>;
      const known = new Set(emails.map((r) => r.e));
      const printed = `${stdout}\n${stderr}`.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g) ?? [];
      expect(printed.filter((e) => known.has(e.toLowerCase()))).toEqual([]);
    } finally {
      wh.close();
    }
  }, 180_000);
});
