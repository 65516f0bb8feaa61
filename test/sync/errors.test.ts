import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { ExitCode, UserError } from "../../engine/src/core/errors.ts";
import { InstantlyClient } from "../../engine/src/instantly/index.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { lockLoop } from "../../engine/src/sync/lock.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { loadLoopSettings } from "../../engine/src/sync/session.ts";
import { openWarehouse } from "../../engine/src/warehouse/open-warehouse.ts";
import { makeWorld, query, type World } from "./harness.ts";

/** Bad input and failures: one clear message, a non-zero exit, nothing half-done. */

const tmp = mkdtempSync(path.join(tmpdir(), "engine-errors-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), "engine/bin/engine.js"), ...args], {
    cwd: repoRoot(),
    env: { ...process.env, ENGINE_DEBUG: "", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("bad input through the CLI", () => {
  test("a malformed settings file: one message, exit 2, no warehouse created", () => {
    const dir = path.join(tmp, "bad-settings");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "workflow_settings.yaml"), "vars: [unclosed\n  : : :");
    const wh = path.join(dir, "wh.duckdb");
    const r = cli(["apply"], {
      ENGINE_PROJECT_DIR: dir,
      ENGINE_WAREHOUSE: wh,
      INSTANTLY_API_KEY: "k-test-1234",
    });
    expect(r.status).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/^error: .*workflow_settings\.yaml is not valid YAML/m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(wh)).toBe(false);
  });

  test("a missing API key: one message naming INSTANTLY_API_KEY, exit 2 (bad input), nothing written", () => {
    const wh = path.join(tmp, "nokey.duckdb");
    const r = cli(["pull"], { ENGINE_WAREHOUSE: wh, INSTANTLY_API_KEY: "" });
    expect(r.status).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/error: .*INSTANTLY_API_KEY/);
    expect(existsSync(wh)).toBe(false);
  });

  test("a corrupted warehouse file: one message naming the file, exit 2, the file untouched", () => {
    const wh = path.join(tmp, "corrupt.duckdb");
    const garbage = Buffer.from("this is not a duckdb file ".repeat(400));
    writeFileSync(wh, garbage);
    const r = cli(["apply"], { ENGINE_WAREHOUSE: wh, INSTANTLY_API_KEY: "k-test-1234" });
    expect(r.status).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/error: cannot open the local warehouse .*corrupt\.duckdb/);
    expect(r.stderr).toMatch(/hint: /);
    expect(readFileSync(wh).equals(garbage)).toBe(true);
  });

  test("a run lock held by a live process: exit 4 (skipped), nothing done", () => {
    const wh = path.join(tmp, "locked.duckdb");
    const lock = lockLoop("duckdb", "test holder", wh);
    try {
      const r = cli(["apply"], { ENGINE_WAREHOUSE: wh, INSTANTLY_API_KEY: "k-test-1234" });
      expect(r.status).toBe(ExitCode.locked);
      expect(r.stderr).toMatch(/another run holds the lock \(test holder/);
      expect(existsSync(wh)).toBe(false);
    } finally {
      lock.release();
    }
  });

  test("--only and --warehouse values are checked", () => {
    const r = cli(["apply", "--only", "everything"], { INSTANTLY_API_KEY: "k-test-1234" });
    expect(r.status).toBe(ExitCode.usage);
    expect(r.stderr).toMatch(/--only must be drain or push, got "everything"/);
    expect(() => loadLoopSettings({ warehouse: "duckdb" })).not.toThrow();
  });
});

describe("failures against Instantly", () => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld({ leads: 1500, sandbox: { syntheticLeadsPerCampaign: 5 } });
  });
  afterAll(async () => world?.close());

  test("an unknown campaign id: one message naming the var, nothing written", async () => {
    const settings = loadLoopSettings({ vars: "smb_campaign_id=11111111-2222-4333-8444-555555555555" });
    await expect(runPull({ settings, warehouse: world.warehouse, client: world.client() })).rejects.toThrow(
      /campaign not found in this Instantly workspace: vars\.smb_campaign_id \(11111111-2222-4333-8444-555555555555\)/,
    );
    const rows = await query(world, "select count(*)::int as n from cold_email_ops.instantly_campaigns");
    expect(rows[0]?.n).toBe(0);
  });

  test("an unreachable API: one message naming the URL, nothing written", async () => {
    const client = new InstantlyClient({
      apiKey: "k-test-1234",
      baseUrl: "http://127.0.0.1:9/api/v2",
      backoff: { baseMs: 1, maxMs: 2 },
      maxAttempts: 2,
    });
    const error = await runPull({ settings: world.settings, warehouse: world.warehouse, client }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(
      /cannot reach the Instantly API at http:\/\/127\.0\.0\.1:9\/api\/v2 \((connection_refused|network_error)\)/,
    );
    expect(error.message).not.toContain("k-test-1234");
    const rows = await query(world, "select count(*)::int as n from cold_email_ops.sync_runs");
    expect(rows[0]?.n).toBe(0);
  });

  test("a key that loses its scopes mid-run: status failed, exit 3, every intent has a final row", async () => {
    await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
    await world.transform();
    // The preflight reads pass; the first write is refused with 403.
    world.sandbox.setFaults({
      scopeLossAfterRequests: world.sandbox.stats().apiRequests + 6,
      scopeLossKeepScopes: ["all:read"],
    });
    const r = await runApply({
      settings: world.settings,
      warehouse: world.warehouse,
      client: world.client(),
    });
    world.sandbox.setFaults({ scopeLossAfterRequests: null });
    expect(r.status).toBe("failed");
    expect(r.exitCode).toBe(ExitCode.failed);
    expect(r.error).toMatch(/403/);
    const open = await query(
      world,
      `select action_id from cold_email_ops.sync_changelog where run_id = '${r.runId}'
       group by action_id having count(*) filter (where state <> 'intent') = 0`,
    );
    expect(open).toEqual([]);
    const runs = await query(
      world,
      `select status, error from cold_email_ops.sync_runs where run_id = '${r.runId}' and finished_at is not null`,
    );
    expect(runs[0]?.status).toBe("failed");
    expect(String(runs[0]?.error)).not.toMatch(/@/);
  });

  test("under injected faults every row gets a final state and the status says partial when any failed", async () => {
    world.sandbox.advance(1);
    await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
    await world.transform();
    world.sandbox.setFaults({
      rate5xx: 0.25,
      partialBulkRate: 0.5,
      appliedBeforeFailureRate: 0.5,
      resetRate: 0.05,
    });
    const client = new InstantlyClient({
      apiKey: world.sandbox.apiKey,
      baseUrl: world.sandbox.url,
      backoff: { baseMs: 1, maxMs: 4 },
      maxAttempts: 2,
      verificationPoll: { firstMs: 5, maxMs: 10, totalMs: 200 },
      circuitBreaker: { coolDownMs: 50 },
    });
    const r = await runApply({ settings: world.settings, warehouse: world.warehouse, client });
    world.sandbox.setFaults({ rate5xx: 0, partialBulkRate: 0, appliedBeforeFailureRate: 0, resetRate: 0 });
    const states = await query(
      world,
      `select action_id, max(case when state <> 'intent' then 1 else 0 end) as final,
              max(case when state in ('failed', 'rejected') then 1 else 0 end) as bad
       from cold_email_ops.sync_changelog where run_id = '${r.runId}' group by action_id`,
    );
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((s) => s.final === 1)).toBe(true);
    const anyBad = states.some((s) => s.bad === 1);
    expect(r.status).toBe(anyBad ? "partial" : "succeeded");
    const emails = world.settings.managedCampaignIds.flatMap((id) =>
      world.sandbox.state.leadsInCampaign(id).map((l) => l.email),
    );
    expect(new Set(emails).size).toBe(emails.length);
  });

  test("out of verification credits: verification stops, the rest of the run goes on, status partial", async () => {
    world.sandbox.advance(1);
    await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
    await world.transform();
    world.sandbox.state.settings.verificationCredits = 3;
    const r = await runApply({
      settings: world.settings,
      warehouse: world.warehouse,
      client: world.client(),
    });
    world.sandbox.state.settings.verificationCredits = 10_000;
    expect(r.status).toBe("partial");
    expect(r.exitCode).toBe(ExitCode.partial);
    expect(r.warnings.join(" ")).toMatch(/verification stopped: out of verification credits/);
    expect(r.report.verification.attempted).toBeLessThanOrEqual(3);
    expect(r.report.errorsByClass.out_of_credits).toBeGreaterThan(0);
    // A lead that needed a verification was only sent when its verification passed in this run.
    const unverified = await query(
      world,
      `select count(*)::int as n from cold_email_ops.sync_changelog a
       join cold_email.push_queue q on q.action_id = a.action_id
       where a.run_id = '${r.runId}' and a.op = 'add' and q.needs_verification
         and not exists (select 1 from cold_email_ops.sync_changelog v where v.run_id = a.run_id
                         and v.op = 'verify' and v.state = 'succeeded' and v.email = a.email)`,
    );
    expect(unverified[0]?.n).toBe(0);
    const open = await query(
      world,
      `select action_id from cold_email_ops.sync_changelog where run_id = '${r.runId}'
       group by action_id having count(*) filter (where state <> 'intent') = 0`,
    );
    expect(open).toEqual([]);
  });
});

test("openWarehouse refuses an unknown kind", async () => {
  const settings = loadLoopSettings({});
  await expect(openWarehouse(settings, { kind: "postgres" })).rejects.toThrow(
    /--warehouse must be duckdb or bigquery, got "postgres"/,
  );
});
