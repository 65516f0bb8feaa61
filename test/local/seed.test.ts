import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
} from "./helpers.ts";

/** Well-formed after lower(trim()): local@label(.label)*.tld, no "..", letters-only TLD. */
const validEmail =
  "regexp_full_match(lower(trim(email)), '[a-z0-9]([a-z0-9._%+-]*[a-z0-9_%+-])?@([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}') " +
  "AND lower(email) NOT LIKE '%..%'";

describe("seedWarehouse determinism", () => {
  it("gives byte-identical tables for the same seed and different ones for another seed", async () => {
    const hashes: Array<{ leads: string; dnc: string }> = [];
    for (const seed of [7, 7, 8]) {
      const wh = await memoryWarehouse();
      try {
        const result = await seedWarehouse(wh.conn, settings, { leads: 3000, dnc: 150, seed, asOf });
        expect(result).toEqual({ leads: 3000, dnc: 150 });
        hashes.push({ leads: await contentHash(wh, leadsTable), dnc: await contentHash(wh, dncTableName) });
      } finally {
        wh.close();
      }
    }
    expect(hashes[1]).toEqual(hashes[0]);
    expect(hashes[2]?.leads).not.toBe(hashes[0]?.leads);
    expect(hashes[2]?.dnc).not.toBe(hashes[0]?.dnc);
  });

  it("keeps the leads identical when only the DNC count changes", async () => {
    const wh = await memoryWarehouse();
    try {
      await seedWarehouse(wh.conn, settings, { leads: 2000, dnc: 50, seed: 3, asOf });
      const first = await contentHash(wh, leadsTable);
      await seedWarehouse(wh.conn, settings, { leads: 2000, dnc: 400, seed: 3, asOf });
      expect(await contentHash(wh, leadsTable)).toBe(first);
      expect((await one(wh, `SELECT count(*)::INT AS n FROM ${dncTableName}`)).n).toBe(400);
    } finally {
      wh.close();
    }
  });
});

describe("seedWarehouse replaces contents", () => {
  it("replaces previous rows (no accumulation) and reports progress up to the total", async () => {
    const wh = await memoryWarehouse();
    try {
      await seedWarehouse(wh.conn, settings, { leads: 25_000, dnc: 0, seed: 1, asOf });
      const progress: Array<[number, number]> = [];
      await seedWarehouse(wh.conn, settings, {
        leads: 12_000,
        seed: 2,
        asOf,
        onProgress: (done, total) => progress.push([done, total]),
      });
      const counts = await one(
        wh,
        `SELECT (SELECT count(*) FROM ${leadsTable})::INT AS leads, (SELECT count(*) FROM ${dncTableName})::INT AS dnc`,
      );
      expect(counts).toEqual({ leads: 12_000, dnc: 480 }); // default DNC = 4% of the leads
      expect(progress[0]).toEqual([10_000, 12_480]);
      expect(progress.at(-1)).toEqual([12_480, 12_480]);
    } finally {
      wh.close();
    }
  });

  it("rejects bad options with the bad value, before touching the tables", async () => {
    const wh = await memoryWarehouse();
    try {
      await seedWarehouse(wh.conn, settings, { leads: 100, seed: 1, asOf });
      await expect(seedWarehouse(wh.conn, settings, { leads: -5 })).rejects.toThrow(
        /leads must be .* got -5/,
      );
      await expect(seedWarehouse(wh.conn, settings, { leads: 10, seed: 1.5 })).rejects.toThrow(
        /seed .* got 1\.5/,
      );
      expect((await one(wh, `SELECT count(*)::INT AS n FROM ${leadsTable}`)).n).toBe(100);
    } finally {
      wh.close();
    }
  });

  it("refuses a leads table whose columns are not the contract's, in order", async () => {
    const wh = await memoryWarehouse();
    try {
      await wh.conn.run(`CREATE SCHEMA ${settings.vars.raw_dataset}`);
      await wh.conn.run(`CREATE TABLE ${leadsTable} (first_name VARCHAR, email VARCHAR)`);
      await expect(seedWarehouse(wh.conn, settings, { leads: 10 })).rejects.toThrow(
        /does not have the contract's columns in order/,
      );
    } finally {
      wh.close();
    }
  });
});

describe("seeded data looks like the team's merchants (20k leads)", () => {
  let wh: LocalWarehouse;
  let stats: Record<string, number>;

  beforeAll(async () => {
    wh = await memoryWarehouse();
    await seedWarehouse(wh.conn, settings, { leads: 20_000, seed: 42, asOf });
    const freeMail = "('gmail.com','yahoo.com','outlook.com','hotmail.com','icloud.com','aol.com')";
    const raw = await one(
      wh,
      `WITH l AS (SELECT *, lower(trim(email)) AS e, split_part(lower(trim(email)), '@', 2) AS d FROM ${leadsTable})
       SELECT
         count(*) AS total,
         avg(CASE WHEN ${validEmail} THEN 0 ELSE 1 END) AS malformed,
         avg(CASE WHEN estimated_sales_yearly < 1000000 THEN 1 ELSE 0 END) AS smb,
         avg(CASE WHEN estimated_sales_yearly >= 1000000 THEN 1 ELSE 0 END) AS midsize,
         avg(CASE WHEN estimated_sales_yearly IS NULL THEN 1 ELSE 0 END) AS missing_revenue,
         avg(CASE WHEN klaviyo_installed_at IS NOT NULL THEN 1 ELSE 0 END) AS klaviyo,
         avg(CASE WHEN email <> lower(email) THEN 1 ELSE 0 END) AS mixed_case,
         avg(CASE WHEN email <> trim(email) THEN 1 ELSE 0 END) AS whitespace,
         avg(CASE WHEN split_part(e, '@', 1) IN ('info','sales','support','contact','hello','admin') THEN 1 ELSE 0 END) AS role,
         avg(CASE WHEN d IN ${freeMail} THEN 1 ELSE 0 END) AS free_mail,
         count(*) FILTER (WHERE d IN ('mailinator.com','guerrillamail.com','yopmail.com','10minutemail.com','tempmail.com','trashmail.com','sharklasers.com','getnada.com')) AS disposable,
         avg(CASE WHEN platform_domain LIKE '%.myshopify.com' THEN 1 ELSE 0 END) AS shopify,
         avg(CASE WHEN country_code = 'US' THEN 1 ELSE 0 END) AS us,
         count(DISTINCT country_code) AS countries,
         count(*) FILTER (WHERE country_code = 'US' AND state IS NOT NULL AND length(state) <> 2) AS bad_us_states,
         (SELECT count(*) FROM (SELECT d FROM l WHERE d NOT IN ${freeMail} AND ${validEmail} GROUP BY d HAVING count(*) >= 50)) AS big_domains,
         (SELECT count(*) FROM (SELECT e FROM l WHERE ${validEmail} GROUP BY e HAVING count(DISTINCT email) > 1 AND count(DISTINCT updated_at) > 1)) AS case_duplicates,
         min(updated_at) >= TIMESTAMPTZ '2024-01-15' AND max(updated_at) <= TIMESTAMPTZ '2026-01-15' AS updated_in_two_years,
         count(*) FILTER (WHERE employee_count IS NOT NULL AND employee_count < 1) AS bad_employees,
         count(*) FILTER (WHERE avg_price <= 0 OR product_count <= 0) AS bad_catalog
       FROM l`,
    );
    stats = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  });
  afterAll(() => wh?.close());

  it("has ~8% malformed emails and the normalisation mess (case, whitespace, duplicates across case)", () => {
    expect(stats.total).toBe(20_000);
    expect(stats.malformed).toBeGreaterThan(0.065);
    expect(stats.malformed).toBeLessThan(0.095);
    expect(stats.mixed_case).toBeGreaterThan(0.05);
    expect(stats.whitespace).toBeGreaterThan(0.02);
    expect(stats.case_duplicates).toBeGreaterThan(100);
  });

  it("has role accounts, free-mail, disposable addresses and a few domains with many contacts", () => {
    expect(stats.role).toBeGreaterThan(0.03);
    expect(stats.free_mail).toBeGreaterThan(0.15);
    expect(stats.disposable).toBeGreaterThan(20);
    expect(stats.big_domains).toBeGreaterThanOrEqual(3);
  });

  it("is mostly SMB by revenue with a Midsize tail and some missing revenue", () => {
    expect(stats.smb).toBeGreaterThan(0.6);
    expect(stats.midsize).toBeGreaterThan(0.1);
    expect(stats.smb).toBeGreaterThan(stats.midsize as number);
    expect(stats.missing_revenue).toBeGreaterThan(0.03);
    expect(stats.missing_revenue).toBeLessThan(0.12);
  });

  it("has Shopify stores, mostly US with other countries, Klaviyo for ~40%, plausible numbers", () => {
    expect(stats.shopify).toBeGreaterThan(0.8);
    expect(stats.us).toBeGreaterThan(0.65);
    expect(stats.countries).toBeGreaterThanOrEqual(5);
    expect(stats.bad_us_states).toBe(0);
    expect(stats.klaviyo).toBeGreaterThan(0.33);
    expect(stats.klaviyo).toBeLessThan(0.47);
    expect(stats.updated_in_two_years).toBe(1);
    expect(stats.bad_employees).toBe(0);
    expect(stats.bad_catalog).toBe(0);
  });

  it("has a DNC list of emails and domains, some matching seeded leads in another case", async () => {
    const dnc = await one(
      wh,
      `SELECT count(*)::INT AS total,
         count(*) FILTER (WHERE kind = 'email')::INT AS emails,
         count(*) FILTER (WHERE kind = 'domain')::INT AS domains,
         count(*) FILTER (WHERE kind NOT IN ('email', 'domain'))::INT AS bad_kind,
         count(*) FILTER (WHERE kind = 'email' AND value <> lower(trim(value))
           AND lower(trim(value)) IN (SELECT lower(trim(email)) FROM ${leadsTable}))::INT AS emails_matching_in_other_case,
         (SELECT count(*) FROM ${leadsTable} l WHERE split_part(lower(trim(l.email)), '@', 2) IN
           (SELECT lower(trim(value)) FROM ${dncTableName} WHERE kind = 'domain'))::INT AS leads_hit_by_domains
       FROM ${dncTableName}`,
    );
    expect(dnc.total).toBe(800);
    expect(dnc.bad_kind).toBe(0);
    expect(dnc.emails).toBeGreaterThan(dnc.domains as number);
    expect(dnc.domains).toBeGreaterThan(50);
    expect(dnc.emails_matching_in_other_case).toBeGreaterThan(100);
    expect(dnc.leads_hit_by_domains).toBeGreaterThan(50);
    const reasons = await rows(wh, `SELECT DISTINCT reason FROM ${dncTableName} ORDER BY 1`);
    expect(reasons.length).toBeGreaterThan(3);
  });
});
