import { describe, expect, it } from "vitest";
import { normaliseSql } from "../../engine/src/dataform/normalise.ts";

describe("normaliseSql: identifiers", () => {
  it("turns a backticked project.dataset.table path into a DuckDB schema.table, dropping the project", () => {
    expect(normaliseSql("SELECT * FROM `my-proj.crm_raw.leads` AS l")).toBe(
      'SELECT * FROM "crm_raw"."leads" AS l',
    );
  });

  it("keeps two-part and one-part backtick names and quotes each part", () => {
    expect(normaliseSql("SELECT `order` FROM `ds.t`")).toBe('SELECT "order" FROM "ds"."t"');
  });

  it("drops only the listed projects when given, so a 3-part column path survives", () => {
    const sql = "SELECT `t.s.c` FROM `p1.ds.t`";
    expect(normaliseSql(sql, { projects: ["p1"] })).toBe('SELECT "t"."s"."c" FROM "ds"."t"');
  });

  it("doubles a double quote inside a backtick identifier", () => {
    expect(normaliseSql('SELECT `we"ird`')).toBe('SELECT "we""ird"');
  });

  it("copies an unterminated backtick verbatim instead of losing text", () => {
    expect(normaliseSql("SELECT `oops")).toBe("SELECT `oops");
  });
});

describe("normaliseSql: string literals", () => {
  it("converts double-quoted BigQuery strings into single-quoted DuckDB strings", () => {
    expect(normaliseSql('WHERE email LIKE "%@%.%"')).toBe("WHERE email LIKE '%@%.%'");
  });

  it("resolves backslash escapes and doubles single quotes", () => {
    expect(normaliseSql("SELECT 'it\\'s', \"say \\\"hi\\\"\", 'a\\\\b', 'tab\\there'")).toBe(
      "SELECT 'it''s', 'say \"hi\"', 'a\\b', 'tab\there'",
    );
  });

  it("resolves hex, unicode and octal escapes", () => {
    expect(normaliseSql("SELECT '\\x41\\u00e9\\101'")).toBe("SELECT 'AéA'");
  });

  it("keeps an unknown escape verbatim rather than guessing", () => {
    expect(normaliseSql("SELECT '\\d'")).toBe("SELECT '\\d'");
  });

  it("keeps backslashes of raw strings (regexes) and accepts r and R prefixes with either quote", () => {
    expect(normaliseSql("REGEXP_CONTAINS(e, r'@(gmail|yahoo)\\.com$')")).toBe(
      "REGEXP_CONTAINS(e, '@(gmail|yahoo)\\.com$')",
    );
    expect(normaliseSql('SELECT R"\\d+"')).toBe("SELECT '\\d+'");
    expect(normaliseSql("SELECT r'it''s'")).toBe("SELECT 'it''s'");
  });

  it("does not take the tail of a word for a raw-string prefix", () => {
    expect(normaliseSql("SELECT bar'x'")).toBe("SELECT bar'x'");
    expect(normaliseSql("SELECT color, r FROM t WHERE r='a'")).toBe("SELECT color, r FROM t WHERE r='a'");
  });

  it("converts triple-quoted strings, which may hold quotes and newlines", () => {
    expect(normaliseSql('SELECT \'\'\'it\'s\nmultiline\'\'\', """say "x" """')).toBe(
      "SELECT 'it''s\nmultiline', 'say \"x\" '",
    );
  });

  it("turns bytes literals into BLOBs", () => {
    expect(normaliseSql("SELECT b'abc', rb'\\x'")).toBe("SELECT 'abc'::BLOB, '\\x'::BLOB");
  });

  it("leaves backticks, hashes and comment markers inside strings alone", () => {
    expect(normaliseSql("SELECT 'a `b.c` # -- /* d'")).toBe("SELECT 'a `b.c` # -- /* d'");
    expect(normaliseSql('SELECT "x `p.d.t` y"')).toBe("SELECT 'x `p.d.t` y'");
  });

  it("handles Dataform's own rowConditions assertion SQL", () => {
    const compiled =
      "SELECT\n  'status != \\'banned\\'' AS failing_row_condition,\n  *\nFROM `p.fx.t`\nWHERE NOT (status != 'banned')";
    expect(normaliseSql(compiled)).toBe(
      "SELECT\n  'status != ''banned''' AS failing_row_condition,\n  *\nFROM \"fx\".\"t\"\nWHERE NOT (status != 'banned')",
    );
  });
});

describe("normaliseSql: comments", () => {
  it("turns # comments into -- comments and leaves backticks and quotes in them alone", () => {
    expect(normaliseSql("SELECT 1 # it's `p.d.t`\nFROM x")).toBe("SELECT 1 -- it's `p.d.t`\nFROM x");
  });

  it("copies -- and /* */ comments untouched, including quotes and backticks", () => {
    const sql = "SELECT 1 -- don't `touch` \"this\"\n/* or 'this' `p.d.t` */ FROM `p.d.t`";
    expect(normaliseSql(sql)).toBe(
      'SELECT 1 -- don\'t `touch` "this"\n/* or \'this\' `p.d.t` */ FROM "d"."t"',
    );
  });

  it("handles a comment on the last line without a newline", () => {
    expect(normaliseSql("SELECT 1 # end")).toBe("SELECT 1 -- end");
  });
});

describe("normaliseSql: everything else", () => {
  it("leaves plain SQL byte for byte", () => {
    const sql = "SELECT a, COUNT(*) AS n FROM t WHERE x >= 3 AND y <> 'z' GROUP BY 1 QUALIFY n > 1";
    expect(normaliseSql(sql)).toBe(sql);
  });

  it("is idempotent on output that has no BigQuery-only syntax left", () => {
    const once = normaliseSql("SELECT \"a\" FROM `p.d.t` WHERE b = 'it\\'s'");
    expect(once).toBe("SELECT 'a' FROM \"d\".\"t\" WHERE b = 'it''s'");
  });
});
