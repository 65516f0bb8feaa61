import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SandboxOptions } from "../../engine/src/sandbox/options.ts";
import { type Sandbox, startSandbox } from "../../engine/src/sandbox/server.ts";
import { serializeState } from "../../engine/src/sandbox/state.ts";
import { client, emails, frozen, json, MIDSIZE, SMB, sandbox } from "./helpers.ts";

const quiet = {
  open: 0,
  reply: 0,
  autoReply: 0,
  interested: 0,
  meetingBooked: 0,
  notInterested: 0,
  wrongPerson: 0,
  unsubscribe: 0,
  bounce: 0,
};

async function withLeads(options: SandboxOptions, n = 200): Promise<Sandbox> {
  const sb = await sandbox(options);
  await client(sb).post("/leads/add", { campaign_id: SMB, leads: emails(n) });
  return sb;
}

/** The simulated clock: leads move through their sequences, deterministically per seed. */
describe("sandbox simulation", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sandbox-sim-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("same seed → same states; another seed → different states", async () => {
    const run = async (seed: string) => {
      const sb = await withLeads({
        seed,
        simulation: {
          rates: {
            ...quiet,
            open: 0.3,
            reply: 0.03,
            interested: 0.02,
            unsubscribe: 0.02,
            bounce: 0.02,
            autoReply: 0.02,
            notInterested: 0.02,
            wrongPerson: 0.01,
          },
        },
      });
      sb.advance(10);
      sb.advance(10);
      const state = JSON.stringify(serializeState(sb.state));
      await sb.close();
      return state;
    };
    const a = await run("alpha");
    expect(await run("alpha")).toBe(a);
    expect(await run("beta")).not.toBe(a);
  });

  it("moves leads through sent → opened → replied / interested / not interested / wrong person / bounced / unsubscribed", async () => {
    const sb = await withLeads(
      {
        seed: "mix",
        simulation: {
          rates: {
            open: 0.5,
            reply: 0.02,
            autoReply: 0.03,
            interested: 0.02,
            meetingBooked: 0.01,
            notInterested: 0.02,
            wrongPerson: 0.01,
            unsubscribe: 0.02,
            bounce: 0.03,
          },
        },
      },
      500,
    );
    const summary = sb.advance(20);
    const leads = [...sb.state.leads.values()];
    const status = (s: number) => leads.filter((l) => l.status === s).length;
    const interest = (i: number) => leads.filter((l) => l.lt_interest_status === i).length;
    expect(summary.sent).toBeGreaterThan(500);
    expect(status(-1)).toBeGreaterThan(0);
    expect(status(-2)).toBeGreaterThan(0);
    expect(status(3)).toBeGreaterThan(0);
    for (const i of [0, 1, 2, -1, -2]) expect(interest(i)).toBeGreaterThan(0);
    const replied = leads.find((l) => l.lt_interest_status === 1);
    expect(replied?.status).toBe(3); // stop_on_reply: the sequence ends
    expect(replied?.email_reply_count).toBeGreaterThanOrEqual(1); // an earlier auto-reply may count too
    expect(replied?.timestamp_last_reply).toBeTruthy();
    expect(replied?.timestamp_last_interest_change).toBe(replied?.timestamp_last_reply);
    expect(Date.parse(replied?.timestamp_updated ?? "")).toBeGreaterThan(
      Date.parse(replied?.timestamp_created ?? ""),
    );
    const opened = leads.find((l) => l.email_open_count > 0);
    expect(opened?.timestamp_last_open).toBeTruthy();

    const analytics = await client(sb).get(`/campaigns/analytics?id=${SMB}`);
    expect(analytics.body).toHaveLength(1);
    const a = analytics.body[0];
    expect(a).toMatchObject({
      campaign_id: SMB,
      leads_count: 500,
      contacted_count: 500,
      bounced_count: status(-1),
    });
    expect(a.emails_sent_count).toBe(summary.sent);
    expect(a.unsubscribed_count).toBe(status(-2));
    expect(a.reply_count).toBe(summary.replied);
    expect(a.reply_count_automatic).toBe(summary.autoReplied);
    const overview = await client(sb).get("/campaigns/analytics/overview");
    expect(overview.body.total_interested).toBe(summary.interested);
    const daily = await client(sb).get(`/campaigns/analytics/daily?campaign_id=${SMB}`);
    expect(daily.body.reduce((n: number, d: { sent: number }) => n + d.sent, 0)).toBe(summary.sent);
    const badRange = await client(sb).get("/campaigns/analytics?start_date=2026-02-01&end_date=2026-01-01");
    expect(badRange).toMatchObject({
      status: 400,
      body: { message: "Start Date must be earlier than End Date" },
    });
    await sb.close();
  });

  it("completes silent leads after the sequence (status 3) and sends every step", async () => {
    const sb = await withLeads({ simulation: { rates: quiet, sequenceSteps: 3, sequenceLengthDays: 7 } }, 20);
    expect((await client(sb).get("/campaigns/analytics")).body).toEqual([]); // nothing sent yet
    sb.advance(6);
    expect([...sb.state.leads.values()].every((l) => l.status === 1)).toBe(true);
    sb.advance(3);
    const leads = [...sb.state.leads.values()];
    expect(leads.every((l) => l.status === 3 && l.timestamp_last_contact !== null)).toBe(true);
    const [a] = (await client(sb).get(`/campaigns/analytics?id=${SMB}`)).body;
    expect(a).toMatchObject({ emails_sent_count: 60, completed_count: 20, reply_count: 0 });
    await sb.close();
  });

  it("with stop_on_reply off, a replying lead keeps getting its steps and then completes", async () => {
    const sb = await sandbox({
      campaignsFromSettings: false,
      campaigns: [{ id: SMB, name: "No stop", stop_on_reply: false }],
      simulation: { rates: { ...quiet, reply: 1 }, sequenceSteps: 3, sequenceLengthDays: 5 },
    });
    await client(sb).post("/leads/add", { campaign_id: SMB, leads: emails(2) });
    sb.advance(6);
    for (const lead of sb.state.leads.values()) {
      expect(lead.status).toBe(3);
      expect(lead.email_reply_count).toBe(6);
    }
    const [a] = (await client(sb).get("/campaigns/analytics")).body;
    expect(a).toMatchObject({
      emails_sent_count: 6,
      reply_count: 12,
      reply_count_unique: 2,
      completed_count: 2,
    });
    await sb.close();
  });

  it("unsubscribes reach the block list when the workspace setting is on, and not when off", async () => {
    const rates = { ...quiet, unsubscribe: 1 };
    const on = await withLeads({ simulation: { rates } }, 10);
    on.advance(1);
    expect([...on.state.leads.values()].every((l) => l.status === -2)).toBe(true);
    expect(on.state.blocklist.size).toBe(10);
    const readd = await client(on).post("/leads/add", { campaign_id: MIDSIZE, leads: emails(10) });
    expect(readd.body).toMatchObject({ in_blocklist: 10, leads_uploaded: 0 });
    await on.close();

    const off = await withLeads({ simulation: { rates }, blocklistUnsubscribes: false }, 10);
    off.advance(1);
    expect(off.state.blocklist.size).toBe(0);
    expect((await client(off).get("/workspaces/current")).body.add_unsub_to_block).toBe(false);
    await off.close();
  });

  it("paused campaigns do not progress; the admin route advances the clock", async () => {
    const sb = await withLeads({ simulation: { rates: { ...quiet, open: 1 } } }, 5);
    const c = client(sb);
    expect((await c.post(`/campaigns/${SMB}/pause`)).body.status).toBe(2);
    sb.advance(3);
    expect([...sb.state.leads.values()].every((l) => l.timestamp_last_contact === null)).toBe(true);
    expect((await c.post(`/campaigns/${SMB}/activate`)).body.status).toBe(1);
    const before = sb.state.clock.now();
    const res = await fetch(sb.url.replace("/api/v2", "/__sandbox/advance"), {
      method: "POST",
      body: JSON.stringify({ days: 2 }),
    });
    expect((await json(res)).sent).toBe(5);
    expect(sb.state.clock.now() - before).toBe(2 * 86_400_000);
    expect([...sb.state.leads.values()].every((l) => l.email_open_count >= 1)).toBe(true);
    const bad = await fetch(sb.url.replace("/api/v2", "/__sandbox/advance"), {
      method: "POST",
      body: JSON.stringify({ days: -1 }),
    });
    expect(bad.status).toBe(400);
    await sb.close();
  });

  it("persists state to a file and loads it on the next start", async () => {
    const file = path.join(dir, "state.json");
    const first = await withLeads({ persistPath: file, simulation: { rates: { ...quiet, open: 1 } } }, 7);
    first.advance(1);
    const ids = [...first.state.leads.keys()];
    await first.close();
    const second = await startSandbox(frozen({ persistPath: file }));
    expect([...second.state.leads.keys()]).toEqual(ids);
    const listed = await client(second).post("/leads/list", { campaign: SMB });
    expect(listed.body.items).toHaveLength(7);
    expect(listed.body.items[0].email_open_count).toBe(1);
    const added = await client(second).post("/leads/add", { campaign_id: SMB, leads: emails(1, "new") });
    expect(added.body.created_leads[0].id > (ids[ids.length - 1] as string)).toBe(true);
    await second.close();
  });

  it("validates options and names the bad value", async () => {
    await expect(startSandbox({ port: -1 })).rejects.toThrow(/port.*-1/);
    await expect(startSandbox({ simulation: { rates: { reply: 0.9, autoReply: 0.5 } } })).rejects.toThrow(
      /sum to <= 1/,
    );
    await expect(startSandbox({ unknown: { lastPageCursor: "sometimes" as never } })).rejects.toThrow(
      /unknown\.lastPageCursor.*sometimes/,
    );
  });

  it("creates synthetic leads for benchmarks", async () => {
    const sb = await sandbox({
      syntheticLeadsPerCampaign: 150,
      unknown: { analyticsBeforeFirstSend: "zeros" },
    });
    const analytics = (await client(sb).get("/campaigns/analytics")).body;
    expect(
      analytics.map((a: { leads_count: number; emails_sent_count: number }) => [
        a.leads_count,
        a.emails_sent_count,
      ]),
    ).toEqual([
      [150, 0],
      [150, 0],
    ]);
    expect(sb.state.leadsInCampaign(SMB)).toHaveLength(150);
    expect(sb.state.leads.size).toBe(300);
    await sb.close();
  });
});
