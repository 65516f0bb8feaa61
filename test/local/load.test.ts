import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../engine/src/core/errors.ts";
import { loadDnc, loadLeads } from "../../engine/src/local/load.ts";
import { seedWarehouse } from "../../engine/src/local/seed.ts";
import type { LocalWarehouse } from "../../engine/src/warehouse/duckdb.ts";
import {
  asOf,
  contentHash,
  dncTableName,
  leadsTable,
  memoryWarehouse,
  one,
  rows,
  settings,
  tempDir,
} from "./helpers.ts";

let wh: LocalWarehouse;
let dir: string;

beforeEach(async () => {
  wh = await memoryWarehouse();
  dir = tempDir("load-");
  await seedWarehouse(wh.conn, settings, { leads: 300, dnc: 40, seed: 5, asOf });
});
afterEach(() => wh.close());

/** Write `select` to a file in the temp dir with DuckDB COPY. */
async function fixture(name: string, select: string, format: "csv" | "parquet" = "csv"): Promise<string> {
  const file = path.join(dir, name);
  const options = format === "csv" ? "FORMAT csv, HEADER true" : "FORMAT parquet";
  await wh.conn.run(`COPY (${select}) TO '${file}' (${options})`);
  return file;
}

/** Expect `action` to fail with a UserError and leave both raw tables exactly as they were. */
async function expectRejectedIntact(action: () => Promise<unknown>): Promise<UserError> {
  const before = [await contentHash(wh, leadsTable), await contentHash(wh, dncTableName)];
  const error = await action().then(
    () => {
      throw new Error("expected the load to fail");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  expect([await contentHash(wh, leadsTable), await contentHash(wh, dncTableName)]).toEqual(before);
  return error as UserError;
}

describe("loadLeads: files that load", () => {
  it("loads a CSV, matching headers case-insensitively, keeping extra columns as VARCHAR", async () => {
    const file = await fixture(
      "leads.csv",
      `SELECT * FROM (VALUES
         ('Ann@Shop-One.com', 'Ann', '250000.5', '3', '2025-03-01T10:00:00Z', 'gold', '7'),
         ('bob@two.com', NULL, '', '', '2025-03-02', 'silver', NULL),
         (' carol@three.co.uk ', 'Carol', '1200000', '40', NULL, NULL, '9')
       ) AS t("Email", "First Name", "Estimated_Sales_Yearly", employee_count, "Updated At", "Loyalty Tier", "Store Rank")`,
    );
    const result = await loadLeads(wh.conn, settings, file);
    expect(result).toMatchObject({
      table: `${settings.vars.raw_dataset}.${settings.vars.leads_table}`,
      format: "csv",
      mode: "replace",
      rows: 3,
      previousRows: 300,
      totalRows: 3,
      extraColumns: ["loyalty_tier", "store_rank"],
    });
    const loaded = await rows(
      wh,
      `SELECT email, first_name, estimated_sales_yearly, employee_count, updated_at::VARCHAR AS updated_at,
              loyalty_tier, store_rank FROM ${leadsTable} ORDER BY rowid`,
    );
    expect(loaded).toEqual([
      {
        email: "Ann@Shop-One.com",
        first_name: "Ann",
        estimated_sales_yearly: 250000.5,
        employee_count: 3n,
        updated_at: "2025-03-01 10:00:00+00",
        loyalty_tier: "gold",
        store_rank: "7",
      },
      {
        email: "bob@two.com",
        first_name: null,
        estimated_sales_yearly: null,
        employee_count: null,
        updated_at: "2025-03-02 00:00:00+00",
        loyalty_tier: "silver",
        store_rank: null,
      },
      {
        email: " carol@three.co.uk ",
        first_name: "Carol",
        estimated_sales_yearly: 1200000,
        employee_count: 40n,
        updated_at: null,
        loyalty_tier: null,
        store_rank: "9",
      },
    ]);
    const types = await rows(
      wh,
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_name = '${settings.vars.leads_table}' AND column_name IN ('loyalty_tier', 'store_rank') ORDER BY 1`,
    );
    expect(types).toEqual([
      { column_name: "loyalty_tier", data_type: "VARCHAR" },
      { column_name: "store_rank", data_type: "VARCHAR" },
    ]);

    // The extra columns stay; a later seed fills them with NULL rather than failing.
    await seedWarehouse(wh.conn, settings, { leads: 50, dnc: 5, seed: 1, asOf });
    expect(
      await one(wh, `SELECT count(*)::INT AS n, count(loyalty_tier)::INT AS tiers FROM ${leadsTable}`),
    ).toEqual({
      n: 50,
      tiers: 0,
    });
  });

  it("loads a typed Parquet file and appends with --append", async () => {
    const file = await fixture(
      "leads.parquet",
      `SELECT 'p' || i || '@store' || i || '.com' AS email, (i * 1000.0)::DOUBLE AS estimated_sales_yearly,
              i::INTEGER AS product_count, TIMESTAMP '2025-01-01 00:00:00' + INTERVAL (i) DAY AS updated_at,
              i % 2 = 0 AS is_vip
       FROM range(1, 6) r(i)`,
      "parquet",
    );
    const result = await loadLeads(wh.conn, settings, file, { append: true });
    expect(result).toMatchObject({
      format: "parquet",
      mode: "append",
      rows: 5,
      previousRows: 300,
      totalRows: 305,
    });
    expect(result.extraColumns).toEqual(["is_vip"]);
    const loaded = await one(
      wh,
      `SELECT count(*)::INT AS n, sum(product_count)::INT AS products, max(updated_at)::VARCHAR AS last,
              string_agg(is_vip, ',' ORDER BY email) AS vip
       FROM ${leadsTable} WHERE email LIKE 'p%@store%'`,
    );
    expect(loaded).toEqual({
      n: 5,
      products: 15,
      last: "2025-01-06 00:00:00+00",
      vip: "false,true,false,true,false",
    });
  });

  it("reads semicolon-separated CSV with a BOM and CRLF line ends", async () => {
    const file = path.join(dir, "excel.csv");
    writeFileSync(file, '\ufeffEmail;Product Count\r\na@b.com;12\r\n"c;d@e.com";\r\n');
    const result = await loadLeads(wh.conn, settings, file);
    expect(result.rows).toBe(2);
    expect(await rows(wh, `SELECT email, product_count FROM ${leadsTable} ORDER BY rowid`)).toEqual([
      { email: "a@b.com", product_count: 12n },
      { email: "c;d@e.com", product_count: null },
    ]);
  });
});

describe("loadLeads: bad files change nothing", () => {
  it("names a missing required column and what was found", async () => {
    const file = await fixture("no-email.csv", "SELECT 'Ann' AS first_name, 'x' AS merchant_name");
    const error = await expectRejectedIntact(() => loadLeads(wh.conn, settings, file));
    expect(error.message).toMatch(/lacks the required column email \(found: first_name, merchant_name\)/);
  });

  it("names the mistyped column, its type, the count and the first bad row, never the value", async () => {
    const file = await fixture(
      "bad-revenue.csv",
      `SELECT * FROM (VALUES ('a@x.com', '100'), ('b@x.com', '200'), ('secret.person@x.com', '$1,200'),
                             ('d@x.com', 'n/a'), ('e@x.com', '300')) AS t(email, estimated_sales_yearly)`,
    );
    const error = await expectRejectedIntact(() => loadLeads(wh.conn, settings, file));
    expect(error.message).toMatch(
      /column estimated_sales_yearly must be FLOAT64 .*: 2 values cannot be read as one, first at data row 3 \(line 4\)/,
    );
    expect(error.message).not.toMatch(/\$1,200|n\/a|secret|@/);
  });

  it("reports every problem at once: a bad timestamp and a bad whole number", async () => {
    const file = await fixture(
      "two-problems.csv",
      `SELECT * FROM (VALUES ('a@x.com', '2025-01-01', '3'), ('b@x.com', '2025-01-02', 'three'),
                             ('c@x.com', 'yesterday', '4')) AS t(email, updated_at, employee_count)`,
    );
    const error = await expectRejectedIntact(() => loadLeads(wh.conn, settings, file));
    expect(error.message).toMatch(
      /column employee_count must be INT64 .* 1 value cannot be read as one, first at data row 2/,
    );
    expect(error.message).toMatch(/column updated_at must be TIMESTAMP .* first at data row 3/);
  });

  it("skips and counts rows with a blank email, but refuses a file where every email is blank", async () => {
    const some = await fixture(
      "some-blank.csv",
      "SELECT * FROM (VALUES ('a@x.com', 'A'), ('  ', 'B'), (NULL, 'C'), ('d@x.com', 'D')) AS t(email, first_name)",
    );
    const result = await loadLeads(wh.conn, settings, some);
    expect(result).toMatchObject({ rows: 2, skippedRows: 2, firstSkippedRow: 2, totalRows: 2 });
    expect(await rows(wh, `SELECT first_name FROM ${leadsTable} ORDER BY rowid`)).toEqual([
      { first_name: "A" },
      { first_name: "D" },
    ]);

    const all = await fixture(
      "all-blank.csv",
      "SELECT NULL::VARCHAR AS email, 'x' AS first_name FROM range(3)",
    );
    expect((await expectRejectedIntact(() => loadLeads(wh.conn, settings, all))).message).toMatch(
      /has no row with an email: the email column is blank in all 3 rows/,
    );
  });

  it("refuses an empty file and a header-only file", async () => {
    const empty = path.join(dir, "empty.csv");
    writeFileSync(empty, "");
    expect((await expectRejectedIntact(() => loadLeads(wh.conn, settings, empty))).message).toMatch(
      /empty\.csv is empty \(0 bytes\)/,
    );
    const header = path.join(dir, "header.csv");
    writeFileSync(header, "email,first_name\n");
    expect((await expectRejectedIntact(() => loadLeads(wh.conn, settings, header))).message).toMatch(
      /has a header but no data rows/,
    );
    const emptyParquet = await fixture("empty.parquet", "SELECT 'x' AS email WHERE false", "parquet");
    expect((await expectRejectedIntact(() => loadLeads(wh.conn, settings, emptyParquet))).message).toMatch(
      /no data rows/,
    );
  });

  it("refuses a ragged CSV with the line number, without quoting the line", async () => {
    const file = path.join(dir, "ragged.csv");
    writeFileSync(file, `email,first_name\n${"a@b.com,Ann\n".repeat(40)}hidden@pii.com,Bob,extra\n`);
    const error = await expectRejectedIntact(() => loadLeads(wh.conn, settings, file));
    expect(error.message).toMatch(/CSV Error on Line: 42/);
    expect(error.message).not.toMatch(/hidden|pii/);
  });

  it("spots a file without a header row without printing its first line", async () => {
    const file = path.join(dir, "no-header.csv");
    writeFileSync(file, "first.last@company.com,First\nx@y.com,X\n");
    const error = await expectRejectedIntact(() => loadLeads(wh.conn, settings, file));
    expect(error.message).toMatch(/looks like data, not a header/);
    expect(error.message).not.toMatch(/company/);
  });

  it("refuses a missing file, an unknown extension and a non-Parquet .parquet", async () => {
    await expectRejectedIntact(() => loadLeads(wh.conn, settings, path.join(dir, "nope.csv")));
    const xlsx = path.join(dir, "leads.xlsx");
    writeFileSync(xlsx, "x");
    expect((await expectRejectedIntact(() => loadLeads(wh.conn, settings, xlsx))).message).toMatch(
      /cannot tell the format .*"\.xlsx"/,
    );
    const fake = path.join(dir, "fake.parquet");
    writeFileSync(fake, "email\na@b.com\n");
    expect((await expectRejectedIntact(() => loadLeads(wh.conn, settings, fake))).message).toMatch(
      /cannot read .*fake\.parquet as Parquet/,
    );
  });
  it("rolls back added columns and deleted rows when the write itself fails", async () => {
    // The team's table has its own INTEGER column `tier`; the file's text values cannot go in.
    await wh.conn.run(`ALTER TABLE ${leadsTable} ADD COLUMN tier INTEGER`);
    const file = await fixture(
      "tier.csv",
      "SELECT * FROM (VALUES ('a@x.com', 'gold', 'n1')) AS t(email, tier, note)",
    );
    const error = await expectRejectedIntact(() => loadLeads(wh.conn, settings, file));
    expect(error.message).toMatch(/failed; nothing was changed/);
    expect(error.message).not.toMatch(/gold/);
    const note = await rows(
      wh,
      `SELECT column_name FROM information_schema.columns WHERE table_name = '${settings.vars.leads_table}' AND column_name = 'note'`,
    );
    expect(note).toEqual([]);
  });
});

describe("loadDnc", () => {
  it("loads emails and domains, normalising kind, ignoring extra columns", async () => {
    const file = await fixture(
      "dnc.csv",
      `SELECT * FROM (VALUES ('x@y.com', 'Email', 'unsubscribed', 'note'), ('Competitor.com', ' DOMAIN ', NULL, NULL))
         AS t(value, kind, reason, internal_note)`,
    );
    const result = await loadDnc(wh.conn, settings, file);
    expect(result).toMatchObject({
      rows: 2,
      previousRows: 40,
      totalRows: 2,
      ignoredColumns: ["internal_note"],
    });
    expect(await rows(wh, `SELECT value, kind, reason FROM ${dncTableName} ORDER BY rowid`)).toEqual([
      { value: "x@y.com", kind: "email", reason: "unsubscribed" },
      { value: "Competitor.com", kind: "domain", reason: null },
    ]);
  });

  it("refuses a kind other than email or domain, and a missing kind column", async () => {
    const badKind = await fixture(
      "dnc-kind.csv",
      "SELECT * FROM (VALUES ('x@y.com', 'email'), ('555-0100', 'phone')) AS t(value, kind)",
    );
    const error = await expectRejectedIntact(() => loadDnc(wh.conn, settings, badKind));
    expect(error.message).toMatch(
      /column kind must be email or domain: 1 row has another value, first at data row 2/,
    );
    expect(error.message).not.toMatch(/555|phone/);

    const blankKind = await fixture(
      "dnc-blank-kind.csv",
      "SELECT * FROM (VALUES ('x@y.com', 'email'), ('z.com', NULL)) AS t(value, kind)",
    );
    expect((await expectRejectedIntact(() => loadDnc(wh.conn, settings, blankKind))).message).toMatch(
      /column kind is required but empty in 1 row, first at data row 2 \(line 3\)/,
    );

    const noKind = await fixture("dnc-nokind.csv", "SELECT 'x@y.com' AS value");
    expect((await expectRejectedIntact(() => loadDnc(wh.conn, settings, noKind))).message).toMatch(
      /lacks the required column kind/,
    );
  });
});

describe("loadLeads --null-bad: a real export's unreadable values", () => {
  /** A CRM export: revenue with currency signs or n/a, head counts as ranges; counts computed here. */
  function messyExport(): { file: string; badSales: number; badEmployees: number } {
    const lines = ["email,merchant_name,estimated_sales_yearly,employee_count"];
    let badSales = 0;
    let badEmployees = 0;
    for (let i = 1; i <= 120; i++) {
      let sales = String(i * 1000);
      if (i % 5 === 0) sales = '"$1,200,000"';
      else if (i % 7 === 0) sales = "n/a";
      if (i % 5 === 0 || i % 7 === 0) badSales++;
      let employees = String(i);
      if (i % 4 === 0) {
        employees = "11-50";
        badEmployees++;
      }
      lines.push(`lead${i}@messy${i}.com,Shop ${i},${sales},${employees}`);
    }
    const file = path.join(dir, "messy.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);
    return { file, badSales, badEmployees };
  }

  it("without the flag the file is refused, each column's count and first row named, and the flag suggested", async () => {
    const { file, badSales, badEmployees } = messyExport();
    const error = await expectRejectedIntact(() => loadLeads(wh.conn, settings, file));
    expect(error.message).toContain(
      `column estimated_sales_yearly must be FLOAT64 (a number (plain digits, no currency sign or thousands separator)): ${badSales} values cannot be read as one, first at data row 5 (line 6)`,
    );
    expect(error.message).toContain(
      `column employee_count must be INT64 (a whole number): ${badEmployees} values cannot be read as one, first at data row 4 (line 5)`,
    );
    expect(error.hint).toContain("--null-bad estimated_sales_yearly,employee_count");
    expect(error.message).not.toMatch(/messy\d+\.com|1,200,000|n\/a|11-50/);
  });

  it("a column left out of --null-bad still refuses the file", async () => {
    const { file, badEmployees } = messyExport();
    const error = await expectRejectedIntact(() =>
      loadLeads(wh.conn, settings, file, { nullBad: ["estimated_sales_yearly"] }),
    );
    expect(error.message).toContain(`employee_count must be INT64 (a whole number): ${badEmployees} values`);
    expect(error.message).not.toContain("estimated_sales_yearly");
  });

  it("with the flag the bad values load as empty, counted per column; the good ones load as numbers", async () => {
    const { file, badSales, badEmployees } = messyExport();
    const result = await loadLeads(wh.conn, settings, file, {
      nullBad: ["estimated_sales_yearly", "employee_count"],
    });
    expect(result.rows).toBe(120);
    expect(result.nulledValues).toEqual({ estimated_sales_yearly: badSales, employee_count: badEmployees });
    const loaded = await one(
      wh,
      `SELECT count(*)::INT AS n, count(estimated_sales_yearly)::INT AS sales, count(employee_count)::INT AS employees,
              max(estimated_sales_yearly) AS top_sales, sum(employee_count)::INT AS employee_sum
       FROM ${leadsTable}`,
    );
    let expectedSum = 0;
    for (let i = 1; i <= 120; i++) if (i % 4 !== 0) expectedSum += i;
    expect(loaded).toEqual({
      n: 120,
      sales: 120 - badSales,
      employees: 120 - badEmployees,
      top_sales: 118_000, // 119 is a multiple of 7: n/a
      employee_sum: expectedSum,
    });
  });

  it("refuses a --null-bad name that is no typed column, listing the ones it takes", async () => {
    const { file } = messyExport();
    const error = await expectRejectedIntact(() =>
      loadLeads(wh.conn, settings, file, { nullBad: ["merchant_name"] }),
    );
    expect(error.message).toMatch(/--null-bad names "merchant_name", which is no typed column of leads/);
    expect(error.hint).toContain("estimated_sales_yearly, employee_count, product_count, avg_price");
    const absent = await expectRejectedIntact(() =>
      loadLeads(wh.conn, settings, file, { nullBad: ["avg_price"] }),
    );
    expect(absent.message).toMatch(/has no avg_price column/);
  });
});
