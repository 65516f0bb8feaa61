import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planSchema } from "../../engine/src/core/plan.ts";
import { describe as describeRun, smallWorldVars, World } from "./harness.ts";
import { checkInvariants, checkNoLeaks, formatViolations } from "./invariants.ts";

/**
 * `engine plan` is the apply code path with a recording writer: it must make ZERO write calls to
 * Instantly, and `engine apply --plan FILE` must then do exactly what the plan said — the same
 * drains, block-list entries, verifications and adds, by action id, and nothing else. Verification
 * outcomes are made deterministic (no invalid, no catch-all) so the plan's assumption that every
 * verification passes holds and the comparison can be exact. Then `engine run` (the one-command local
 * loop) and `engine status` run on the same world.
 */

/** Routes that change Instantly or spend credits (the sandbox logs route patterns, never raw paths). */
const WRITE_ROUTES = [
  "POST /leads/add",
  "POST /leads",
  "DELETE /leads",
  "DELETE /leads/:id",
  "PATCH /leads/:id",
  "POST /block-lists-entries",
  "POST /block-lists-entries/bulk-create",
  "POST /email-verification",
];

describe("e2e: plan, then apply --plan; engine run; engine status", () => {
  let world: World;

  beforeAll(async () => {
    world = await World.create({
      seed: 55,
      leads: 500,
      vars: smallWorldVars,
      unmanagedLeads: 3,
      sandbox: { verification: { invalidRate: 0, catchAllRate: 0, pendingRate: 0.3 } },
    });
    await world.graph();
    // Day 0 fills the campaigns; three days later some sequences ended, so the plan has drains too.
    expect((await world.cli(["pull"])).code).toBe(0);
    await world.transform();
    expect([0, 1]).toContain((await world.cli(["apply"])).code);
    world.advance(3);
    expect((await world.cli(["pull"])).code).toBe(0);
    await world.transform();
  });
  afterAll(async () => {
    await world?.close();
  });

  it("plan writes nothing to Instantly; apply --plan executes exactly the plan", async () => {
    const before = world.sandbox.stats();
    const changelogBefore = await world.query<{ n: number }>(
      `select count(*)::integer as n from ${world.ops("sync_changelog")}`,
    );
    const file = path.join(world.dir, "plan.json");
    const plan = await world.cli(["plan", "--out", file, "--json"]);
    expect(plan.code, describeRun(plan)).toBe(0);

    const after = world.sandbox.stats();
    expect(after.writes).toBe(before.writes);
    const lastSeq = before.log[before.log.length - 1]?.seq ?? 0;
    const planCalls = after.log.filter((e) => e.seq > lastSeq);
    expect(planCalls.length).toBeGreaterThan(0);
    expect(planCalls.filter((e) => WRITE_ROUTES.includes(`${e.method} ${e.route}`))).toEqual([]);
    expect(
      await world.query<{ n: number }>(`select count(*)::integer as n from ${world.ops("sync_changelog")}`),
    ).toEqual(changelogBefore);

    const saved = planSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    const printed = JSON.parse(plan.stdout) as { actions: number; file: string };
    expect(printed.actions).toBe(saved.actions.length);
    const byOp = (op: string) => saved.actions.filter((a) => a.op === op);
    expect(byOp("drain").length).toBeGreaterThan(0);
    expect(byOp("add").length).toBeGreaterThan(0);
    // The printed summary never carries an email or a name; the file does (Instantly needs them).
    expect(plan.stdout).not.toMatch(/@/);

    const apply = await world.cli(["apply", "--plan", file]);
    expect(apply.code, describeRun(apply)).toBe(0);
    const run = await world.latestRun("apply");
    expect(run?.status).toBe("succeeded");
    const executed = await world.query<{ action_id: string; op: string }>(
      `select distinct action_id, op from ${world.ops("sync_changelog")} where run_id = '${run?.run_id}' and state = 'intent'`,
    );
    const key = (a: { action_id: string; op: string }) => `${a.op}:${a.action_id}`;
    expect(new Set(executed.map(key))).toEqual(new Set(saved.actions.map(key)));
    const finals = await world.query<{ op: string; state: string; n: number }>(
      `select op, state, count(*)::integer as n from ${world.ops("sync_changelog")}
       where run_id = '${run?.run_id}' and state <> 'intent' group by all order by op, state`,
    );
    const succeeded = (op: string) => finals.find((f) => f.op === op && f.state === "succeeded")?.n ?? 0;
    expect(succeeded("drain")).toBe(byOp("drain").length);
    expect(succeeded("add")).toBe(byOp("add").length);

    const pull = await world.cli(["pull"]);
    expect(pull.code, describeRun(pull)).toBe(0);
    const v = await checkInvariants(world, { afterPull: true });
    expect(v, formatViolations(v)).toEqual([]);
  });

  it("apply --plan refuses a plan made from an older pull", async () => {
    const file = path.join(world.dir, "plan.json");
    const stale = await world.cli(["apply", "--plan", file]);
    expect(stale.code, describeRun(stale)).not.toBe(0);
    expect(stale.code).not.toBe(1);
    expect(world.sandbox.stats().log.filter((e) => e.seq > 0).length).toBeGreaterThan(0);
  });

  it("engine run does pull → transform → apply in one command, and engine status reports it", async () => {
    world.advance(1);
    const run = await world.cli(["run"]);
    expect([0, 1], describeRun(run)).toContain(run.code);
    expect(run.stdout).toMatch(/pull/);
    expect(run.stdout).toMatch(/transform/);
    expect(run.stdout).toMatch(/apply/);
    const v = await checkInvariants(world, { afterPull: false });
    expect(v, formatViolations(v)).toEqual([]);

    const status = await world.cli(["status", "--json"]);
    expect(status.code, describeRun(status)).toBe(0);
    const parsed = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(Object.keys(parsed).length).toBeGreaterThan(0);
    expect(status.stdout).not.toMatch(/@/);
    const leaks = await checkNoLeaks(world);
    expect(leaks, formatViolations(leaks)).toEqual([]);
  }, 120_000);
});
