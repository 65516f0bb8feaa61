import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { dncTableName, leadsTable, tempDir } from "./helpers.ts";

const run = promisify(execFile);
const engine = path.join(repoRoot(), "engine", "bin", "engine.js");

async function cli(args: string[], warehouse: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, [engine, ...args], {
      cwd: repoRoot(),
      env: { ...process.env, ENGINE_WAREHOUSE: warehouse, NO_COLOR: "1" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("engine seed / engine load (CLI, end to end)", () => {
  it("seeds the warehouse at ENGINE_WAREHOUSE, then loads and rejects files with exit codes", async () => {
    const dir = tempDir("cli-");
    const warehouse = path.join(dir, "wh.duckdb");

    const seeded = await cli(["seed", "--leads", "5000", "--as-of", "2026-01-15"], warehouse);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(
      /Seeded 5,000 leads and 200 DNC entries \(seed 1, as of 2026-01-15\) in [\d.]+ s/,
    );
    expect(seeded.stdout).toContain(warehouse);

    const json = await cli(["seed", "--leads", "2k", "--dnc", "30", "--seed", "9", "--json"], warehouse);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ leads: 2000, dnc: 30, seed: 9, warehouse });

    const bad = await cli(["seed", "--leads", "lots"], warehouse);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--leads must be a whole number, got "lots"/);

    const csv = path.join(dir, "leads.csv");
    writeFileSync(csv, "email,estimated_sales_yearly,crm_owner\na@x.com,1000,Kim\nb@y.com,oops,Lee\n");
    const rejected = await cli(["load", "leads", csv], warehouse);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(
      /column estimated_sales_yearly must be FLOAT64 .* first at data row 2 \(line 3\)/,
    );
    expect(rejected.stderr).not.toMatch(/b@y\.com|oops/);

    writeFileSync(csv, "email,estimated_sales_yearly,crm_owner\na@x.com,1000,Kim\nb@y.com,2500000,Lee\n");
    const loaded = await cli(["load", "leads", csv, "--append", "--json"], warehouse);
    expect(loaded.code).toBe(0);
    expect(JSON.parse(loaded.stdout)).toMatchObject({
      mode: "append",
      rows: 2,
      previousRows: 2000,
      totalRows: 2002,
      extraColumns: ["crm_owner"],
    });

    const dnc = path.join(dir, "dnc.csv");
    writeFileSync(dnc, "value,kind\nblocked.com,domain\n");
    const dncLoaded = await cli(["load", "dnc", dnc], warehouse);
    expect(dncLoaded.code).toBe(0);
    expect(dncLoaded.stdout).toMatch(/Loaded 1 rows into cold_email_raw\.dnc_list \(replacing 30\)/);

    const wh = await openDuckDb(warehouse);
    try {
      const counts = await wh.conn.runAndReadAll(
        `SELECT (SELECT count(*) FROM ${leadsTable})::INT AS leads, (SELECT count(*) FROM ${dncTableName})::INT AS dnc,
                (SELECT count(crm_owner) FROM ${leadsTable})::INT AS owners`,
      );
      expect(counts.getRowObjectsJS()[0]).toEqual({ leads: 2002, dnc: 1, owners: 2 });
    } finally {
      wh.close();
    }
  });

  it("load leads --null-bad loads unreadable values as empty and prints the count per column", async () => {
    const dir = tempDir("cli-null-bad-");
    const warehouse = path.join(dir, "wh.duckdb");
    const csv = path.join(dir, "export.csv");
    writeFileSync(csv, 'email,estimated_sales_yearly\na@x.com,"$1,200,000"\nb@y.com,n/a\nc@z.com,5000\n');
    const refused = await cli(["load", "leads", csv], warehouse);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/2 values cannot be read as one, first at data row 1 \(line 2\)/);
    expect(refused.stderr).toMatch(/--null-bad estimated_sales_yearly/);
    const loaded = await cli(["load", "leads", csv, "--null-bad", "estimated_sales_yearly"], warehouse);
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(/Loaded 3 rows/);
    expect(loaded.stdout).toMatch(
      /loaded as empty \(--null-bad, unreadable values\): estimated_sales_yearly 2/,
    );
  });

  it("explains itself with --help", async () => {
    const help = await cli(["load", "leads", "--help"], ":memory:");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--append/);
    expect(help.stdout).toMatch(/custom_variables/);
  });
});
