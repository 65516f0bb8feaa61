import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { actionId } from "../setup/action-id.ts";
import {
  changelog,
  daysAgo,
  drains,
  insert,
  OTHER_CAMPAIGN,
  openScenario,
  pull,
  resetInputs,
  rows,
  run,
  type Scenario,
} from "./harness.ts";

/** Which Instantly leads must go, and why (the drain reasons of includes/rules.js). */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario();
});
afterAll(() => s?.wh.close());
beforeEach(async () => {
  await resetInputs(s);
});

describe("drain classification", () => {
  it("maps Instantly status and interest to reasons, with suppress and block flags", async () => {
    await pull(s, "pull-1", [
      { lead_id: "1", email: "done@d1.com", status: 3 },
      { lead_id: "2", email: "replied@d2.com", status: 1, email_reply_count: 1 },
      { lead_id: "3", email: "keen@d3.com", status: 1, email_reply_count: 1, lt_interest_status: 1 },
      { lead_id: "4", email: "meet@d4.com", status: 3, email_reply_count: 2, lt_interest_status: 2 },
      { lead_id: "5", email: "nope@d5.com", status: 1, email_reply_count: 1, lt_interest_status: -1 },
      { lead_id: "6", email: "wrong@d6.com", status: 1, email_reply_count: 1, lt_interest_status: -2 },
      { lead_id: "7", email: "bounce@d7.com", status: -1 },
      { lead_id: "8", email: "unsub@d8.com", status: -2 },
      { lead_id: "9", email: "skip@d9.com", status: -3 },
      { lead_id: "10", email: "running@d10.com", status: 1 },
      { lead_id: "11", email: "paused@d11.com", status: 2 },
    ]);
    await run(s);
    expect(await drains(s)).toEqual({
      "bounce@d7.com": "bounced",
      "done@d1.com": "completed",
      "keen@d3.com": "interested",
      "meet@d4.com": "meeting_booked",
      "nope@d5.com": "not_interested",
      "replied@d2.com": "replied",
      "skip@d9.com": "skipped",
      "unsub@d8.com": "unsubscribed",
      "wrong@d6.com": "wrong_person",
    });
    const flags = await rows(
      s,
      `select email, suppress, block from "cold_email"."drain_queue" where suppress or block order by email`,
    );
    expect(flags).toEqual([
      { email: "bounce@d7.com", suppress: true, block: false },
      { email: "nope@d5.com", suppress: true, block: false },
      { email: "unsub@d8.com", suppress: true, block: true },
      { email: "wrong@d6.com", suppress: true, block: false },
    ]);
  });

  it("out-of-office (interest 0) is kept while in sequence (status 1 or 2) and drains no colleague", async () => {
    await pull(s, "pull-1", [
      { lead_id: "1", email: "away@ooo.com", status: 1, email_reply_count: 1, lt_interest_status: 0 },
      { lead_id: "2", email: "colleague@ooo.com", status: 1 },
      { lead_id: "3", email: "paused@ooo2.com", status: 2, email_reply_count: 1, lt_interest_status: 0 },
    ]);
    await run(s);
    expect(await drains(s)).toEqual({});
    const kept = await rows(
      s,
      `select lead_id, action, keep_reason from "cold_email_staging"."int_drain_classification" where lead_id in ('1', '3') order by lead_id`,
    );
    expect(kept).toEqual([
      { lead_id: "1", action: "keep", keep_reason: "out_of_office" },
      { lead_id: "3", action: "keep", keep_reason: "out_of_office" },
    ]);
  });

  it("a completed lead whose only reply was an out-of-office drains as completed, and its cooldown is completed's", async () => {
    await pull(s, "pull-1", [
      { lead_id: "1", email: "away@ooo.com", status: 3, email_reply_count: 1, lt_interest_status: 0 },
      { lead_id: "2", email: "colleague@ooo.com", status: 1 },
    ]);
    await run(s);
    // Not replied (that would hand off and cool down 365 days), and the colleague is not drained.
    expect(await drains(s)).toEqual({ "away@ooo.com": "completed" });
    const flags = await rows(s, `select suppress, block from "cold_email"."drain_queue"`);
    expect(flags).toEqual([{ suppress: false, block: false }]);
  });

  it("a reply at a domain drains its colleagues (company_replied), not other domains or free-mail neighbours", async () => {
    await pull(s, "pull-1", [
      {
        lead_id: "1",
        email: "boss@acme.com",
        status: 1,
        email_reply_count: 1,
        timestamp_last_reply: daysAgo(1),
      },
      { lead_id: "2", email: "dev@acme.com", status: 1 },
      { lead_id: "3", email: "ops@Acme.com", status: 2 },
      { lead_id: "4", email: "x@other.com", status: 1 },
      { lead_id: "5", email: "me@gmail.com", status: 1, email_reply_count: 1 },
      { lead_id: "6", email: "you@gmail.com", status: 1 },
    ]);
    await run(s);
    expect(await drains(s)).toEqual({
      "boss@acme.com": "replied",
      "dev@acme.com": "company_replied",
      "ops@acme.com": "company_replied",
      "me@gmail.com": "replied",
    });
  });

  it("stale at exactly stale_days (90) in the campaign, not a moment before", async () => {
    await pull(s, "pull-1", [
      { lead_id: "1", email: "old@s1.com", status: 1, timestamp_created: daysAgo(90) },
      { lead_id: "2", email: "young@s2.com", status: 1, timestamp_created: daysAgo(89.99) },
      // Out-of-office restarts the stale clock at the interest change.
      {
        lead_id: "3",
        email: "ooo@s3.com",
        status: 1,
        lt_interest_status: 0,
        email_reply_count: 1,
        timestamp_created: daysAgo(120),
        timestamp_last_interest_change: daysAgo(20),
      },
    ]);
    await run(s);
    expect(await drains(s)).toEqual({ "old@s1.com": "stale" });
  });

  it("a lead whose email or domain is now on the DNC list is drained as suppressed", async () => {
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "late.com", kind: "domain", added_at: daysAgo(1) },
      { value: "one@fine.com", kind: "email", added_at: daysAgo(1) },
    ]);
    await pull(s, "pull-1", [
      { lead_id: "1", email: "a@late.com", status: 1 },
      { lead_id: "2", email: "one@fine.com", status: 1 },
      { lead_id: "3", email: "two@fine.com", status: 1 },
    ]);
    await run(s);
    expect(await drains(s)).toEqual({ "a@late.com": "suppressed", "one@fine.com": "suppressed" });
  });

  it("drains only leads of managed campaigns", async () => {
    await pull(s, "pull-1", [
      { lead_id: "1", email: "mine@m1.com", status: 3 },
      { lead_id: "2", email: "theirs@m2.com", status: 3, campaign_id: OTHER_CAMPAIGN },
    ]);
    await run(s);
    expect(await drains(s)).toEqual({ "mine@m1.com": "completed" });
  });

  it("only the latest pull counts, and a drain already done for this pull is not queued again", async () => {
    await pull(s, "pull-0", [{ lead_id: "0", email: "earlier@p0.com", status: 3 }], daysAgo(2));
    await pull(s, "pull-1", [
      { lead_id: "1", email: "done@p1.com", status: 3 },
      { lead_id: "2", email: "retry@p2.com", status: 3 },
      { lead_id: "3", email: "crashed@p3.com", status: 3 },
    ]);
    await run(s);
    const ids = await rows(s, `select email, action_id from "cold_email"."drain_queue" order by email`);
    expect(ids.map((r) => r.email)).toEqual(["crashed@p3.com", "done@p1.com", "retry@p2.com"]);
    const id = (email: string) => String(ids.find((r) => r.email === email)?.action_id);
    // The TypeScript engine computes the same id: md5 of op|email|campaign_id|pull run_id.
    const smb = "8c46e0c9-c1f9-4201-a8d6-6221bafeada6";
    expect(id("done@p1.com")).toBe(actionId("drain", "done@p1.com", smb, "pull-1"));
    await changelog(s, [
      {
        action_id: id("done@p1.com"),
        op: "drain",
        email: "done@p1.com",
        state: "intent",
        recorded_at: daysAgo(0.001),
      },
      {
        action_id: id("done@p1.com"),
        op: "drain",
        email: "done@p1.com",
        state: "succeeded",
        recorded_at: daysAgo(0.001),
      },
      {
        action_id: id("retry@p2.com"),
        op: "drain",
        email: "retry@p2.com",
        state: "failed",
        retryable: true,
        recorded_at: daysAgo(0.001),
      },
      {
        action_id: id("crashed@p3.com"),
        op: "drain",
        email: "crashed@p3.com",
        state: "intent",
        recorded_at: daysAgo(0.001),
      },
    ]);
    await run(s);
    expect(Object.keys(await drains(s))).toEqual(["crashed@p3.com", "retry@p2.com"]);
    // The drained lead still counts as draining (it is in the latest pull), so its slot stays free.
    const [b] = await rows(s, `select active_inventory, draining from "cold_email"."push_budget"`);
    expect(b).toEqual({ active_inventory: 3, draining: 3 });
  });
});
