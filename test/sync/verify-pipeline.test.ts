import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { makeWorld, query, type World } from "./harness.ts";

/**
 * Pending verifications do not hold the next batch back: every batch's answers (pending ones too,
 * with their credit) are stored before the next batch is sent, and the pending ones are polled
 * alongside the later batches, their final results stored when they come. Every address here answers
 * `pending` first and needs two polls, with a first poll a second after the POST, so the second
 * batch's POSTs go out while the first batch is still waiting.
 */
let world: World;
beforeAll(async () => {
  world = await makeWorld({
    leads: 2000,
    vars: { max_adds_per_run: "30" },
    sandbox: { verification: { pendingRate: 1, pollsUntilFinal: 2, invalidRate: 0.2, catchAllRate: 0 } },
  });
});
afterAll(async () => world?.close());

test("later batches are sent while earlier pending answers are polled; nothing is paid or written twice", async () => {
  await runPull({ settings: world.settings, warehouse: world.warehouse, client: world.client() });
  await world.transform(true);
  const client = world.client({ verificationPoll: { firstMs: 1000, maxMs: 1000, totalMs: 10_000 } });
  const r = await runApply({
    settings: world.settings,
    warehouse: world.warehouse,
    client,
    batchSizes: { verify: 10 },
  });
  expect(r.status).toBe("succeeded");
  const v = r.report.verification;
  expect(v.attempted).toBeGreaterThan(20);
  expect(v.pending).toBe(0);
  expect(v.attempted).toBe(v.verified + v.invalid + v.catchAll);

  // Order of the calls (the sandbox's request log, by sequence number).
  const log = world.sandbox.stats().log.filter((e) => e.route.startsWith("/email-verification"));
  const posts = log.filter((e) => e.method === "POST").map((e) => e.seq);
  const gets = log.filter((e) => e.method === "GET").map((e) => e.seq);
  expect(gets.length).toBe(2 * posts.length);
  // The 11th POST (second batch) goes out before the first batch's polls are done (its 20 GETs).
  expect(posts[10] as number).toBeLessThan(gets[19] as number);

  const runId = r.runId;
  const rows = await query(
    world,
    `select result, credits_used from cold_email_ops.email_verifications where run_id = '${runId}'`,
  );
  // Each address: its pending answer (the credit) and its final result (a free GET).
  expect(rows.filter((x) => x.result === "pending")).toHaveLength(posts.length);
  expect(rows.filter((x) => x.result !== "pending")).toHaveLength(posts.length);
  expect(rows.reduce((n, x) => n + Number(x.credits_used ?? 0), 0)).toBe(posts.length);

  // Every verify action has exactly one final row, written after its intent.
  const finals = await query(
    world,
    `select action_id, count(*) filter (where state <> 'intent') as finals, count(*) filter (where state = 'intent') as intents
       from cold_email_ops.sync_changelog where run_id = '${runId}' and op = 'verify' group by action_id`,
  );
  expect(finals).toHaveLength(posts.length);
  for (const f of finals) expect([Number(f.intents), Number(f.finals)]).toEqual([1, 1]);
  // Adds only for verified addresses, never more than the run's room.
  expect(r.report.adds.added).toBe(Math.min(30, v.verified));
});

describe("a verification an earlier run left pending", () => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld({
      leads: 2000,
      vars: { max_adds_per_run: "20" },
      sandbox: { verification: { pendingRate: 1, pollsUntilFinal: 1, invalidRate: 0, catchAllRate: 0 } },
    });
  });
  afterAll(async () => w?.close());

  const verificationRows = (runId: string) =>
    query(
      w,
      `select email, result, credits_used from cold_email_ops.email_verifications where run_id = '${runId}'`,
    );
  const posts = () =>
    w.sandbox.stats().log.filter((e) => e.method === "POST" && e.route === "/email-verification").length;

  test("is asked for its result next run, not paid for again", async () => {
    // Run 1 has no poll budget: every answer stays pending (its credit spent), nothing is added.
    await runPull({ settings: w.settings, warehouse: w.warehouse, client: w.client() });
    await w.transform(true);
    const impatient = w.client({ verificationPoll: { firstMs: 50, maxMs: 50, totalMs: 1 } });
    const first = await runApply({ settings: w.settings, warehouse: w.warehouse, client: impatient });
    expect(first.report.verification.pending).toBe(first.report.verification.attempted);
    expect(first.report.adds.added).toBe(0);
    const pendingEmails = new Set((await verificationRows(first.runId)).map((r) => String(r.email)));
    expect(pendingEmails.size).toBe(first.report.verification.attempted);
    const postsAfterFirst = posts();
    expect(postsAfterFirst).toBe(pendingEmails.size);

    // The rules mark those rows verification_pending; the next run GETs their results instead.
    await runPull({ settings: w.settings, warehouse: w.warehouse, client: w.client() });
    await w.transform();
    const queued = await query(w, "select email, verification_pending from cold_email.push_queue");
    const resumable = queued.filter((r) => r.verification_pending === true).map((r) => String(r.email));
    expect(resumable.length).toBeGreaterThan(0);
    for (const e of resumable) expect(pendingEmails.has(e)).toBe(true);

    const second = await runApply({ settings: w.settings, warehouse: w.warehouse, client: w.client() });
    expect(second.status).toBe("succeeded");
    const rows = await verificationRows(second.runId);
    const resumed = rows.filter((r) => pendingEmails.has(String(r.email)));
    expect(resumed.length).toBeGreaterThan(0);
    for (const r of resumed) expect([r.result, Number(r.credits_used)]).toEqual(["verified", 0]);
    // Credits bought by run 2 = its POSTs = the addresses it had never verified.
    const fresh = rows.filter((r) => !pendingEmails.has(String(r.email)));
    expect(posts() - postsAfterFirst).toBe(fresh.length);
    expect(rows.reduce((n, r) => n + Number(r.credits_used ?? 0), 0)).toBe(fresh.length);
    expect(second.report.adds.added).toBe(20);
  });
});
