import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../engine/src/core/errors.ts";
import { loadDnc } from "../../engine/src/local/load.ts";
import type { LocalWarehouse } from "../../engine/src/warehouse/duckdb.ts";
import { contentHash, dncTableName, memoryWarehouse, rows, settings, tempDir } from "./helpers.ts";

/**
 * `engine load dnc` reads every entry in the canonical form the rules match on (includes/canonical.js)
 * and says how: counts per notation, and per row the canonical value and kind. An entry that is
 * neither an email nor a domain refuses the whole file, naming its row and value.
 */

let wh: LocalWarehouse;
let dir: string;
beforeEach(async () => {
  wh = await memoryWarehouse();
  dir = tempDir("load-dnc-");
});
afterEach(() => wh.close());

/** A UTF-8 CSV with a value,kind header. */
function csv(name: string, entries: [string, string][]): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `value,kind\n${entries.map(([v, k]) => `"${v.replace(/"/g, '""')}",${k}`).join("\n")}\n`,
  );
  return file;
}

const ENTRIES: [string, string][] = [
  ["bücher.de", "domain"],
  ["xn--mller-kva.de", "domain"],
  ["blocked.com.", "domain"],
  ["zw\u200Bsp@corp1.com", "email"],
  ["wide＠corp4.com", "email"],
  ["*.wild.com", "domain"],
  [".dotlead.com", "domain"],
  ["https://urlco.com/contact", "domain"],
  ["mailto:someone@mailtoco.com?subject=stop", "email"],
  ["Some One <someone@namedco.com>", "email"],
  ["@atdomain.com", "email"],
  ["www.wwwco.com", "domain"],
];

describe("engine load dnc: how each entry was read", () => {
  it("counts entries per notation and lists each row's canonical value and kind", async () => {
    const result = await loadDnc(wh.conn, settings, csv("dnc.csv", ENTRIES));
    expect(result.rows).toBe(12);
    expect(result.dnc?.notations).toEqual({
      domain: 3,
      email: 2,
      wildcard: 1,
      leading_dot: 1,
      url: 1,
      mailto: 1,
      name_address: 1,
      at_domain: 1,
      www: 1,
    });
    expect(result.dnc?.kindMismatches).toBe(1);
    expect(result.dnc?.entries.map((e) => [e.row, e.value, e.kind])).toEqual([
      [1, "xn--bcher-kva.de", "domain"],
      [2, "xn--mller-kva.de", "domain"],
      [3, "blocked.com", "domain"],
      [4, "zwsp@corp1.com", "email"],
      [5, "wide@corp4.com", "email"],
      [6, "wild.com", "domain"],
      [7, "dotlead.com", "domain"],
      [8, "urlco.com", "domain"],
      [9, "someone@mailtoco.com", "email"],
      [10, "someone@namedco.com", "email"],
      [11, "atdomain.com", "domain"],
      [12, "wwwco.com", "domain"],
    ]);
    // The raw table keeps the entries as written; stg_dnc_list reads them the same way.
    expect((await rows(wh, `SELECT value FROM ${dncTableName} ORDER BY rowid`)).map((r) => r.value)).toEqual(
      ENTRIES.map(([v]) => v),
    );
  });

  it("refuses a file with an entry that is neither an email nor a domain, naming row and value; nothing is loaded", async () => {
    await loadDnc(wh.conn, settings, csv("first.csv", [["kept.com", "domain"]]));
    const before = await contentHash(wh, dncTableName);
    const file = csv("bad.csv", [
      ["fine.com", "domain"],
      ["Jane Doe", "email"],
      ["ok@fine.com", "email"],
      ["com", "domain"],
    ]);
    const error = await loadDnc(wh.conn, settings, file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(
      /2 values cannot be read as an email or a domain \(row 2: "Jane Doe"; row 4: "com"\)/,
    );
    expect(await contentHash(wh, dncTableName)).toBe(before);
  });
});
