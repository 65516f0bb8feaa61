import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  daysAgo,
  drains,
  insert,
  leads,
  openScenario,
  pull,
  queuedEmails,
  resetInputs,
  rows,
  run,
  type Scenario,
} from "./harness.ts";

/**
 * The rule edges a sales-ops lead expects: a DNC entry covers plus-tagged variants and subdomains
 * (includes/rules.js dncMatches, the same in int_suppression and the live suppressed_now), malformed
 * local parts and over-long emails are invalid, and what goes to Instantly is bounded and has no
 * control characters (includes/rules.js FIELD_LIMITS, cleanText, cleanJsonText).
 */

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

async function suppressedNow(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await rows(s, `select email, reason from "cold_email"."suppressed_now" order by email`)) {
    out[String(r.email)] = String(r.reason);
  }
  return out;
}

describe("DNC matching", () => {
  it("a DNC domain covers its subdomains; a one-label entry (not a domain) and look-alike domains are not covered", async () => {
    await leads(s, [
      { email: "x@mail.blocked.com" },
      { email: "y@a.b.blocked.com" },
      { email: "z@blocked.com" },
      { email: "w@notblocked.com" },
      { email: "v@blocked.com.evil.io" },
      { email: "u@fine.org" },
    ]);
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "blocked.com", kind: "domain", reason: "customer", added_at: daysAgo(3) },
      { value: "org", kind: "domain", reason: "typo", added_at: daysAgo(3) },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["u@fine.org", "v@blocked.com.evil.io", "w@notblocked.com"]);
    for (const e of ["x@mail.blocked.com", "y@a.b.blocked.com", "z@blocked.com"]) {
      expect(await whyNot(e)).toBe("suppressed");
    }
    const suppressed = await rows(
      s,
      `select suppressed_value, suppression_kind, reason from "cold_email_staging"."int_suppression" order by 1`,
    );
    expect(suppressed).toEqual([
      { suppressed_value: "a.b.blocked.com", suppression_kind: "domain", reason: "dnc_domain" },
      { suppressed_value: "blocked.com", suppression_kind: "domain", reason: "dnc_domain" },
      { suppressed_value: "mail.blocked.com", suppression_kind: "domain", reason: "dnc_domain" },
    ]);
    expect(await suppressedNow()).toEqual({
      "x@mail.blocked.com": "dnc_domain",
      "y@a.b.blocked.com": "dnc_domain",
      "z@blocked.com": "dnc_domain",
    });
  });

  it("a DNC email covers its plus-tagged variants, and a tagged entry covers the plain mailbox", async () => {
    // jane+promo@, Jane+other@ and jane@x.com are one person (includes/rules.js emailIdentity): one
    // lead in the pool, the first address in sort order.
    await leads(s, [
      { email: "jane+promo@x.com" },
      { email: "Jane+other@X.com" },
      { email: "jane@x.com" },
      { email: "janet@x2.com" },
      { email: "bob@y.com" },
      { email: "bob+z@y2.com" },
    ]);
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "jane@x.com", kind: "email", reason: "asked", added_at: daysAgo(2) },
      { value: "bob+news@y.com", kind: "email", reason: "asked", added_at: daysAgo(2) },
      { value: "jane@x2.com", kind: "email", reason: "asked", added_at: daysAgo(2) },
    ]);
    await run(s);
    // janet@ is another mailbox; bob+z@y2.com is another domain.
    expect(await queuedEmails(s)).toEqual(["bob+z@y2.com", "janet@x2.com"]);
    expect(await whyNot("jane+other@x.com")).toBe("suppressed");
    expect(await whyNot("bob@y.com")).toBe("suppressed");
    expect(await suppressedNow()).toEqual({
      "bob@y.com": "dnc_email",
      "jane+other@x.com": "dnc_email",
    });
  });

  it("an Instantly lead at a subdomain or a plus variant of a DNC entry is drained as suppressed", async () => {
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "late.com", kind: "domain", added_at: daysAgo(1) },
      { value: "one@fine.com", kind: "email", added_at: daysAgo(1) },
    ]);
    await pull(s, "pull-1", [
      { lead_id: "1", email: "a@eu.late.com", status: 1 },
      { lead_id: "2", email: "one+x@fine.com", status: 1 },
      { lead_id: "3", email: "two@fine.com", status: 1 },
    ]);
    await run(s);
    expect(await drains(s)).toEqual({ "a@eu.late.com": "suppressed", "one+x@fine.com": "suppressed" });
  });

  it("suppressed_now sees a DNC row appended after the transform, with the same matching", async () => {
    await leads(s, [{ email: "sam+q@late2.com" }, { email: "kim@sub.late3.com" }, { email: "ok@fine2.com" }]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["kim@sub.late3.com", "ok@fine2.com", "sam+q@late2.com"]);
    expect(await suppressedNow()).toEqual({});
    // Opt-outs land between transform and apply: no transform runs again.
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "SAM@late2.com", kind: "email", added_at: daysAgo(0) },
      { value: "@late3.com", kind: "domain", added_at: daysAgo(0) },
    ]);
    expect(await suppressedNow()).toEqual({
      "kim@sub.late3.com": "dnc_domain",
      "sam+q@late2.com": "dnc_email",
    });
  });
});

describe("malformed emails", () => {
  it("leading, trailing or consecutive dots in the local part and emails over 254 characters are invalid", async () => {
    const long = `${"a".repeat(243)}@example.com`; // 255 characters
    const longest = `${"a".repeat(242)}@example2.com`; // 255 as well: the domain counts too
    const fits = `${"b".repeat(241)}@example.com`; // 253
    await leads(s, [
      { email: "a..b@dots1.com" },
      { email: ".ab@dots2.com" },
      { email: "ab.@dots3.com" },
      { email: "a.b@dots4.com" },
      { email: long },
      { email: longest },
      { email: fits },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["a.b@dots4.com", fits]);
    for (const e of ["a..b@dots1.com", ".ab@dots2.com", "ab.@dots3.com", long, longest]) {
      expect(await whyNot(e)).toBe("invalid_email");
    }
    const [edge] = await rows(s, `select length('${fits}') as n`);
    expect(edge?.n).toBe(253);
  });
});

describe("field limits", () => {
  it("names are cut to 100 characters, company to 200, custom variable strings to 500; control characters are stripped", async () => {
    await s.conn.run(`
      insert into "cold_email_raw"."leads" (email, first_name, last_name, merchant_name, source, country_code, updated_at)
      values
        ('long@f1.com', repeat('N', 100000), repeat('L', 150), repeat('C', 100000), repeat('s', 600), 'US', now()),
        ('ctrl@f2.com', ' Jo' || chr(0) || 'hn' || chr(10), 'Do' || chr(9) || 'e' || chr(127), 'Acme' || chr(13) || chr(10) || ' Inc' || chr(27),
         'web' || chr(0) || chr(10) || 'form', 'US', now()),
        ('empty@f3.com', chr(1) || chr(2), null, 'Fine Co', 'ok', 'US', now()),
        ('quotes@f5.com', 'Q', null, 'Q Co', repeat('ab"', 300), 'US', now()),
        ('fits@f6.com', 'F', null, repeat('m', 200), repeat('t', 500), 'US', now())
    `);
    await run(s);
    const q = await rows(
      s,
      `select email, first_name, last_name, company_name, custom_variables::varchar as cv from "cold_email"."push_queue" order by email`,
    );
    const byEmail = Object.fromEntries(q.map((r) => [String(r.email), r]));
    const long = byEmail["long@f1.com"];
    expect(String(long?.first_name)).toBe("N".repeat(100));
    expect(String(long?.last_name)).toBe("L".repeat(100));
    expect(String(long?.company_name)).toBe("C".repeat(200));
    const longVars = JSON.parse(String(long?.cv));
    expect(longVars.source).toBe("s".repeat(500));
    expect(longVars.merchant_name).toBe("C".repeat(500));
    // Escaped quotes count as one character each and never stop the cut; a string of exactly 500 stays.
    expect(JSON.parse(String(byEmail["quotes@f5.com"]?.cv)).source).toBe('ab"'.repeat(300).slice(0, 500));
    expect(JSON.parse(String(byEmail["fits@f6.com"]?.cv))).toMatchObject({
      source: "t".repeat(500),
      merchant_name: "m".repeat(200),
    });
    const ctrl = byEmail["ctrl@f2.com"];
    expect(ctrl).toMatchObject({ first_name: "John", last_name: "Doe", company_name: "Acme Inc" });
    const ctrlVars = JSON.parse(String(ctrl?.cv));
    expect(ctrlVars).toMatchObject({ source: "webform", merchant_name: "Acme Inc" });
    // A name of only control characters is no name at all.
    expect(byEmail["empty@f3.com"]?.first_name).toBeNull();
    // Nothing anywhere in what goes to Instantly has a control character left.
    for (const r of q) {
      for (const v of [
        r.first_name,
        r.last_name,
        r.company_name,
        ...Object.values(JSON.parse(String(r.cv))),
      ]) {
        if (typeof v === "string")
          expect(
            [...v].some((c) => c.charCodeAt(0) < 32 || (c.charCodeAt(0) >= 127 && c.charCodeAt(0) < 160)),
          ).toBe(false);
      }
    }
  });

  it("an escaped backslash before n is kept: only real control characters are removed", async () => {
    await s.conn.run(`
      insert into "cold_email_raw"."leads" (email, first_name, merchant_name, source, country_code, updated_at)
      values ('path@f4.com', 'Al', 'C:\\new', 'say "hi"' || chr(10), 'US', now())
    `);
    await run(s);
    const [r] = await rows(s, `select custom_variables::varchar as cv from "cold_email"."push_queue"`);
    expect(JSON.parse(String(r?.cv))).toMatchObject({ merchant_name: "C:\\new", source: 'say "hi"' });
  });
});
