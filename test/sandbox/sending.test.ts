import { describe, expect, it } from "vitest";
import type { SandboxOptions } from "../../engine/src/sandbox/options.ts";
import type { Sandbox } from "../../engine/src/sandbox/server.ts";
import { serializeState } from "../../engine/src/sandbox/state.ts";
import { client, emails, sandbox } from "./helpers.ts";

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";
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
type Rates = Partial<typeof quiet>;

/** A sequence of `delays.length` steps, each step's delay in days. */
const sequence = (delays: number[]) => [
  {
    steps: delays.map((delay, i) => ({
      type: "email",
      delay,
      delay_unit: "days",
      variants: [{ subject: `s${i}`, body: "b" }],
    })),
  },
];

interface World {
  accounts: NonNullable<NonNullable<SandboxOptions["sending"]>["accounts"]>;
  a?: Record<string, unknown>;
  b?: Record<string, unknown>;
  leads?: [number, number];
  rates?: Rates;
  unknown?: SandboxOptions["unknown"];
  seed?: string;
}

/** Campaigns A and B (A first by id), the accounts given, and `leads` leads added to each in order. */
async function world(w: World): Promise<Sandbox> {
  const sb = await sandbox({
    seed: w.seed ?? "sending",
    campaignsFromSettings: false,
    campaigns: [
      { id: A, name: "A", ...(w.a ?? {}) },
      { id: B, name: "B", ...(w.b ?? {}) },
    ],
    sending: { accounts: w.accounts },
    simulation: { rates: { ...quiet, ...(w.rates ?? {}) } },
    ...(w.unknown ? { unknown: w.unknown } : {}),
  });
  const [na, nb] = w.leads ?? [0, 0];
  if (na > 0) await client(sb).post("/leads/add", { campaign_id: A, leads: emails(na, "a") });
  if (nb > 0) await client(sb).post("/leads/add", { campaign_id: B, leads: emails(nb, "b") });
  return sb;
}

const day = (sb: Sandbox) => sb.state.nowIso().slice(0, 10);

/** Emails sent per account on the simulated day just ended (GET /accounts/analytics/daily). */
async function sentByAccount(sb: Sandbox): Promise<Record<string, number>> {
  const d = day(sb);
  const r = await client(sb).get(`/accounts/analytics/daily?start_date=${d}&end_date=${d}`);
  expect(r.status).toBe(200);
  const out: Record<string, number> = {};
  for (const row of r.body) out[row.email_account] = row.sent;
  return out;
}

async function sentByCampaign(sb: Sandbox, id: string): Promise<number> {
  const d = day(sb);
  const r = await client(sb).get(
    `/campaigns/analytics/daily?campaign_id=${id}&start_date=${d}&end_date=${d}`,
  );
  return r.body[0]?.sent ?? 0;
}

/** Index (in add order) of the leads of a campaign that got an email on the day just ended. */
function emailedToday(sb: Sandbox, prefix: string): number[] {
  const d = day(sb);
  return [...sb.state.leads.values()]
    .filter((l) => l.email?.startsWith(prefix) && l.timestamp_last_contact?.startsWith(d))
    .map((l) => Number(l.email?.slice(prefix.length).split("@")[0]))
    .sort((x, y) => x - y);
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

async function status(sb: Sandbox, id: string) {
  const r = await client(sb).get(`/campaigns/${id}/sending-status`);
  expect(r.status).toBe(200);
  return r.body;
}

describe("sandbox sending world", () => {
  it.each([
    // Turns, each email from the campaign's account with the most left: A ends on its own account.
    ["interleave", 8, 7],
    ["even", 10, 5],
    ["sequential", 15, 0],
  ] as const)(
    "a shared account never sends over its limit across campaigns (%s split)",
    async (split, atA, atB) => {
      const sb = await world({
        accounts: [
          { email: "shared@send.test", daily_limit: 10, campaigns: [A, B] },
          { email: "own@send.test", daily_limit: 5, campaigns: [A] },
        ],
        leads: [100, 100],
        unknown: { sharedAccountSplit: split },
      });
      for (let d = 0; d < 4; d++) {
        const summary = sb.advance(1);
        const byAccount = await sentByAccount(sb);
        expect(byAccount["shared@send.test"]).toBe(10);
        expect(byAccount["own@send.test"]).toBe(5);
        expect(summary.sent).toBe(15);
        expect([await sentByCampaign(sb, A), await sentByCampaign(sb, B)]).toEqual([atA, atB]);
      }
      expect(sb.state.campaigns.get(B)?.email_list).toEqual(["shared@send.test"]);
      await sb.close();
    },
  );

  it("sends follow-ups before new leads, new leads in the order added, within daily_max_leads", async () => {
    const sb = await world({
      accounts: [{ email: "one@send.test", daily_limit: 15, campaigns: [A] }],
      a: { sequences: sequence([1, 1, 1]), daily_max_leads: 10 },
      leads: [40, 0],
    });
    sb.advance(1); // 10 new (max new leads), though the account could send 15
    expect(emailedToday(sb, "a")).toEqual(range(0, 10));
    expect((await status(sb, A)).diagnostics).toMatchObject({
      status: "new_lead_limit_met",
      new_lead_limit: { enabled: true, limit: 10, contacted: 10, limit_hit: true },
    });
    sb.advance(1); // 10 follow-ups, then 5 new
    expect(emailedToday(sb, "a")).toEqual(range(0, 15));
    sb.advance(1); // 15 follow-ups due fill the account: no new lead
    expect(emailedToday(sb, "a")).toEqual(range(0, 15));
    expect((await status(sb, A)).diagnostics).toMatchObject({
      status: "account_daily_limit_met",
      accounts_summary: { total_connected: 1, available: 0, unavailable: { daily_limit_hit: 1 } },
    });
    sb.advance(1); // leads 0-9 completed; 10-14 get step 3; then new 15-24
    expect(emailedToday(sb, "a")).toEqual(range(10, 25));
    const leads = [...sb.state.leads.values()];
    expect(leads.filter((l) => l.status === 3)).toHaveLength(10);
    for (const l of leads.filter((x) => Number(x.email?.slice(1).split("@")[0]) >= 25))
      expect(l.timestamp_last_contact).toBeNull();
    await sb.close();
  });

  it("keeps to the campaign's daily_limit and says daily_limit_met", async () => {
    const sb = await world({
      accounts: [{ email: "one@send.test", daily_limit: 30, campaigns: [A] }],
      a: { daily_limit: 7 },
      leads: [50, 0],
    });
    for (let d = 0; d < 3; d++) {
      sb.advance(1);
      expect(await sentByCampaign(sb, A)).toBe(7);
    }
    expect((await status(sb, A)).diagnostics).toMatchObject({
      status: "daily_limit_met",
      campaign_daily_limit: { limit: 7, sent: 7, limit_hit: true },
      accounts_summary: { available: 1 },
    });
    expect(sb.state.campaigns.get(A)?.not_sending_status).toBe(3);
    await sb.close();
  });

  it("unhealthy and setup-pending accounts send nothing; a campaign without accounts sends nothing", async () => {
    const sb = await world({
      accounts: [
        { email: "err@send.test", status: -1, campaigns: [A] },
        { email: "paused@send.test", status: 2, campaigns: [A] },
        { email: "banned@send.test", warmup_status: -1, campaigns: [A] },
        { email: "setup@send.test", setup_pending: true, campaigns: [A] },
      ],
      leads: [20, 20],
    });
    const summary = sb.advance(3);
    expect(summary.sent).toBe(0);
    expect([...sb.state.leads.values()].every((l) => l.timestamp_last_contact === null)).toBe(true);
    expect((await status(sb, A)).diagnostics).toMatchObject({
      status: "all_accounts_unhealthy",
      accounts_summary: { total_connected: 4, available: 0, unavailable: { disconnected: 4 } },
    });
    expect((await status(sb, B)).diagnostics.status).toBe("no_accounts_available");
    await sb.close();
  });

  it.each([
    [undefined, [2, 4, 6, 8, 9, 9]],
    [5, [5, 7, 9, 9, 9, 9]],
  ])("slow ramp raises the limit by 2 a day up to daily_limit (start %s)", async (start, expected) => {
    const sb = await world({
      accounts: [{ email: "ramp@send.test", daily_limit: 9, enable_slow_ramp: true, campaigns: [A] }],
      a: { sequences: sequence([30]) },
      leads: [200, 0],
      ...(start === undefined ? {} : { unknown: { slowRampStart: start } }),
    });
    const sent: number[] = [];
    for (let d = 0; d < expected.length; d++) {
      sb.advance(1);
      sent.push((await sentByAccount(sb))["ramp@send.test"] ?? 0);
      if (d === 0) {
        expect((await status(sb, A)).diagnostics).toMatchObject({
          status: "account_daily_limit_met",
          accounts_summary: { unavailable: { slow_ramp_limit_hit: 1, daily_limit_hit: 0 } },
        });
      }
    }
    expect(sent).toEqual(expected);
    await sb.close();
  });

  it("a lead never emailed has no last contact and no outcome; FILTER_VAL_NOT_CONTACTED lists exactly those", async () => {
    const sb = await world({
      accounts: [{ email: "one@send.test", daily_limit: 5, campaigns: [A] }],
      rates: { open: 0.9, reply: 0.2, interested: 0.2, unsubscribe: 0.2, bounce: 0.2 },
      leads: [60, 0],
    });
    sb.advance(4);
    const leads = [...sb.state.leads.values()];
    const never = leads.filter((l) => sb.state.progress.get(l.id)?.stepsSent === 0);
    const touched = leads.filter((l) => sb.state.progress.get(l.id)?.stepsSent !== 0);
    expect(touched.length).toBe(20);
    expect(touched.some((l) => l.status !== 1 || l.email_open_count > 0)).toBe(true); // outcomes do happen
    for (const l of never) {
      expect(l).toMatchObject({
        status: 1,
        timestamp_last_contact: null,
        email_open_count: 0,
        email_reply_count: 0,
        lt_interest_status: null,
        last_step_id: null,
      });
    }
    const listed = await client(sb).post("/leads/list", {
      campaign: A,
      filter: "FILTER_VAL_NOT_CONTACTED",
      limit: 100,
    });
    expect(listed.body.items.map((l: { id: string }) => l.id).sort()).toEqual(never.map((l) => l.id).sort());
    await sb.close();
  });

  it("says waiting_for_leads when capacity is left over, with the follow-ups waiting", async () => {
    const sb = await world({
      accounts: [{ email: "one@send.test", daily_limit: 30, campaigns: [A] }],
      a: { sequences: sequence([3, 3]) },
      leads: [5, 0],
    });
    expect((await status(sb, A)).diagnostics.status).toBe("healthy"); // before any day: leads ready
    sb.advance(1);
    const d = (await status(sb, A)).diagnostics;
    expect(d).toMatchObject({
      status: "waiting_for_leads",
      campaign_daily_limit: { sent: 5 },
      new_lead_limit: { enabled: false, limit: null },
      leads_status: { no_leads_ready: true },
      follow_ups_waiting: { count: 5 },
    });
    expect(sb.state.campaigns.get(A)?.not_sending_status).toBe(2);
    // Sent at 12:00 on day 1, due at the start of day 4: 2 days 12 hours from now.
    expect(d.follow_ups_waiting.earliest_wait_time_seconds).toBe(2.5 * 86_400);
    await client(sb).post(`/campaigns/${A}/pause`);
    expect((await status(sb, A)).diagnostics.status).toBe("campaign_paused");
    await sb.close();
  });

  it("analytics per campaign and per account add up to what the simulation sent, day by day", async () => {
    const sb = await world({
      accounts: [
        { email: "s1@send.test", daily_limit: 8, campaigns: [A, B] },
        { email: "s2@send.test", daily_limit: 6, campaigns: [A] },
        { email: "s3@send.test", daily_limit: 4, campaigns: [B] },
      ],
      a: { sequences: sequence([2, 2, 2]) },
      b: { sequences: sequence([1, 1]) },
      rates: { open: 0.4, reply: 0.05, bounce: 0.05 },
      leads: [60, 60],
    });
    const perDay: { date: string; sent: number; bounced: number; fresh: number }[] = [];
    for (let d = 0; d < 8; d++) {
      const s = sb.advance(1);
      const today = sb.state.clock.day();
      const fresh = [...sb.state.progress.values()].filter((p) => p.firstSentDay === today).length;
      perDay.push({ date: day(sb), sent: s.sent, bounced: s.bounced, fresh });
    }
    const from = perDay[0]?.date;
    const to = perDay[perDay.length - 1]?.date;
    const campaigns = (await client(sb).get(`/campaigns/analytics/daily?start_date=${from}&end_date=${to}`))
      .body;
    const accounts = (
      await client(sb).get(
        `/accounts/analytics/daily?emails=s1@send.test&emails=s2@send.test&emails=s3@send.test&start_date=${from}&end_date=${to}`,
      )
    ).body;
    for (const p of perDay) {
      const c = campaigns.find((r: { date: string }) => r.date === p.date);
      const rows = accounts.filter((r: { date: string }) => r.date === p.date);
      const sum = (k: string) => rows.reduce((n: number, r: Record<string, number>) => n + (r[k] ?? 0), 0);
      expect(c).toMatchObject({ sent: p.sent, new_leads_contacted: p.fresh });
      expect([sum("sent"), sum("bounced"), sum("new_leads_contacted")]).toEqual([p.sent, p.bounced, p.fresh]);
      expect(p.sent).toBe(18); // enough leads: every account used to its limit
    }
    expect(accounts[0]).toMatchObject({ email_account: "s1@send.test", date: from });
    expect(Object.keys(accounts[0]).sort()).toEqual(
      [
        "date",
        "email_account",
        "sent",
        "bounced",
        "contacted",
        "new_leads_contacted",
        "opened",
        "unique_opened",
        "replies",
        "unique_replies",
        "clicks",
        "unique_clicks",
      ].sort(),
    );
    await sb.close();
  });

  it("GET /accounts/analytics/daily answers 400 beyond 200 emails or 31 days", async () => {
    const sb = await world({ accounts: [{ email: "one@send.test", campaigns: [A] }] });
    const many = Array.from({ length: 201 }, (_, i) => `emails=m${i}@send.test`).join("&");
    const tooMany = await client(sb).get(
      `/accounts/analytics/daily?${many}&start_date=2026-03-01&end_date=2026-03-02`,
    );
    expect(tooMany).toMatchObject({ status: 400, body: { statusCode: 400, error: "Bad Request" } });
    expect(tooMany.body.message).toMatch(/200/);
    const ok200 = many.split("&").slice(0, 200).join("&");
    expect((await client(sb).get(`/accounts/analytics/daily?${ok200}`)).status).toBe(200);
    const long = await client(sb).get("/accounts/analytics/daily?start_date=2026-01-01&end_date=2026-02-01");
    expect(long).toMatchObject({ status: 400, body: { statusCode: 400, error: "Bad Request" } });
    expect(long.body.message).toMatch(/31 days/);
    const days31 = await client(sb).get(
      "/accounts/analytics/daily?start_date=2026-01-01&end_date=2026-01-31",
    );
    expect(days31.status).toBe(200);
    await sb.close();
  });

  it("lists accounts with cursors, needs accounts:read, and answers 403 without it", async () => {
    const sb = await sandbox({
      seed: "accounts",
      sending: { accountsPerCampaign: 3, accountDailyLimit: 25 },
      keys: [{ key: "leads-only-key", scopes: ["leads:read"] }],
      unknown: { lastPageCursor: "never" },
    });
    const c = client(sb);
    const first = await c.get("/accounts?limit=4");
    expect(first.body.items).toHaveLength(4);
    const rest = await c.get(`/accounts?limit=100&starting_after=${first.body.next_starting_after}`);
    const all = [...first.body.items, ...rest.body.items];
    const campaigns = (await c.get("/campaigns")).body.items;
    expect(all).toHaveLength(3 * campaigns.length);
    expect(all[0]).toMatchObject({ daily_limit: 25, status: 1, warmup_status: 1, setup_pending: false });
    for (const campaign of campaigns) {
      expect(campaign.email_list).toHaveLength(3);
      expect(campaign.daily_limit).toBe(75);
      expect(campaign.sequences[0].steps.map((s: { delay: number }) => s.delay)).toEqual([4, 5, 5]);
    }
    const other = client(sb, "leads-only-key");
    expect((await other.get("/accounts")).status).toBe(403);
    expect((await other.get("/accounts/analytics/daily")).status).toBe(403);
    expect((await other.get(`/campaigns/${campaigns[0].id}/sending-status`)).status).toBe(403);
    await sb.close();
  });

  it("without accounts a campaign sends without limit (legacy mode) and same seed → same world with accounts", async () => {
    const legacy = await world({ accounts: [], leads: [300, 0] });
    expect((await client(legacy).get("/accounts")).body.items).toEqual([]);
    expect(legacy.advance(1).sent).toBe(300);
    expect((await status(legacy, A)).diagnostics.status).toBe("waiting_for_leads");
    await legacy.close();

    const run = async () => {
      const sb = await world({
        accounts: [{ email: "s@send.test", daily_limit: 12, campaigns: [A, B], enable_slow_ramp: true }],
        rates: { open: 0.3, reply: 0.05, bounce: 0.05, unsubscribe: 0.02 },
        leads: [50, 50],
      });
      sb.advance(10);
      const json = JSON.stringify(serializeState(sb.state));
      await sb.close();
      return json;
    };
    expect(await run()).toBe(await run());
  });
});
