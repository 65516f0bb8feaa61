import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, validEmailSql, World } from "./harness.ts";
import { checkInvariants, checkNoLeaks } from "./invariants.ts";

/**
 * The invariant checker must be able to fail: each check is shown a world where Instantly (the
 * sandbox) or the outputs break exactly one invariant, without running the engine at all.
 */
describe("invariant checker", () => {
  let world: World;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${world.sandbox.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${world.sandbox.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    world = await World.create({
      seed: 11,
      leads: 200,
      vars: { inventory_cap: "3" },
      unmanagedLeads: 4,
      unmanagedFromPool: 1,
    });
  });
  afterAll(async () => {
    await world?.close();
  });

  it("accepts the untouched world", async () => {
    expect(world.unmanaged.leadIds).toHaveLength(4);
    expect(await checkInvariants(world, { afterPull: true })).toEqual([]);
  });

  it("flags a DNC email in a managed campaign, a duplicate, the cap, and an unrecorded lead", async () => {
    const [dnc] = await world.query<{ value: string }>(
      `select lower(value) as value from ${world.raw("dnc_list")} where kind = 'email' limit 1`,
    );
    const campaign = world.settings.managedCampaignIds[0] as string;
    const pool = await world.query<{ email: string }>(
      `select lower(trim(email)) as email from ${world.raw("leads")} where ${validEmailSql} order by email desc limit 3`,
    );
    const emails = [dnc?.value as string, ...pool.map((p) => p.email)];
    await post("/leads/add", { campaign_id: campaign, leads: emails.map((email) => ({ email })) });
    // The same email again in the other managed campaign (no dedupe flags): a workspace duplicate.
    await post("/leads/add", {
      campaign_id: world.settings.managedCampaignIds[1],
      leads: [{ email: pool[0]?.email }],
    });
    const found = await checkInvariants(world, { afterPull: true });
    const kinds = new Set(found.map((f) => f.invariant));
    expect(kinds).toEqual(new Set(["suppressed", "duplicate", "cap", "consistency"]));
  });

  it("flags a deleted unmanaged lead", async () => {
    const id = world.unmanaged.leadIds[0] as string;
    const res = await fetch(`${world.sandbox.url}/leads/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${world.sandbox.apiKey}` },
    });
    expect(res.status).toBe(200);
    const found = await checkInvariants(world, { afterPull: false });
    expect(found.filter((f) => f.invariant === "unmanaged")).toHaveLength(1);
  });

  it("flags the API key, a lead email and a lead's full name in outputs", async () => {
    const [lead] = await world.query<{ email: string; first_name: string; last_name: string }>(
      `select email, first_name, last_name from ${world.raw("leads")} where first_name is not null and last_name is not null limit 1`,
    );
    const fake = (stdout: string): CliResult => ({
      args: ["fake"],
      code: 0,
      signal: null,
      stdout,
      stderr: "",
      killed: false,
      day: 0,
      startedAt: new Date(),
      finishedAt: new Date(),
    });
    expect(await checkNoLeaks(world)).toEqual([]);
    world.outputs.push(fake(`error: 401 for key ${world.sandbox.apiKey}`));
    world.outputs.push(fake(`rejected ${lead?.email.toUpperCase()} (bad)`));
    world.outputs.push(fake(`Hi ${lead?.first_name} ${lead?.last_name},`));
    const found = await checkNoLeaks(world);
    world.outputs.length = 0;
    expect(found.map((f) => f.detail)).toEqual([
      "a secret appears in engine fake",
      "a lead email appears in engine fake",
      "a lead name appears in engine fake",
    ]);
  });
});
