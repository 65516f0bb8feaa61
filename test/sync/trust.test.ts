import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { UserError } from "../../engine/src/core/errors.ts";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";
import { transformLocal } from "../../engine/src/dataform/transform.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { makeWorld, query, type World } from "./harness.ts";

/**
 * Apply refuses action tables it cannot trust (README Guarantees): a transform killed between
 * push_budget and block_queue (the old block_queue stays), a transform whose assertions failed. Exit
 * code 2, nothing sent to Instantly, no run row.
 */
let world: World;
let graph: CompiledGraph;

beforeAll(async () => {
  world = await makeWorld({ leads: 300 });
  await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
  const result = await transformLocal({ settings: world.settings, conn: world.warehouse.conn });
  expect(result.ok).toBe(true);
  graph = result.graph;
}, 120_000);
afterAll(async () => world?.close());

const sql = async (text: string) => world.warehouse.conn.run(text);

/** Refused with exit 2, naming `pattern`; nothing reached Instantly and no run row was written. */
async function expectRefused(pattern: RegExp): Promise<void> {
  const runsBefore = await query(world, "select count(*)::int as n from cold_email_ops.sync_runs");
  const held = world.settings.managedCampaignIds.flatMap((id) =>
    world.sandbox.state.leadsInCampaign(id),
  ).length;
  for (const mode of ["apply", "plan"] as const) {
    const client = world.client();
    const error = await runApply({ settings: world.settings, warehouse: world.warehouse, client, mode }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toMatch(pattern);
    expect(client.stats().totals.calls).toBe(0);
  }
  expect(await query(world, "select count(*)::int as n from cold_email_ops.sync_runs")).toEqual(runsBefore);
  expect(
    world.settings.managedCampaignIds.flatMap((id) => world.sandbox.state.leadsInCampaign(id)).length,
  ).toBe(held);
}

describe("apply refuses action tables it cannot trust", () => {
  test("a transform killed between push_budget and block_queue: the old block_queue is refused", async () => {
    // What the kill leaves: the new pull's push_budget (and the tables before it), the old
    // block_queue and the old seal.
    await sql("create table keep_block as select * from cold_email.block_queue");
    await sql("create table keep_seal as select * from cold_email.transform_seal");
    await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
    const result = await transformLocal({ settings: world.settings, conn: world.warehouse.conn, graph });
    expect(result.ok).toBe(true);
    await sql("create or replace table cold_email.block_queue as select * from keep_block");
    await sql("create or replace table cold_email.transform_seal as select * from keep_seal");
    await expectRefused(/cannot be trusted: push_budget comes from pull pull-.* but the last transform/);

    // A sealed transform, then a row of another pull in block_queue: refused by its pull_run_id.
    await transformLocal({ settings: world.settings, conn: world.warehouse.conn, graph });
    await sql(
      `insert into cold_email.block_queue (action_id, email, campaign_id, lead_id, reason, pull_run_id) values ('y', 'y@y.com', '${world.settings.managedCampaignIds[0]}', null, 'unsubscribed', 'pull-older')`,
    );
    await expectRefused(/block_queue holds rows of pull pull-older/);
  });

  test("a transform whose assertions failed is refused", async () => {
    await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
    // The same rules with one assertion that finds a violating row.
    const failing = structuredClone(graph);
    const assertion = failing.assertions.find((a) => a.target.name === "assert_push_within_cap");
    expect(assertion).toBeDefined();
    if (assertion) assertion.query = "select 1 as violation";
    const result = await transformLocal({
      settings: world.settings,
      conn: world.warehouse.conn,
      graph: failing,
    });
    expect(result.ok).toBe(false);
    const seal = result.actions.find((a) => a.name.endsWith("transform_seal"));
    expect(seal?.status).toBe("skipped");
    await expectRefused(/cannot be trusted/);

    // The same pull, transformed again with every assertion passing: trusted again.
    const again = await transformLocal({ settings: world.settings, conn: world.warehouse.conn, graph });
    expect(again.ok).toBe(true);
    const ok = await runApply({
      settings: world.settings,
      warehouse: world.warehouse,
      client: world.client(),
      mode: "plan",
    });
    expect(ok.status).toBe("succeeded");
  });

  test("a re-transform of the same pull whose assertions failed, with changed tables, is refused", async () => {
    // A DNC entry for the first queued email changes push_queue; the failed assertion keeps the seal.
    const [first] = await query(world, "select email from cold_email.push_queue order by rank limit 1");
    await sql(
      `insert into cold_email_raw.dnc_list (value, kind, reason, source, added_at) values ('${String(first?.email)}', 'email', 'test', 'test', now())`,
    );
    const failing = structuredClone(graph);
    const assertion = failing.assertions.find((a) => a.target.name === "assert_push_within_cap");
    if (assertion) assertion.query = "select 1 as violation";
    const result = await transformLocal({
      settings: world.settings,
      conn: world.warehouse.conn,
      graph: failing,
    });
    expect(result.ok).toBe(false);
    await expectRefused(/push_queue \(\d+ rows\) is not the push_queue the last complete transform sealed/);
  });
});
