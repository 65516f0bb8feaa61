import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  changelog,
  daysAgo,
  insert,
  leads,
  MIDSIZE,
  openScenario,
  pull,
  queuedEmails,
  resetInputs,
  rows,
  run,
  type Scenario,
  SMB,
} from "./harness.ts";

/** Who gets queued: normalisation, suppression, cooldown, in-flight, domain limit, segments. */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario();
});
afterAll(() => s?.wh.close());
beforeEach(async () => {
  await resetInputs(s);
});

async function whyNot(email: string): Promise<unknown> {
  const [row] = await rows(
    s,
    `select ineligible_reason from "cold_email_staging"."int_lead_eligibility" where email = '${email}'`,
  );
  return row?.ineligible_reason;
}

describe("suppression", () => {
  it("a DNC domain hides every address at it, and a DNC email only that address", async () => {
    await leads(s, [
      { email: "ann@blocked.com" },
      { email: "bo@blocked.com" },
      { email: "cy@fine.com" },
      { email: "dee@other.com" },
      { email: "eve@other2.com" },
    ]);
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "@Blocked.com", kind: "domain", reason: "customer", added_at: daysAgo(3) },
      { value: " DEE@other.com ", kind: "email", reason: "asked", added_at: daysAgo(3) },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["cy@fine.com", "eve@other2.com"]);
    expect(await whyNot("ann@blocked.com")).toBe("suppressed");
    expect(await whyNot("bo@blocked.com")).toBe("suppressed");
    expect(await whyNot("dee@other.com")).toBe("suppressed");
    const reasons = await rows(
      s,
      `select suppressed_value, reason from "cold_email_staging"."int_suppression" order by 1`,
    );
    expect(reasons).toEqual([
      { suppressed_value: "blocked.com", reason: "dnc_domain" },
      { suppressed_value: "dee@other.com", reason: "dnc_email" },
    ]);
  });

  it("Instantly unsubscribes, bounces, wrong person, not interested, rejected adds and invalid verifications are never queued", async () => {
    const emails = ["u@a1.com", "b@a2.com", "w@a3.com", "n@a4.com", "r@a5.com", "v@a6.com", "ok@a7.com"];
    await leads(
      s,
      emails.map((email) => ({ email })),
    );
    // An earlier pull saw them in Instantly; the latest pull no longer has them (drained).
    await pull(
      s,
      "pull-0",
      [
        { lead_id: "1", email: "u@a1.com", status: -2 },
        { lead_id: "2", email: "b@a2.com", status: -1 },
        { lead_id: "3", email: "w@a3.com", status: 1, lt_interest_status: -2 },
        { lead_id: "4", email: "n@a4.com", status: 1, lt_interest_status: -1 },
      ],
      daysAgo(400),
    );
    await pull(s, "pull-1", []);
    await changelog(s, [
      { action_id: "x1", op: "add", email: "r@a5.com", state: "intent", recorded_at: daysAgo(2) },
      { action_id: "x1", op: "add", email: "r@a5.com", state: "rejected", recorded_at: daysAgo(2) },
    ]);
    await insert(s, "cold_email_ops", "email_verifications", [
      { run_id: "r", email: "V@a6.com", result: "invalid", credits_used: 1, verified_at: daysAgo(1) },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["ok@a7.com"]);
    const reasons = await rows(
      s,
      `select suppressed_value, reason from "cold_email_staging"."int_suppression" order by 1`,
    );
    expect(reasons).toEqual([
      { suppressed_value: "b@a2.com", reason: "bounced" },
      { suppressed_value: "n@a4.com", reason: "not_interested" },
      { suppressed_value: "r@a5.com", reason: "rejected" },
      { suppressed_value: "u@a1.com", reason: "unsubscribed" },
      { suppressed_value: "v@a6.com", reason: "verification_invalid" },
      { suppressed_value: "w@a3.com", reason: "wrong_person" },
    ]);
  });
});

describe("normalisation", () => {
  it("an email in two cases (and with spaces) is one lead; the latest row wins", async () => {
    await leads(s, [
      { email: "Jane@Shop.com", first_name: "Old", updated_at: daysAgo(30) },
      { email: "  jane@shop.COM ", first_name: "New", updated_at: daysAgo(2) },
    ]);
    await run(s);
    const q = await rows(s, `select email, first_name from "cold_email"."push_queue"`);
    expect(q).toEqual([{ email: "jane@shop.com", first_name: "New" }]);
    const [stg] = await rows(s, `select source_rows from "cold_email_staging"."stg_leads"`);
    expect(stg?.source_rows).toBe(2);
  });

  it("invalid syntax, role accounts and disposable domains are flagged and not queued", async () => {
    await leads(s, [
      { email: "not-an-email" },
      { email: "info@company.com" },
      { email: "sales.team@company2.com" },
      { email: "someone@mailinator.com" },
      { email: "person@company3.com" },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["person@company3.com"]);
    expect(await whyNot("not-an-email")).toBe("invalid_email");
    expect(await whyNot("info@company.com")).toBe("role_account");
    expect(await whyNot("sales.team@company2.com")).toBe("role_account");
    expect(await whyNot("someone@mailinator.com")).toBe("disposable");
  });

  it("an extra column of the raw leads table stays in the warehouse unless custom_variable_columns lists it", async () => {
    await s.conn.run(`ALTER TABLE "cold_email_raw"."leads" ADD COLUMN IF NOT EXISTS "favourite_app" VARCHAR`);
    try {
      await insert(s, "cold_email_raw", "leads", [
        { email: "x@extra.com", merchant_name: "Extra", favourite_app: "Klaviyo", updated_at: daysAgo(1) },
      ]);
      await run(s);
      const [staged] = await rows(s, `select custom_variables from "cold_email_staging"."stg_leads"`);
      expect(JSON.parse(String(staged?.custom_variables))).toMatchObject({ favourite_app: "Klaviyo" });
      const [row] = await rows(s, `select custom_variables from "cold_email"."push_queue"`);
      const vars = JSON.parse(String(row?.custom_variables));
      expect(vars).toMatchObject({ merchant_name: "Extra" });
      expect(vars).not.toHaveProperty("favourite_app");
      expect(vars).not.toHaveProperty("email");
    } finally {
      await s.conn.run(`ALTER TABLE "cold_email_raw"."leads" DROP COLUMN "favourite_app"`);
    }
  });
});

describe("cooldown", () => {
  it("ends exactly at cooldown_days (90) after the sequence ended; per-reason overrides hold (replied 365)", async () => {
    await leads(s, [
      { email: "exact90@c1.com" },
      { email: "almost90@c2.com" },
      { email: "replied200@c3.com" },
      { email: "replied365@c4.com" },
    ]);
    await changelog(s, [
      {
        action_id: "d1",
        op: "drain",
        email: "exact90@c1.com",
        state: "succeeded",
        reason: "completed",
        recorded_at: daysAgo(90),
      },
      {
        action_id: "d2",
        op: "drain",
        email: "almost90@c2.com",
        state: "succeeded",
        reason: "completed",
        recorded_at: daysAgo(89.99),
      },
      {
        action_id: "d3",
        op: "drain",
        email: "replied200@c3.com",
        state: "succeeded",
        reason: "replied",
        recorded_at: daysAgo(200),
      },
      {
        action_id: "d4",
        op: "drain",
        email: "replied365@c4.com",
        state: "succeeded",
        reason: "replied",
        recorded_at: daysAgo(365),
      },
    ]);
    await run(s);
    expect((await queuedEmails(s)).sort()).toEqual(["exact90@c1.com", "replied365@c4.com"]);
    expect(await whyNot("almost90@c2.com")).toBe("cooling_down");
    expect(await whyNot("replied200@c3.com")).toBe("cooling_down");
    const [c] = await rows(
      s,
      `select reason, cooldown_days from "cold_email_staging"."int_cooldown" where cooldown_key = 'replied200@c3.com'`,
    );
    expect(c).toEqual({ reason: "replied", cooldown_days: 365 });
  });

  it("a lead that left Instantly without our drain cools down from the last pull that saw it", async () => {
    await leads(s, [{ email: "gone@c5.com" }, { email: "longgone@c6.com" }]);
    await pull(s, "pull-0", [{ lead_id: "g1", email: "gone@c5.com", status: 3 }], daysAgo(10));
    await pull(s, "pull-old", [{ lead_id: "g2", email: "longgone@c6.com", status: 3 }], daysAgo(100));
    await pull(s, "pull-1", []);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["longgone@c6.com"]);
    expect(await whyNot("gone@c5.com")).toBe("cooling_down");
  });
});

describe("in flight", () => {
  it("a lead active in Instantly, or with an unresolved add, or an add newer than the latest pull, is not queued", async () => {
    await leads(s, [
      { email: "active@f1.com" },
      { email: "intent@f2.com" },
      { email: "fresh@f3.com" },
      { email: "free@f4.com" },
    ]);
    await pull(
      s,
      "pull-1",
      [{ lead_id: "a1", email: "Active@f1.com", campaign_id: MIDSIZE, status: 1 }],
      daysAgo(1),
    );
    await changelog(s, [
      { action_id: "i1", op: "add", email: "intent@f2.com", state: "intent", recorded_at: daysAgo(0.5) },
      { action_id: "i2", op: "add", email: "fresh@f3.com", state: "intent", recorded_at: daysAgo(0.5) },
      { action_id: "i2", op: "add", email: "fresh@f3.com", state: "succeeded", recorded_at: daysAgo(0.5) },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["free@f4.com"]);
    expect(await whyNot("active@f1.com")).toBe("in_instantly");
    expect(await whyNot("intent@f2.com")).toBe("in_instantly");
    expect(await whyNot("fresh@f3.com")).toBe("in_instantly");
    const inv = await rows(
      s,
      `select segment, leads_in_instantly, pending_adds from "cold_email_staging"."int_inventory" order by segment_order`,
    );
    expect(inv).toEqual([
      { segment: "smb", leads_in_instantly: 0, pending_adds: 2 },
      { segment: "midsize", leads_in_instantly: 1, pending_adds: 0 },
    ]);
  });
});

describe("skipped adds and verification", () => {
  it("an add Instantly skipped (already in the workspace) cools down like an ended sequence", async () => {
    await leads(s, [{ email: "dup@k1.com" }, { email: "other@k2.com" }]);
    await changelog(s, [
      { action_id: "k", op: "add", email: "dup@k1.com", state: "intent", recorded_at: daysAgo(3) },
      { action_id: "k", op: "add", email: "dup@k1.com", state: "skipped", recorded_at: daysAgo(3) },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["other@k2.com"]);
    expect(await whyNot("dup@k1.com")).toBe("cooling_down");
  });

  it("needs_verification unless a verified result is younger than verification_max_age_days; catch-all is held back for catch_all_recheck_days", async () => {
    await leads(s, [
      { email: "fresh@v1.com" },
      { email: "old@v2.com" },
      { email: "never@v3.com" },
      { email: "ca@v4.com" },
      { email: "ca-old@v5.com" },
      { email: "ca-stale@v6.com" },
    ]);
    await insert(s, "cold_email_ops", "email_verifications", [
      { run_id: "r", email: "fresh@v1.com", result: "verified", verified_at: daysAgo(10) },
      { run_id: "r", email: "fresh@v1.com", result: "pending", verified_at: daysAgo(1) },
      { run_id: "r", email: "old@v2.com", result: "verified", verified_at: daysAgo(91) },
      { run_id: "r", email: "ca@v4.com", result: "catch_all", verified_at: daysAgo(5) },
      // past verification_max_age_days (90) but within catch_all_recheck_days (365): no new credit yet
      { run_id: "r", email: "ca-old@v5.com", result: "catch_all", verified_at: daysAgo(200) },
      { run_id: "r", email: "ca-stale@v6.com", result: "catch_all", verified_at: daysAgo(366) },
    ]);
    await run(s);
    const q = await rows(s, `select email, needs_verification from "cold_email"."push_queue" order by email`);
    expect(q).toEqual([
      { email: "ca-stale@v6.com", needs_verification: true },
      { email: "fresh@v1.com", needs_verification: false },
      { email: "never@v3.com", needs_verification: true },
      { email: "old@v2.com", needs_verification: true },
    ]);
    expect(await whyNot("ca@v4.com")).toBe("catch_all");
    expect(await whyNot("ca-old@v5.com")).toBe("catch_all");
  });
});

describe("company domain", () => {
  it("two contacts at one domain: only the better one is queued; a domain already held gets none; free-mail is exempt", async () => {
    await leads(s, [
      { email: "low@two.com", estimated_sales_yearly: 100_000 },
      { email: "high@two.com", estimated_sales_yearly: 6_000_000 },
      { email: "new@held.com" },
      { email: "p1@gmail.com" },
      { email: "p2@gmail.com" },
    ]);
    await pull(s, "pull-1", [{ lead_id: "h1", email: "old@held.com", status: 1 }]);
    await run(s);
    expect((await queuedEmails(s)).sort()).toEqual(["high@two.com", "p1@gmail.com", "p2@gmail.com"]);
  });

  it("a real reply at a domain keeps colleagues out of the queue for cooldown_days_company_replied", async () => {
    await leads(s, [{ email: "colleague@replied.com" }, { email: "someone@quiet.com" }]);
    await pull(s, "pull-1", [
      {
        lead_id: "r1",
        email: "boss@replied.com",
        status: 1,
        email_reply_count: 1,
        timestamp_last_reply: daysAgo(5),
      },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["someone@quiet.com"]);
    expect(await whyNot("colleague@replied.com")).toBe("company_cooling_down");
  });
});

describe("segments", () => {
  it("SMB below 1,000,000, Midsize from exactly 1,000,000; missing revenue goes to SMB", async () => {
    await leads(s, [
      { email: "under@s1.com", estimated_sales_yearly: 999_999.99 },
      { email: "exact@s2.com", estimated_sales_yearly: 1_000_000 },
      { email: "missing@s3.com", estimated_sales_yearly: null },
    ]);
    await run(s);
    const q = await rows(
      s,
      `select email, segment, campaign_id from "cold_email"."push_queue" order by email`,
    );
    expect(q).toEqual([
      { email: "exact@s2.com", segment: "midsize", campaign_id: MIDSIZE },
      { email: "missing@s3.com", segment: "smb", campaign_id: SMB },
      { email: "under@s1.com", segment: "smb", campaign_id: SMB },
    ]);
  });
});

describe("scores", () => {
  it("weights revenue 40, technology 30, geography 20, timing 10", async () => {
    await leads(s, [
      {
        email: "max@score1.com",
        estimated_sales_yearly: 5_000_001,
        klaviyo_installed_at: daysAgo(10),
        product_count: 1001,
        avg_price: 101,
        state: "CA",
        country_code: "US",
      },
      { email: "min@score3.com", estimated_sales_yearly: null, country_code: "DE" },
      {
        email: "mid@score2.com",
        estimated_sales_yearly: 1_000_000,
        country_code: "GB",
        klaviyo_installed_at: daysAgo(400),
      },
    ]);
    await run(s);
    const q = await rows(
      s,
      `select email, revenue_points, technology_points, geography_points, timing_points, score
       from "cold_email_staging"."int_lead_scores" order by email`,
    );
    expect(q).toEqual([
      {
        email: "max@score1.com",
        revenue_points: 40,
        technology_points: 30,
        geography_points: 20,
        timing_points: 10,
        score: 100,
      },
      {
        email: "mid@score2.com",
        revenue_points: 20,
        technology_points: 15,
        geography_points: 5,
        timing_points: 0,
        score: 40,
      },
      {
        email: "min@score3.com",
        revenue_points: 0,
        technology_points: 0,
        geography_points: 0,
        timing_points: 0,
        score: 0,
      },
    ]);
    expect(await queuedEmails(s)).toEqual(["max@score1.com", "mid@score2.com", "min@score3.com"]);
  });
});

describe("failed_rules", () => {
  it("lists every rule a lead fails in order, the first of them being ineligible_reason", async () => {
    await leads(s, [{ email: "info@shut.com" }, { email: "ann@open.com" }]);
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "shut.com", kind: "domain", reason: "customer", added_at: daysAgo(3) },
    ]);
    await run(s);
    const found = await rows(
      s,
      `select email, ineligible_reason, failed_rules from "cold_email_staging"."int_lead_eligibility" order by email`,
    );
    expect(found).toEqual([
      { email: "ann@open.com", ineligible_reason: null, failed_rules: null },
      { email: "info@shut.com", ineligible_reason: "suppressed", failed_rules: "suppressed,role_account" },
    ]);
  });
});
