import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runPull } from "../../engine/src/sync/pull.ts";
import { isPullComplete } from "../../engine/src/sync/warehouse-reads.ts";
import { lead } from "../instantly/stub-server.ts";
import { accounts } from "./fake-instantly.ts";
import { makePullWorld, type PullWorld } from "./pull-world.ts";

/**
 * Listings a pull cannot trust or cannot finish: null emails and repeated lead ids make it partial
 * naming the campaign (apply then refuses it: isPullComplete is apply's check); a listing that
 * repeats pages or cursors, a body that trickles, or a pull past its budget end with a failed
 * sync_runs row that says which step failed.
 */
const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `lead-${String(from + i).padStart(4, "0")}`);

describe("pull: listings it cannot trust or finish", () => {
  let w: PullWorld;
  let smb: string;
  beforeAll(async () => {
    w = await makePullWorld((c) => {
      smb = c.smb;
      return {
        campaigns: [
          { id: c.smb, name: "SMB", email_list: ["a1@senders.test"] },
          { id: c.midsize, name: "Midsize", email_list: ["a1@senders.test"] },
        ],
        leads: { [c.smb]: ids(0, 200).map((id) => ({ id })), [c.midsize]: [{ id: "m-1" }] },
        accounts: accounts("a", 1),
      };
    });
  });
  afterAll(async () => w?.close());
  const pull = (extra: { budgetMs?: number; client?: ReturnType<PullWorld["client"]> } = {}) =>
    runPull({
      settings: w.settings,
      warehouse: w.warehouse,
      client: extra.client ?? w.client(),
      notifier: false,
      ...(extra.budgetMs === undefined ? {} : { budgetMs: extra.budgetMs }),
    });
  const runRow = async (runId: string) =>
    (await w.query(`select status, error from cold_email_ops.sync_runs where run_id = '${runId}'`))[0];
  const lastRun = async () =>
    (
      await w.query(
        "select run_id, status, error from cold_email_ops.sync_runs order by started_at desc limit 1",
      )
    )[0];

  test("leads listed with a null email make the pull partial, naming the campaign; no action can come of them", async () => {
    w.fake.listingOverride = (body) => {
      if (body.campaign !== smb || body.starting_after) return undefined;
      const page = ids(0, 100).map((id, i) => lead(id, { email: i < 3 ? null : `p${i}@example.com` }));
      return { body: { items: page, next_starting_after: "lead-0099" } };
    };
    try {
      const r = await pull();
      expect(r.complete).toBe(false);
      expect(r.completeness.untrusted).toEqual([{ campaignId: smb, nullEmails: 3, duplicateIds: 0 }]);
      expect(await runRow(r.runId)).toEqual({
        status: "partial",
        error: `untrusted listing: campaign ${smb} listed 3 lead(s) without an email; its action tables will be refused`,
      });
      expect(await isPullComplete(w.warehouse, r.runId)).toBe(false);
    } finally {
      w.fake.listingOverride = undefined;
    }
  });

  test("repeated lead ids are counted once: a listing of 200 rows but 150 ids is short and untrusted", async () => {
    // The campaign holds 200 leads; page 2 repeats 50 of page 1 and never lists the last 50.
    w.fake.listingOverride = (body) => {
      if (body.campaign !== smb) return undefined;
      const page = body.starting_after ? ids(50, 150) : ids(0, 100);
      return {
        body: {
          items: page.map((id) => lead(id, { email: `${id}@example.com` })),
          next_starting_after: body.starting_after ? null : "lead-0099",
        },
      };
    };
    try {
      const r = await pull();
      expect(r.leadsByCampaign[smb]).toBe(150);
      expect(r.completeness.short).toEqual([{ campaignId: smb, listed: 150, expected: 200 }]);
      expect(r.completeness.untrusted).toEqual([{ campaignId: smb, nullEmails: 0, duplicateIds: 50 }]);
      expect((await runRow(r.runId))?.status).toBe("partial");
      expect(String((await runRow(r.runId))?.error)).toContain(
        `campaign ${smb} listed 50 repeated lead id(s)`,
      );
      const stored = await w.query(
        `select count(*) as n, count(distinct lead_id) as d from cold_email_ops.instantly_leads where run_id = '${r.runId}' and campaign_id = '${smb}'`,
      );
      expect(stored).toEqual([{ n: 150, d: 150 }]);
    } finally {
      w.fake.listingOverride = undefined;
    }
  });

  test("a page whose ids were all seen before, under a new cursor each time, stops the pull with a failed row", async () => {
    let n = 0;
    w.fake.listingOverride = (body) => {
      if (body.campaign !== smb) return undefined;
      n++;
      return {
        body: {
          items: ids(0, 100).map((id) => lead(id, { email: `${id}@example.com` })),
          next_starting_after: `cursor-${n}`,
        },
      };
    };
    try {
      await expect(pull()).rejects.toThrow(
        new RegExp(`^Instantly lead listing of campaign ${smb} failed: .*all returned before`),
      );
      expect(n).toBe(2);
      const run = await lastRun();
      expect(run?.status).toBe("failed");
      expect(String(run?.error)).toMatch(
        new RegExp(`^lead listing of campaign ${smb} failed: .*all returned before`),
      );
      const stored = await w.query(
        `select count(*) as n from cold_email_ops.instantly_leads where run_id = '${run?.run_id}'`,
      );
      // At most the one page it listed (rows are appended in batches: here, none).
      expect(Number(stored[0]?.n)).toBeLessThanOrEqual(100);
    } finally {
      w.fake.listingOverride = undefined;
    }
  });

  test("a cursor returned before stops the pull with a failed row", async () => {
    w.fake.listingOverride = (body) => {
      if (body.campaign !== smb) return undefined;
      const page = body.starting_after ? ids(100, 200) : ids(0, 100);
      return {
        body: {
          items: page.map((id) => lead(id, { email: `${id}@example.com` })),
          next_starting_after: "same",
        },
      };
    };
    try {
      await expect(pull()).rejects.toThrow(
        /lead listing of campaign .* failed: .*cursor it had already returned/,
      );
      const run = await lastRun();
      expect(run?.status).toBe("failed");
      expect(String(run?.error)).toContain("cursor it had already returned");
    } finally {
      w.fake.listingOverride = undefined;
    }
  });

  test("a body that trickles one byte at a time fails at the call's deadline, as a retryable timeout", async () => {
    const timers = new Set<NodeJS.Timeout>();
    w.fake.listingOverride = (body, res) => {
      if (body.campaign !== smb) return undefined;
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
      const t = setInterval(() => res.write(" "), 20);
      timers.add(t);
      res.on("close", () => clearInterval(t));
      return "hang";
    };
    try {
      const client = w.client({ timeoutMs: 300, listTimeoutMs: 300, maxAttempts: 2 });
      await expect(pull({ client })).rejects.toThrow(
        /Instantly lead listing of campaign .* failed: the API at .* did not answer \(headers and body\) within the deadline/,
      );
      const stats = client.stats().operations.listLeads;
      expect(stats?.byStatus).toEqual({ timeout: 2 });
      const run = await lastRun();
      expect(run?.status).toBe("failed");
      expect(String(run?.error)).toMatch(/^lead listing of campaign .* failed: .*timed out/);
    } finally {
      for (const t of timers) clearInterval(t);
      w.fake.listingOverride = undefined;
    }
  });

  test("a pull past its budget stops with a failed row naming where", async () => {
    await expect(pull({ budgetMs: 0 })).rejects.toThrow(
      /pull stopped listing campaign .*: it ran past its budget of 0 s/,
    );
    const run = await lastRun();
    expect(run?.status).toBe("failed");
    expect(String(run?.error)).toMatch(/^lead listing of campaign .* failed: pull stopped .* budget/);
  });

  test("a clean listing afterwards succeeds", async () => {
    const r = await pull();
    expect(r.complete).toBe(true);
    expect(r.leadsByCampaign[smb]).toBe(200);
    expect(await isPullComplete(w.warehouse, r.runId)).toBe(true);
  });
});
