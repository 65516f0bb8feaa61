import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, describe as describeRun, makeProject, smallWorldVars, World } from "./harness.ts";
import { checkNoLeaks, formatViolations } from "./invariants.ts";

/**
 * Bad input, as a person meets it: each case gives ONE clear message (one `error:` line naming what
 * is wrong, no stack trace), a non-zero exit, and leaves nothing half-written: no snapshot, changelog
 * or verification rows, no write to Instantly, and a run row only if it says `failed`.
 */

const UNKNOWN_CAMPAIGN = "0badc0de-0000-4000-8000-000000000001";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("e2e: bad input", () => {
  let world: World;

  beforeAll(async () => {
    world = await World.create({ seed: 44, leads: 300, vars: smallWorldVars, slackSink: false });
    await world.graph();
    // A normal first day, so there are action tables an apply could act on.
    const pull = await world.cli(["pull"]);
    expect(pull.code, describeRun(pull)).toBe(0);
    await world.transform();
  });
  afterAll(async () => {
    await world?.close();
  });

  type Counts = Record<string, number>;
  async function counts(): Promise<Counts> {
    const tables = ["instantly_leads", "instantly_campaigns", "sync_changelog", "email_verifications"];
    const out: Counts = {};
    for (const t of tables) {
      const [row] = await world.query<{ n: number }>(`select count(*)::integer as n from ${world.ops(t)}`);
      out[t] = row?.n ?? -1;
    }
    const [runs] = await world.query<{ n: number }>(
      `select count(*)::integer as n from ${world.ops("sync_runs")} where status <> 'failed'`,
    );
    out.sync_runs_not_failed = runs?.n ?? -1;
    return out;
  }

  /**
   * The distinct error messages a run printed. A command that stops before acting prints ONE
   * `error: ...` line on stderr (exit 2). `apply` records a failure it meets once running (Instantly
   * refuses the key, a campaign is missing, the API is unreachable) as a `failed` run: its
   * notifications ("Run failed: ...") and its summary ("error ...") then carry the same message, and
   * it exits 3. Either way there must be exactly one distinct message.
   */
  function errorMessages(result: CliResult): string[] {
    const found = new Set<string>();
    for (const line of `${result.stderr}\n${result.stdout}`.split("\n")) {
      const m = /^(?:error: |\s+error\s+|• Run failed: )(.*)$/.exec(line);
      if (m?.[1]) found.add(m[1].trim());
    }
    return [...found];
  }

  /** Runs the command and checks the common contract; returns the one error message. */
  async function expectOneClearError(
    args: string[],
    env: Record<string, string | undefined>,
  ): Promise<string> {
    const before = await counts();
    const writesBefore = world.sandbox.stats().writes;
    const result: CliResult = await world.cli(args, { env });
    expect(result.code, describeRun(result)).not.toBe(0);
    expect(result.code, describeRun(result)).not.toBeNull();
    const messages = errorMessages(result);
    expect(messages, describeRun(result)).toHaveLength(1);
    if (/FAILED \(exit 3\)/.test(result.stdout)) expect(result.code).toBe(3);
    else expect(result.stderr.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
    expect(result.stderr, describeRun(result)).not.toMatch(/^\s+at /m);
    expect(world.sandbox.stats().writes).toBe(writesBefore);
    expect(await counts()).toEqual(before);
    return messages[0] as string;
  }

  it("a malformed settings file (YAML syntax) names the file", async () => {
    const dir = makeProject(path.join(world.dir, "bad-yaml"), {}, "defaultProject: x\nvars: [unclosed\n");
    for (const cmd of ["pull", "apply"]) {
      const line = await expectOneClearError([cmd], { ENGINE_PROJECT_DIR: dir });
      expect(line).toContain(path.join(dir, "workflow_settings.yaml"));
      expect(line).toMatch(/not valid YAML/);
    }
  });

  it("a bad setting value names the var and the value", async () => {
    const dir = makeProject(path.join(world.dir, "bad-var"), { ...smallWorldVars, inventory_cap: "lots" });
    const line = await expectOneClearError(["apply"], { ENGINE_PROJECT_DIR: dir });
    expect(line).toMatch(/vars\.inventory_cap/);
    expect(line).toContain('"lots"');
  });

  it("an unknown campaign id names the id and its var", async () => {
    const dir = makeProject(path.join(world.dir, "unknown-campaign"), {
      ...smallWorldVars,
      smb_campaign_id: UNKNOWN_CAMPAIGN,
    });
    for (const cmd of ["pull", "apply"]) {
      const line = await expectOneClearError([cmd], { ENGINE_PROJECT_DIR: dir });
      expect(line).toContain(UNKNOWN_CAMPAIGN);
    }
  });

  it("a missing API key says which variable to set", async () => {
    for (const cmd of ["pull", "apply"]) {
      const line = await expectOneClearError([cmd], { INSTANTLY_API_KEY: undefined });
      expect(line).toContain("INSTANTLY_API_KEY");
      // Nothing ran, so this is bad input (exit 2), like a bad setting.
      expect(world.outputs[world.outputs.length - 1]?.code).toBe(2);
    }
  });

  it("a wrong API key is refused without printing it", async () => {
    const wrong = "wrong-key-0123456789abcdef";
    const line = await expectOneClearError(["apply"], { INSTANTLY_API_KEY: wrong });
    expect(line).toMatch(/401|key/i);
    const last = world.outputs[world.outputs.length - 1];
    expect(`${last?.stdout}${last?.stderr}`).not.toContain(wrong);
  });

  it("an unreachable API (closed port) says it cannot reach it", async () => {
    const port = await closedPort();
    for (const cmd of ["pull", "apply"]) {
      const line = await expectOneClearError([cmd], {
        INSTANTLY_BASE_URL: `http://127.0.0.1:${port}/api/v2`,
      });
      expect(line).toMatch(/reach|connect|refused|unreachable/i);
      expect(line).toContain(`127.0.0.1:${port}`);
    }
  });

  it("a corrupted warehouse file is named, and left as it was", async () => {
    const file = path.join(world.dir, "corrupt.duckdb");
    const garbage = Buffer.alloc(64 * 1024, 0x5a);
    garbage.write("this is not a duckdb file", 0);
    writeFileSync(file, garbage);
    for (const cmd of ["pull", "apply"]) {
      const line = await expectOneClearError([cmd], { ENGINE_WAREHOUSE: file });
      expect(line).toContain(file);
    }
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it("never prints a secret or lead PII in any of these errors", async () => {
    const leaks = await checkNoLeaks(world);
    expect(leaks, formatViolations(leaks)).toEqual([]);
  });
});
