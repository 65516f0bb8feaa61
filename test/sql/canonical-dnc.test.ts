import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { canonicalModule } from "../../engine/src/dataform/canonical-udf.ts";
import { normaliseSql } from "../../engine/src/dataform/normalise.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";
import { prng } from "../setup/prng.ts";
import {
  daysAgo,
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
 * One canonical form for DNC values and lead emails (includes/canonical.js, includes/rules.js
 * canonicalEmail/emailIdentity/coverMatches): DNC entries written as people write them suppress the
 * leads they mean, the five Gmail forms of one mailbox are one lead, and the SQL fast path and the
 * BigQuery UDF text give exactly what the JavaScript gives.
 */

let s: Scenario;
beforeAll(async () => {
  s = await openScenario();
});
afterAll(() => s?.wh.close());
beforeEach(async () => {
  await resetInputs(s);
});

/** The 20 DNC entries: [how the list writes it, kind column, the lead it means]. */
const DNC_FILE: [string, string, string][] = [
  ["bücher.de", "domain", "anna@xn--bcher-kva.de"],
  ["xn--mller-kva.de", "domain", "max@müller.de"],
  ["ελλάδα.com", "domain", "nikos@xn--hxakic4aa.com"],
  ["blocked.com.", "domain", "a@blocked.com"],
  ["zw\u200Bsp@corp1.com", "email", "zwsp@corp1.com"],
  ["zw\u200Cnj@corp2.com", "email", "zwnj@corp2.com"],
  ["word\u2060joiner.com", "domain", "b@wordjoiner.com"],
  ["\uFEFFbom@corp3.com", "email", "bom@corp3.com"],
  ["wide＠corp4.com", "email", "wide@corp4.com"],
  ["*.wild.com", "domain", "c@eu.wild.com"],
  [".dotlead.com", "domain", "e@dotlead.com"],
  ["https://urlco.com/contact?x=1", "domain", "f@urlco.com"],
  ["mailto:someone@mailtoco.com?subject=stop", "email", "someone@mailtoco.com"],
  ["Some One <someone@namedco.com>", "email", "someone@namedco.com"],
  ["@atdomain.com", "email", "g@atdomain.com"],
  ["BIG@UPPER.COM\u00A0", "email", "big@upper.com"],
  ["soft\u00ADhyphen.com", "domain", "h@softhyphen.com"],
  ["ＦＵＬＬ@fullwidth.com", "email", "full@fullwidth.com"],
  ["www.wwwco.com", "domain", "i@wwwco.com"],
  ["HTTP://WWW.Shout.com:8080/", "domain", "j@shout.com"],
];

/** Leads no entry covers: look-alikes of the entries above. */
const NOT_COVERED = ["ok@notwild.com", "k@urlco.co", "someone@corp1.com", "l@bucher.de"];

describe("canonical DNC matching", () => {
  it("the 20-entry DNC file of people's notations suppresses all 20 leads it means, and no look-alike", async () => {
    await leads(s, [
      ...DNC_FILE.map(([, , email]) => ({ email })),
      ...NOT_COVERED.map((email) => ({ email })),
    ]);
    await insert(
      s,
      "cold_email_raw",
      "dnc_list",
      DNC_FILE.map(([value, kind]) => ({ value, kind, reason: "asked", added_at: daysAgo(2) })),
    );
    await run(s);
    expect(await queuedEmails(s)).toEqual([...NOT_COVERED].sort());
    const pool = await rows(s, `select email from "cold_email_staging"."stg_leads" order by email`);
    const canonicalLeads = DNC_FILE.map(([, , e]) => String(canonicalModule().canonicalEmail(e))).sort();
    const suppressed = await rows(
      s,
      `select email, ineligible_reason from "cold_email_staging"."int_lead_eligibility" where ineligible_reason = 'suppressed' order by email`,
    );
    expect(suppressed.map((r) => r.email)).toEqual(canonicalLeads);
    expect(pool).toHaveLength(24);
    const now = await rows(s, `select email from "cold_email"."suppressed_now" order by email`);
    expect(now.map((r) => r.email)).toEqual(canonicalLeads);
    expect(canonicalLeads).toContain("max@xn--mller-kva.de");
  });

  it("the five Gmail forms of one mailbox are one lead, and an opt-out of any form suppresses it", async () => {
    const forms = [
      "jane@gmail.com",
      "j.ane@gmail.com",
      "j.a.n.e@gmail.com",
      "jane+shop@gmail.com",
      "jane@googlemail.com",
    ];
    await leads(s, [
      ...forms.map((email, i) => ({ email, updated_at: daysAgo(5 - i) })),
      { email: "bob@gmail.com" },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["bob@gmail.com", "jane@googlemail.com"]);
    const [lead] = await rows(
      s,
      `select email, email_key, source_rows from "cold_email_staging"."stg_leads" where email_key = 'jane@gmail.com'`,
    );
    expect(lead).toEqual({ email: "jane@googlemail.com", email_key: "jane@gmail.com", source_rows: 5 });

    // A DNC entry in another of the forms suppresses the lead.
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "J.A.NE+x@gmail.com", kind: "email", added_at: daysAgo(1) },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["bob@gmail.com"]);
    expect(await rows(s, `select email, reason from "cold_email"."suppressed_now"`)).toEqual([
      { email: "jane@googlemail.com", reason: "dnc_email" },
    ]);

    // An unsubscribe in Instantly under yet another form suppresses it too.
    await resetInputs(s);
    await leads(
      s,
      forms.map((email, i) => ({ email, updated_at: daysAgo(5 - i) })),
    );
    await pull(s, "pull-1", [
      { lead_id: "9", email: "j.ane+old@gmail.com", status: -2, campaign_id: "gone" },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual([]);
    const why = await rows(
      s,
      `select suppressed_value, reason from "cold_email_staging"."int_suppression" order by 1`,
    );
    expect(why).toEqual([
      { suppressed_value: "j.ane+old@gmail.com", reason: "unsubscribed" },
      { suppressed_value: "jane@googlemail.com", reason: "unsubscribed" },
    ]);
  });
});

describe("the domain limit in the canonical form", () => {
  it("a lead Instantly lists at an IDN domain in Unicode fills the punycode domain of the pool", async () => {
    await leads(s, [{ email: "b@xn--bcher-kva.de" }, { email: "d@other.de" }]);
    await pull(s, "pull-1", [{ lead_id: "1", email: "a@bücher.de", status: 1 }]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["d@other.de"]);
    expect(
      await rows(s, `select domain, active_leads from "cold_email_staging"."int_domain_inventory"`),
    ).toEqual([{ domain: "xn--bcher-kva.de", active_leads: 1 }]);
  });
});

/** Awkward email-like strings: plain, upper-case, spaces, invisible, full-width, IDN, notations. */
function awkwardValues(n: number): string[] {
  const rand = prng(7);
  const parts = [
    "a",
    "B",
    ".",
    "+",
    "-",
    "_",
    "'",
    "@",
    "x",
    "9",
    " ",
    "\t",
    "\u00A0",
    "\u200B",
    "ü",
    "Ω",
    "＠",
    "<",
    ">",
    ":",
    "/",
    "mailto:",
    "http://",
    "*",
    "ﬁ",
    "\uFEFF",
    "\u3002",
  ];
  const out = ["jane@x.com", " Jane@X.Com ", "a.b@c.d.e", "a@b.c.", "a@-b.com", "x@y", "@x.com", "", "   "];
  for (let i = 0; i < n; i++) {
    const len = 3 + Math.floor(rand() * 14);
    let v = "";
    for (let j = 0; j < len; j++) v += parts[Math.floor(rand() * parts.length)];
    out.push(rand() < 0.5 ? `${v}@example.com` : v);
  }
  return out;
}

describe("one canonical form in both engines", () => {
  it("the SQL of rules.canonicalEmail (fast path + UDF) equals the JavaScript canonicalEmail", async () => {
    const rules = loadIncludes(s.graph.projectConfig.vars ?? {}).rules as {
      canonicalEmail(e: string): string;
    };
    const values = awkwardValues(400);
    const list = values.map((v) => `('${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}')`).join(", ");
    const query = normaliseSql(`select v, ${rules.canonicalEmail("v")} as c from (values ${list}) as t(v)`);
    const got = await rows(s, query);
    const { canonicalEmail } = canonicalModule();
    expect(got.map((r) => r.c)).toEqual(values.map((v) => canonicalEmail(v)));
    // Both paths ran: some values are plain, some need the UDF.
    expect(
      values.filter((v) => /^[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(v.trim().toLowerCase())).length,
    ).toBeGreaterThan(0);
  });

  it("the BigQuery UDFs carry the very JavaScript DuckDB runs", async () => {
    const graph = await compiledGraph({ dialect: "bigquery" });
    const op = graph.operations.find((o) => o.target.name === "canonical_functions");
    const script = String(op?.queries.join("\n"));
    const bodies = [
      ...script.matchAll(
        /function `[^`]*\.(canonical_\w+)`\(value string\)\s*returns string\s*language js\s*as r"""\n([\s\S]*?)\n"""/gi,
      ),
    ];
    expect(bodies.map((b) => b[1])).toEqual(["canonical_dnc", "canonical_email"]);
    const { UDFS, compileUdf } = canonicalModule();
    for (const [, name, body] of bodies) {
      expect(body).toBe(UDFS[name as string]);
      const bigquery = new Function("value", body as string) as (v: string) => string | null;
      for (const [value] of DNC_FILE) expect(bigquery(value)).toBe(compileUdf(name as string)(value));
    }
    const leadRows = graph.tables.find((t) => t.target.name === "stg_lead_rows");
    expect(leadRows?.query).toMatch(
      /`cold-email-local\.cold_email_staging\.canonical_email`\(picked\.email\)/,
    );
  });
});

/** includes/*.js evaluated as Dataform does (CommonJS, `dataform.projectConfig` for the vars). */
function loadIncludes(vars: Record<string, string>): Record<string, unknown> {
  const dir = path.join(repoRoot(), "includes");
  const cache: Record<string, { exports: unknown }> = {};
  const dataform = { projectConfig: { vars, defaultDatabase: "cold-email-local" } };
  const load = (name: string): unknown => {
    const key = name.replace(/^\.\//, "").replace(/\.js$/, "");
    if (!cache[key]) {
      const mod = { exports: {} as unknown };
      cache[key] = mod;
      const source = readFileSync(path.join(dir, `${key}.js`), "utf8");
      new Function("module", "exports", "require", "dataform", source)(mod, mod.exports, load, dataform);
    }
    return (cache[key] as { exports: unknown }).exports;
  };
  return { rules: load("rules"), sql: load("sql") };
}
