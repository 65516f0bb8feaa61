/**
 * Dialect helpers for SQLX, selected by the `dialect` var (`bigquery` in production, `duckdb` for the
 * local warehouse and tests: `--vars=dialect=duckdb`). Use them only for constructs that differ between
 * the two engines in SYNTAX (unit keywords, SAFE_CAST, STRUCT, EXCEPT); function-shaped BigQuery calls
 * (CURRENT_TIMESTAMP(), TIMESTAMP_SUB, GENERATE_UUID, REGEXP_CONTAINS, JSON_VALUE, SAFE_DIVIDE ...) also
 * run on DuckDB through the runner's shim macros (engine/src/dataform/shims.ts).
 *
 * LEXICAL RULE: every helper emits BigQuery lexical syntax in BOTH dialects: identifiers in backticks
 * (never "double quotes", which BigQuery reads as a string), string literals as '...' with backslash
 * escapes (use `str()`). The DuckDB runner passes all compiled SQL through a lexical normaliser that
 * turns backticks into "identifiers" and BigQuery literals into DuckDB '...' literals, so DuckDB-only
 * function names are fine but DuckDB-only quoting is not.
 *
 * PARITY: some functions exist in both engines with DIFFERENT meanings (TRIM's whitespace set, LOWER on
 * non-ASCII, `/` by zero, REGEXP_EXTRACT/REGEXP_REPLACE, DATE_TRUNC). Models call the helpers in the
 * "parity helpers" section below instead; test/sql/parity-lint.ts fails on a plain call, and
 * definitions/README.md ("BigQuery / DuckDB parity") has the table. Where a DuckDB form must use a
 * listed function itself, the helper puts the marker comment `parity:<helper>` (a block comment, see
 * mark()) right after the
 * opening parenthesis (or after `/`), which is how the lint tells helper output from a plain call.
 *
 * BigQuery scripting (`DECLARE`, `SET`, `EXECUTE IMMEDIATE`) has no DuckDB form: gate it on the dialect,
 * e.g. `pre_operations { ${when(!sql.isDuck(), "DECLARE run_ts TIMESTAMP DEFAULT CURRENT_TIMESTAMP()")} }`.
 * The runner refuses an ungated DECLARE with a message saying exactly this.
 *
 * CommonJS on purpose: Dataform evaluates includes in its own sandbox with `require`/`module.exports`.
 */

/**
 * True when compiling for the local DuckDB warehouse. The `dialect` var is parsed by includes/config.js,
 * which is required here on first use, not at load: config.js itself builds on these helpers.
 */
function isDuck() {
  return require("./config").dialect === "duckdb";
}

/** Pick the BigQuery or the DuckDB text: `sql.pick("COUNTIF(x)", "count_if(x)")`. */
function pick(bigquery, duckdb) {
  return isDuck() ? duckdb : bigquery;
}

/** A string literal in BigQuery lexical form ('...' with backslash escapes); safe in both dialects. */
function str(value) {
  return `'${String(value).replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

/**
 * The marker comment a parity helper puts after the opening parenthesis of a listed function (or after
 * `/`) in its DuckDB form, so test/sql/parity-lint.ts accepts it. Empty on BigQuery: its SQL is the
 * reviewed golden, and the lint reads the DuckDB graph.
 */
function mark(helper) {
  return isDuck() ? `/*parity:${helper}*/ ` : "";
}

/** A list of string literals for IN (...): `x IN (${sql.strList(["a","b"])})`. */
function strList(values) {
  return values.map(str).join(", ");
}

const DUCK_TYPES = {
  INT64: "BIGINT",
  INTEGER: "BIGINT",
  FLOAT64: "DOUBLE",
  NUMERIC: "DECIMAL(38, 9)",
  BIGNUMERIC: "DECIMAL(38, 18)",
  STRING: "VARCHAR",
  BOOL: "BOOLEAN",
  BOOLEAN: "BOOLEAN",
  TIMESTAMP: "TIMESTAMPTZ",
  DATETIME: "TIMESTAMP",
  DATE: "DATE",
  JSON: "JSON",
  BYTES: "BLOB",
};

/** A BigQuery type name in the active dialect (BigQuery TIMESTAMP is an instant: DuckDB TIMESTAMPTZ). */
function type(bigqueryType) {
  const key = String(bigqueryType).toUpperCase();
  if (!isDuck()) return key;
  const mapped = DUCK_TYPES[key];
  if (!mapped) throw new Error(`includes/sql.js: no DuckDB mapping for type ${JSON.stringify(bigqueryType)}`);
  return mapped;
}

/** CAST that yields NULL instead of failing (BigQuery SAFE_CAST, DuckDB TRY_CAST); `type` is a BigQuery type. */
function safeCast(expr, bigqueryType) {
  return pick(`SAFE_CAST(${expr} AS ${type(bigqueryType)})`, `TRY_CAST(${expr} AS ${type(bigqueryType)})`);
}

/** Plain CAST with a BigQuery type name mapped for the dialect. */
function cast(expr, bigqueryType) {
  return `CAST(${expr} AS ${type(bigqueryType)})`;
}

/** Whole days between two DATEs, `later - earlier` (calendar days, like BigQuery DATE_DIFF(..., DAY)). */
function dateDiffDays(later, earlier) {
  return pick(`DATE_DIFF(${later}, ${earlier}, DAY)`, `date_diff('day', ${earlier}, ${later})`);
}

/** Whole 24-hour periods between two TIMESTAMPs, truncated (BigQuery TIMESTAMP_DIFF(..., DAY)). */
function timestampDiffDays(later, earlier) {
  return pick(`TIMESTAMP_DIFF(${later}, ${earlier}, DAY)`, `date_sub('day', ${earlier}, ${later})`);
}

/** A TIMESTAMP `n` days (an integer expression or number) before `ts`. */
function timestampSubDays(ts, n) {
  return pick(`TIMESTAMP_SUB(${ts}, INTERVAL ${n} DAY)`, `(${ts} - to_days(CAST(${n} AS INTEGER)))`);
}

/** A TIMESTAMP `n` days (an integer expression or number) after `ts`. */
function timestampAddDays(ts, n) {
  return pick(`TIMESTAMP_ADD(${ts}, INTERVAL ${n} DAY)`, `(${ts} + to_days(CAST(${n} AS INTEGER)))`);
}

const TRUNC_UNITS = ["day", "week", "month", "quarter", "year"];

/**
 * A DATE truncated to `unit` (day|week|month|quarter|year), as a DATE in both dialects. Weeks start on
 * Monday (BigQuery ISOWEEK = DuckDB's week) so both engines agree.
 */
function dateTrunc(expr, unit) {
  const u = String(unit).toLowerCase();
  if (!TRUNC_UNITS.includes(u)) {
    throw new Error(
      `includes/sql.js dateTrunc: unit must be one of ${TRUNC_UNITS.join("|")}, got ${JSON.stringify(unit)}`,
    );
  }
  return pick(
    `DATE_TRUNC(${expr}, ${u === "week" ? "ISOWEEK" : u.toUpperCase()})`,
    `CAST(date_trunc(${mark("dateTrunc")}'${u}', ${expr}) AS DATE)`,
  );
}

/** A TIMESTAMP truncated to `unit` (day|week|month|quarter|year) in UTC; weeks start on Monday. */
function timestampTrunc(expr, unit) {
  const u = String(unit).toLowerCase();
  if (!TRUNC_UNITS.includes(u)) {
    throw new Error(
      `includes/sql.js timestampTrunc: unit must be one of ${TRUNC_UNITS.join("|")}, got ${JSON.stringify(unit)}`,
    );
  }
  return pick(
    `TIMESTAMP_TRUNC(${expr}, ${u === "week" ? "ISOWEEK" : u.toUpperCase()})`,
    `date_trunc(${mark("timestampTrunc")}'${u}', ${expr})`,
  );
}

/** TRUE when `col` contains a match of the regular expression `re` anywhere (partial match, RE2 in both). */
function regexpContains(col, re) {
  return pick(`REGEXP_CONTAINS(${col}, ${str(re)})`, `regexp_matches(${col}, ${str(re)})`);
}

/** Lower-case hex MD5 of a STRING (BigQuery TO_HEX(MD5(x)), DuckDB md5(x)). */
function md5Hex(expr) {
  return pick(`TO_HEX(MD5(${expr}))`, `md5(${expr})`);
}

/** The scalar at JSONPath `path` (e.g. '$.a.b') of a JSON/STRING value, as a STRING. */
function jsonValue(json, path) {
  return pick(`JSON_VALUE(${json}, ${str(path)})`, `json_extract_string(${json}, ${str(path)})`);
}

/** Alias of jsonValue, named after DuckDB's function. */
function jsonExtractString(json, path) {
  return jsonValue(json, path);
}

/**
 * A 64-bit fingerprint of a whole row alias, every column included (extra loader columns too): BigQuery
 * FARM_FINGERPRINT(TO_JSON_STRING(row)), DuckDB hash(row). Equal rows give equal values within one
 * engine; the values differ between engines, so compare them only within one warehouse.
 */
/**
 * A short fingerprint of a text, computed when the project compiles (FNV-1a, 32 bits, hex): stamped
 * on rows an incremental model derives from rule SQL, so a change of the rules recomputes them.
 */
function textFingerprint(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function rowHash(alias) {
  return pick(`FARM_FINGERPRINT(TO_JSON_STRING(${alias}))`, `hash(${alias})`);
}

/** A JSON string of a row alias or a STRUCT value (BigQuery TO_JSON_STRING, DuckDB to_json()::VARCHAR). */
function toJsonString(expr) {
  return pick(`TO_JSON_STRING(${expr})`, `CAST(to_json(${expr}) AS VARCHAR)`);
}

/** A STRUCT from `{name: expr}` (BigQuery STRUCT(expr AS name), DuckDB struct_pack(name := expr)). */
function struct(fields) {
  const entries = Object.entries(fields);
  return pick(
    `STRUCT(${entries.map(([k, v]) => `${v} AS ${k}`).join(", ")})`,
    `struct_pack(${entries.map(([k, v]) => `${k} := ${v}`).join(", ")})`,
  );
}

/** The current instant as a TIMESTAMP (TIMESTAMPTZ on DuckDB). */
function currentTs() {
  return pick("CURRENT_TIMESTAMP()", "get_current_timestamp()");
}

/** `a / b`, NULL when b is 0 (BigQuery SAFE_DIVIDE). */
function safeDivide(a, b) {
  return pick(
    `SAFE_DIVIDE(${a}, ${b})`,
    `(CASE WHEN (${b}) = 0 THEN NULL ELSE (${a}) / ${mark("safeDivide")}(${b}) END)`,
  );
}

/** A random UUID string per row. */
function uuid() {
  return pick("GENERATE_UUID()", "CAST(uuid() AS VARCHAR)");
}

/** `SELECT * EXCEPT (a, b)` in BigQuery, `* EXCLUDE (a, b)` in DuckDB: `SELECT ${sql.starExcept(["a"])}`. */
function starExcept(columns, alias) {
  const star = alias ? `${alias}.*` : "*";
  return `${star} ${pick("EXCEPT", "EXCLUDE")} (${columns.join(", ")})`;
}

/**
 * A row alias as a JSON object without the listed columns (BigQuery JSON_REMOVE(TO_JSON(row), '$.c'),
 * DuckDB json_merge_patch with nulls, which removes keys). Used to carry unknown extra columns along.
 */
function rowJsonExcept(alias, columns) {
  return pick(
    `JSON_REMOVE(TO_JSON(${alias}), ${columns.map((c) => str(`$.${c}`)).join(", ")})`,
    `json_merge_patch(to_json(${alias}), ${str(JSON.stringify(Object.fromEntries(columns.map((c) => [c, null]))))})`,
  );
}

/**
 * The deterministic action id both engines and the TypeScript engine compute identically: lower-case
 * hex MD5 of `op|email|campaign_id|pull_run_id` (NULL parts as empty strings). In TypeScript:
 * `createHash("md5").update([op, email, campaignId ?? "", runId ?? ""].join("|")).digest("hex")`.
 */
function actionId(opExpr, emailExpr, campaignExpr, runIdExpr) {
  const part = (e) => `coalesce(${e}, '')`;
  return md5Hex(`concat(${[opExpr, emailExpr, campaignExpr, runIdExpr].map(part).join(", '|', ")})`);
}

/** Whole seconds between two TIMESTAMPs, `later - earlier` (BigQuery TIMESTAMP_DIFF(..., SECOND)). */
function timestampDiffSeconds(later, earlier) {
  return pick(`TIMESTAMP_DIFF(${later}, ${earlier}, SECOND)`, `date_diff('second', ${earlier}, ${later})`);
}

/** A JSON object from alternating key/value expressions (BigQuery JSON_OBJECT, DuckDB json_object). */
function jsonObject(pairs) {
  return `${pick("JSON_OBJECT", "json_object")}(${pairs.map(([k, v]) => `${k}, ${v}`).join(", ")})`;
}

// ---------------------------------------------------------------- parity helpers
// Same result on BigQuery and DuckDB. Why each exists: definitions/README.md "BigQuery / DuckDB parity".

/**
 * What BigQuery's one-argument TRIM/LTRIM/RTRIM strip: the Unicode White_Space property (ZetaSQL's
 * TrimSpacesUtf8 uses ICU UCHAR_WHITE_SPACE). DuckDB's one-argument trim strips only ' '.
 */
const WHITESPACE_CODE_POINTS = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
  0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

/** The whitespace set as a BigQuery literal of \uXXXX escapes (no raw control characters in the SQL). */
function whitespaceLiteral() {
  return `'${WHITESPACE_CODE_POINTS.map((c) => `\\u${c.toString(16).padStart(4, "0")}`).join("")}'`;
}

function trimWith(fn, expr) {
  return pick(`${fn}(${expr})`, `${fn}(${expr}, ${whitespaceLiteral()})`);
}

/** `expr` without leading and trailing whitespace (tab, newline, CR, NBSP ...), like BigQuery's TRIM. */
function trimAll(expr) {
  return trimWith("trim", expr);
}

/** `expr` without leading whitespace, like BigQuery's LTRIM. */
function ltrimAll(expr) {
  return trimWith("ltrim", expr);
}

/** `expr` without trailing whitespace, like BigQuery's RTRIM. */
function rtrimAll(expr) {
  return trimWith("rtrim", expr);
}

const ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ASCII_LOWER = "abcdefghijklmnopqrstuvwxyz";

/**
 * `expr` with A-Z lower-cased and every other character unchanged (TRANSLATE, identical in both).
 * LOWER/UPPER differ on non-ASCII (BigQuery: ICU full case mapping, 'ß' -> 'SS'; DuckDB: per code
 * point, 'ß' -> 'ẞ'). The values folded here (emails, domains, ids, enums) are ASCII when valid.
 */
function lowerAscii(expr) {
  return `translate(${expr}, '${ASCII_UPPER}', '${ASCII_LOWER}')`;
}

/** `expr` with a-z upper-cased and every other character unchanged (see lowerAscii). */
function upperAscii(expr) {
  return `translate(${expr}, '${ASCII_LOWER}', '${ASCII_UPPER}')`;
}

/**
 * Integer quotient of `a` by `b` truncated towards zero (BigQuery DIV, DuckDB //), NULL when `b` is 0
 * (BigQuery's DIV would fail the query; DuckDB's // gives NULL). Both arguments must be integers.
 */
function intDiv(a, b) {
  return pick(`(CASE WHEN (${b}) = 0 THEN NULL ELSE DIV(${a}, ${b}) END)`, `((${a}) // (${b}))`);
}

/** The number of capturing groups in a regular expression (non-capturing `(?...)` groups excluded). */
function captureGroups(re) {
  let n = 0;
  for (let i = 0; i < re.length; i++) {
    if (re[i] === "\\") i++;
    else if (re[i] === "(" && re[i + 1] !== "?") n++;
  }
  return n;
}

/**
 * The first match of `re` in `expr`, or its capture group when `re` has exactly one; NULL when nothing
 * matches (BigQuery REGEXP_EXTRACT). DuckDB's regexp_extract returns '' on no match and the WHOLE match
 * unless told the group, so its form guards with regexp_matches and names the group.
 */
function regexpExtract(expr, re) {
  const groups = captureGroups(re);
  if (groups > 1) {
    throw new Error(`includes/sql.js regexpExtract: at most one capturing group, got ${groups} in ${re}`);
  }
  return pick(
    `regexp_extract(${expr}, ${str(re)})`,
    `(CASE WHEN regexp_matches(${expr}, ${str(re)}) THEN regexp_extract(${mark("regexpExtract")}${expr}, ${str(re)}, ${groups}) END)`,
  );
}

/**
 * `expr` with EVERY match of `re` replaced by `replacement` (`\\1` refers to a group in both), like
 * BigQuery's REGEXP_REPLACE. DuckDB's regexp_replace replaces only the first match without 'g'.
 */
function regexpReplace(expr, re, replacement) {
  return pick(
    `regexp_replace(${expr}, ${str(re)}, ${str(replacement)})`,
    `regexp_replace(${mark("regexpReplace")}${expr}, ${str(re)}, ${str(replacement)}, 'g')`,
  );
}

module.exports = {
  trimAll,
  ltrimAll,
  rtrimAll,
  lowerAscii,
  upperAscii,
  intDiv,
  regexpExtract,
  regexpReplace,
  WHITESPACE_CODE_POINTS,
  timestampDiffSeconds,
  jsonObject,
  rowJsonExcept,
  actionId,
  isDuck,
  pick,
  str,
  strList,
  type,
  safeCast,
  cast,
  dateDiffDays,
  timestampDiffDays,
  timestampSubDays,
  timestampAddDays,
  dateTrunc,
  timestampTrunc,
  regexpContains,
  md5Hex,
  rowHash,
  textFingerprint,
  jsonValue,
  jsonExtractString,
  toJsonString,
  struct,
  currentTs,
  safeDivide,
  uuid,
  starExcept,
};
