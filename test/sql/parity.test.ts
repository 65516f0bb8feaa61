import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { normaliseSql } from "../../engine/src/dataform/normalise.ts";
import {
  daysAgo,
  insert,
  leads,
  openScenario,
  queuedEmails,
  resetInputs,
  rows,
  run,
  type Scenario,
} from "./harness.ts";
import { loadIncludes } from "./includes.ts";

/**
 * The same answer on DuckDB as on BigQuery for whitespace and NULL order (definitions/README.md,
 * "BigQuery / DuckDB parity"). BigQuery's one-argument TRIM strips the Unicode White_Space property
 * (ZetaSQL's TrimSpacesUtf8 uses ICU's UCHAR_WHITE_SPACE); JavaScript's \p{White_Space} is that same
 * property, so `bigQueryTrim` below is the reference the DuckDB results are compared with.
 */

const bigQueryTrim = (s: string) => s.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");
/** The email normalisation as BigQuery computes it for ASCII addresses: TRIM, then A-Z lower-cased. */
const bigQueryNormEmail = (s: string) => bigQueryTrim(s).replace(/[A-Z]/g, (c) => c.toLowerCase());
/** DuckDB text read as hex: @duckdb/node-api decodes VARCHAR with TextDecoder, which drops a leading BOM. */
const fromHex = (hex: unknown) => Buffer.from(String(hex), "hex").toString("utf8");

function sqlHelpers(dialect: "duckdb" | "bigquery") {
  return loadIncludes({ dialect })("sql") as unknown as {
    trimAll: (e: string) => string;
    WHITESPACE_CODE_POINTS: number[];
  };
}

let s: Scenario;
beforeAll(async () => {
  s = await openScenario();
});
afterAll(() => s?.wh.close());
beforeEach(async () => {
  await resetInputs(s);
});

describe("whitespace: TRIM as BigQuery does it", () => {
  it("an email with a leading tab is trimmed and kept, exactly as BigQuery's TRIM would", async () => {
    const raw = ["\tTab.Lead@Example.com", "nbsp@shop-two.com\u00a0\r\n", " plain@shop-three.com "];
    await leads(
      s,
      raw.map((email) => ({ email })),
    );
    await run(s);
    const expected = raw.map(bigQueryNormEmail).sort();
    expect(expected).toEqual(["nbsp@shop-two.com", "plain@shop-three.com", "tab.lead@example.com"]);
    const staged = await rows(
      s,
      `select email, is_valid_email from "cold_email_staging"."int_lead_flags" order by email`,
    );
    expect(staged).toEqual(expected.map((email) => ({ email, is_valid_email: true })));
    expect([...(await queuedEmails(s))].sort()).toEqual(expected);
  });

  it("characters that are not White_Space (zero-width space, BOM) are removed by the canonical form on both engines", async () => {
    // includes/canonical.js drops invisible and format characters (Cc, Cf) wherever they are: the same
    // JavaScript runs on both engines, so the email is valid on both.
    await leads(s, [{ email: "\u200bzw@shop-four.com" }, { email: "\ufeffbom@shop-five.com" }]);
    await run(s);
    const staged = await rows(
      s,
      `select hex(email) as email, is_valid_email from "cold_email_staging"."int_lead_flags" order by email`,
    );
    expect(staged.map((r) => fromHex(r.email))).toEqual(["bom@shop-five.com", "zw@shop-four.com"]);
    expect(staged.every((r) => r.is_valid_email === true)).toBe(true);
    expect(await queuedEmails(s)).toEqual(["bom@shop-five.com", "zw@shop-four.com"]);
  });

  it("a DNC email entered with a tab still suppresses the lead", async () => {
    await leads(s, [{ email: "dee@other.com" }, { email: "eve@fine.com" }]);
    await insert(s, "cold_email_raw", "dnc_list", [
      { value: "\tDee@Other.com\n", kind: "email\t", reason: "asked", added_at: daysAgo(3) },
    ]);
    await run(s);
    expect(await queuedEmails(s)).toEqual(["eve@fine.com"]);
  });

  it("sql.trimAll's set is exactly the Unicode White_Space property", () => {
    const whiteSpace: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (/\p{White_Space}/u.test(String.fromCodePoint(cp))) whiteSpace.push(cp);
    }
    expect(sqlHelpers("duckdb").WHITESPACE_CODE_POINTS).toEqual(whiteSpace);
  });

  it("on DuckDB, sql.trimAll strips every White_Space character and nothing else, like BigQuery's TRIM", async () => {
    const trimAll = sqlHelpers("duckdb").trimAll;
    const probes = [...sqlHelpers("duckdb").WHITESPACE_CODE_POINTS, 0x200b, 0xfeff, 0x180e, 0x41];
    const samples = probes.map(
      (cp) => `${String.fromCodePoint(cp)}x ${String.fromCodePoint(cp)}y${String.fromCodePoint(cp)}`,
    );
    const literal = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    // BigQuery lexical form, normalised the way the runner does it before DuckDB sees it.
    const query = normaliseSql(
      samples.map((v, i) => `select ${i} as i, ${trimAll(literal(v))} as trimmed`).join("\nunion all\n"),
    );
    const got = (await rows(s, `select hex(trimmed) as trimmed from (${query}) order by i`)).map((r) =>
      fromHex(r.trimmed),
    );
    expect(got).toEqual(samples.map(bigQueryTrim));
    // The plain one-argument trim is the bug: on DuckDB it keeps the tab.
    const [plain] = await rows(s, `select trim(chr(9) || 'a') as t`);
    expect(plain?.t).toBe("\ta");
  });
});

describe("NULL order: explicit, so both engines pick the same duplicate", () => {
  it("of two raw rows tied on updated_at, the one with a company name wins (company_name asc nulls last)", async () => {
    const at = daysAgo(2);
    await s.conn.run(
      `INSERT INTO "cold_email_raw"."leads" (email, first_name, merchant_name, estimated_sales_yearly, country_code, updated_at) VALUES
        ('tie@shop-six.com', 'Alex', NULL, 500000, 'US', '${at}'),
        ('tie@shop-six.com', 'Alex', 'Acme', 500000, 'US', '${at}')`,
    );
    await run(s);
    const staged = await rows(s, `select company_name, source_rows from "cold_email_staging"."stg_leads"`);
    expect(staged).toEqual([{ company_name: "Acme", source_rows: 2 }]);
  });
});
