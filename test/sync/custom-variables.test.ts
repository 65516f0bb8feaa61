import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { CUSTOM_VARIABLE_COLUMNS_DEFAULT } from "../../engine/src/config/vars.ts";
import { loadLeads } from "../../engine/src/local/load.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";
import { makeWorld, query, type World } from "./harness.ts";

/**
 * Only the columns of the `custom_variable_columns` var leave the warehouse: a leads file with an
 * internal column (crm_owner) is loaded, one run adds leads to the sandbox, and the sandbox's stored
 * leads are inspected. The column stays in the raw table; it reaches Instantly only when listed.
 */
const worlds: World[] = [];
afterAll(async () => {
  for (const w of worlds) await w.close();
});

/** A world whose leads table holds only 30 leads from a file with an extra crm_owner column, after one run. */
async function runWith(vars: Record<string, string>): Promise<World> {
  const world = await makeWorld({ leads: 10, vars });
  worlds.push(world);
  const csv = path.join(world.dir, "leads.csv");
  const lines = ["email,first_name,merchant_name,state,estimated_sales_yearly,crm_owner"];
  for (let i = 1; i <= 30; i++) {
    lines.push(`buyer${i}@shop${i}.example.com,Pat${i},Shop ${i},ca,${i * 10_000},Owner${i}`);
  }
  writeFileSync(csv, `${lines.join("\n")}\n`);
  const loaded = await loadLeads(world.warehouse.conn, world.settings, csv);
  expect(loaded.extraColumns).toEqual(["crm_owner"]);
  await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
  await world.transform(true);
  const result = await runApply({
    settings: world.settings,
    warehouse: world.warehouse,
    client: world.client(),
  });
  expect(result.status).toBe("succeeded");
  return world;
}

function storedPayloads(world: World): Array<Record<string, unknown>> {
  return world.settings.managedCampaignIds.flatMap((id) =>
    world.sandbox.state.leadsInCampaign(id).map((l) => (l.payload ?? {}) as Record<string, unknown>),
  );
}

describe("custom_variable_columns", () => {
  test("by default a column outside the list never reaches the sandbox; the listed ones do", async () => {
    const world = await runWith({});
    const payloads = storedPayloads(world);
    expect(payloads.length).toBeGreaterThan(10);
    for (const p of payloads) {
      expect(Object.keys(p)).not.toContain("crm_owner");
      expect(p.state).toBe("ca");
      expect(typeof p.estimated_sales_yearly).toBe("number");
    }
    const [raw] = await query(
      world,
      `select count(crm_owner)::int as n from "${world.settings.vars.raw_dataset}"."${world.settings.vars.leads_table}"`,
    );
    expect(raw?.n).toBe(30);
    const [queued] = await query(
      world,
      "select count(*)::int as n from cold_email.push_queue where custom_variables::varchar like '%crm_owner%'",
    );
    expect(queued?.n).toBe(0);
  }, 120_000);

  test("a listed extra column is sent, and an unlisted contract column is not", async () => {
    const world = await runWith({ custom_variable_columns: "state|crm_owner" });
    const payloads = storedPayloads(world);
    expect(payloads.length).toBeGreaterThan(10);
    for (const p of payloads) {
      expect(p.crm_owner).toMatch(/^Owner\d+$/);
      expect(p.state).toBe("ca");
      expect(Object.keys(p)).not.toContain("estimated_sales_yearly");
      expect(Object.keys(p)).not.toContain("merchant_name");
    }
  }, 120_000);

  test("a name that is no column name is refused with the var named", () => {
    expect(() =>
      loadSettings({ overrides: { dialect: "duckdb", custom_variable_columns: "State Code" } }),
    ).toThrow(/custom_variable_columns/);
  });

  test("unset, the SQL keeps exactly the default of engine/src/config/vars.ts (includes/config.js agrees)", async () => {
    const graph = await compiledGraph({ dialect: "duckdb" });
    const pushQueue = graph.tables.find((t) => t.target.name === "push_queue");
    const keys = [...(pushQueue?.query ?? "").matchAll(/json_extract\([^,]+, '\$\.([a-z0-9_]+)'\)/g)].map(
      (m) => m[1],
    );
    expect(keys).toEqual(CUSTOM_VARIABLE_COLUMNS_DEFAULT.split(","));
  }, 60_000);
});
