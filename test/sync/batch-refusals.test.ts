import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { makeWorld, query, type World } from "./harness.ts";
import { envelope, type RefusingProxy, startRefusingProxy } from "./refusing-proxy.ts";

/**
 * A 4xx that refuses a whole call is no verdict on the leads in it (the plan's
 * lead limit, a campaign deleted mid-run, verification out of credits in any status): the rows end
 * `failed` and retryable, never `rejected`, so int_suppression never suppresses them; the phase
 * stops with a warning naming the refusal, the run is partial, and the next run adds them.
 */
describe("batch-level refusals", () => {
  let world: World;
  let proxy: RefusingProxy;
  beforeAll(async () => {
    world = await makeWorld({ leads: 1500 });
    proxy = await startRefusingProxy(world.sandbox.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await world?.close();
  });

  const viaProxy = () => world.client({ baseUrl: proxy.url });
  const pullAndTransform = async () => {
    world.sandbox.advance(1);
    await runPull({
      settings: world.settings,
      warehouse: world.warehouse,
      client: world.client(),
      notifier: false,
    });
    await world.transform();
  };
  const apply = (options: { batchSizes?: { add?: number }; verifyConcurrency?: number } = {}) =>
    runApply({ settings: world.settings, warehouse: world.warehouse, client: viaProxy(), ...options });
  const finals = (runId: string, op: string) =>
    query(
      world,
      `select action_id, email, state, retryable, error_code, http_status from cold_email_ops.sync_changelog
       where run_id = '${runId}' and op = '${op}' and state <> 'intent'`,
    );
  const rejectedSuppressions = async (emails: string[]) =>
    emails.length === 0
      ? []
      : query(
          world,
          `select suppressed_value from cold_email_staging.int_suppression where reason = 'rejected'
           and suppressed_value in (${emails.map((e) => `'${e.replaceAll("'", "''")}'`).join(", ")})`,
        );

  test("the plan's lead limit (400) on /leads/add: rows failed and retryable, push stopped, the next run adds them", async () => {
    await pullAndTransform();
    proxy.refuse = (route) =>
      route === "POST /leads/add"
        ? envelope(400, "Bad Request", "Lead limit reached for your plan")
        : undefined;
    proxy.calls.clear();
    const r = await apply();
    proxy.refuse = undefined;
    expect(r.status).toBe("partial");
    expect(r.warnings.join(" ")).toMatch(
      /push stopped: Instantly refused a whole \/leads\/add batch for campaign [0-9a-f-]+ \(.*Lead limit reached for your plan\); its \d+ lead\(s\) are failed and retryable, not rejected/,
    );
    expect(proxy.calls.get("POST /leads/add")).toBe(1);
    const adds = await finals(r.runId, "add");
    expect(adds.length).toBeGreaterThan(0);
    expect(
      adds.every((a) => a.state === "failed" && a.retryable === true && a.error_code === "batch_refused"),
    ).toBe(true);
    expect(adds.every((a) => Number(a.http_status) === 400)).toBe(true);
    expect(
      await query(
        world,
        `select count(*)::int as n from cold_email_ops.sync_changelog where run_id = '${r.runId}' and state = 'rejected'`,
      ),
    ).toEqual([{ n: 0 }]);

    await world.transform();
    expect(await rejectedSuppressions(adds.map((a) => String(a.email)))).toEqual([]);
    const again = await apply();
    const added = new Set(
      (await finals(again.runId, "add")).filter((a) => a.state === "succeeded").map((a) => a.action_id),
    );
    expect(adds.filter((a) => added.has(a.action_id))).toHaveLength(adds.length);
  });

  test("a campaign deleted mid-run (404 on the second batch): the first batch lands, the rest is failed and retryable", async () => {
    await pullAndTransform();
    proxy.refuse = (route, n) =>
      route === "POST /leads/add" && n >= 1 ? envelope(404, "Not Found", "Campaign not found") : undefined;
    proxy.calls.clear();
    const r = await apply({ batchSizes: { add: 5 } });
    proxy.refuse = undefined;
    expect(r.status).toBe("partial");
    expect(proxy.calls.get("POST /leads/add")).toBe(2);
    const adds = await finals(r.runId, "add");
    const byState = (s: string) => adds.filter((a) => a.state === s);
    expect(byState("succeeded").length).toBeGreaterThan(0);
    expect(byState("rejected")).toEqual([]);
    const refused = byState("failed");
    expect(refused.length).toBeGreaterThan(0);
    expect(
      refused.every(
        (a) => a.error_code === "batch_refused" && a.retryable === true && Number(a.http_status) === 404,
      ),
    ).toBe(true);
    expect(r.warnings.join(" ")).toMatch(/refused a whole \/leads\/add batch .*Campaign not found/);

    await world.transform();
    expect(await rejectedSuppressions(refused.map((a) => String(a.email)))).toEqual([]);
    const again = await apply({ batchSizes: { add: 5 } });
    const added = new Set(
      (await finals(again.runId, "add")).filter((a) => a.state === "succeeded").map((a) => a.action_id),
    );
    expect(refused.every((a) => added.has(a.action_id))).toBe(true);
  });

  for (const status of [400, 402]) {
    test(`out of verification credits answered ${status}: one call, verification stops, nothing rejected`, async () => {
      await pullAndTransform();
      proxy.refuse = (route) =>
        route === "POST /email-verification"
          ? envelope(
              status,
              status === 400 ? "Bad Request" : "Payment Required",
              "Not enough verification credits",
            )
          : undefined;
      proxy.calls.clear();
      const r = await apply({ verifyConcurrency: 1 });
      proxy.refuse = undefined;
      expect(proxy.calls.get("POST /email-verification")).toBe(1);
      expect(r.status).toBe("partial");
      expect(r.warnings.join(" ")).toMatch(/verification stopped: out of verification credits/);
      const verifies = await finals(r.runId, "verify");
      expect(verifies.length).toBeGreaterThan(0);
      expect(verifies.every((v) => v.state === "failed" && v.retryable === true)).toBe(true);
      expect(verifies.filter((v) => v.error_code === "out_of_credits")).toHaveLength(1);
      expect(
        await query(
          world,
          `select count(*)::int as n from cold_email_ops.sync_changelog where run_id = '${r.runId}' and state = 'rejected'`,
        ),
      ).toEqual([{ n: 0 }]);
    });
  }
});
