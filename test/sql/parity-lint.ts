import type { CompiledGraph, Target } from "../../engine/src/dataform/graph.ts";
import { normaliseSql } from "../../engine/src/dataform/normalise.ts";

/**
 * Parity lint: finds SQL whose result can differ between BigQuery (production) and DuckDB (local runs and
 * every scenario test). It reads the DuckDB-compiled graph, where includes/sql.js helpers have expanded
 * to their DuckDB forms; a helper that must itself call a listed function marks the call with
 * `/*parity:<helper>*\/` after the opening parenthesis (or after `/`), so only plain calls are reported.
 * The table of divergences and the helper for each is in definitions/README.md ("BigQuery / DuckDB
 * parity"); keep FUNCTION_RULES below and that table in step.
 *
 * Window rules:
 * - every ORDER BY term (windows, aggregates, queries) says `nulls first` or `nulls last`: ascending
 *   sorts put NULLs first on BigQuery and last on DuckDB;
 * - an order-sensitive window (row_number, ntile, lag, lead, first/last/nth_value, or any function with
 *   a ROWS/GROUPS frame) has an ORDER BY that is TOTAL: its last term is a plain column of a declared
 *   unique key, and the PARTITION BY and ORDER BY columns together hold every column of that key.
 *   Declared keys: the `uniqueKey` of the model or of any relation it reads (incremental `uniqueKey`,
 *   `assertions: {uniqueKey(s)}`), plus EXTRA_KEYS below. Columns are matched by name, not traced through
 *   joins: the lint proves that the ORDER BY names a key, the uniqueness assertions prove the key.
 *
 * Not checked: code only in a `sql.pick()` BigQuery branch (the golden review covers it), and
 * rank()/dense_rank()/percent_rank()/cume_dist() or aggregates over the default RANGE frame, which give
 * tied rows the same value on both engines.
 */

export interface Finding {
  /** The action (schema.name) or fixture the SQL belongs to. */
  where: string;
  /** Rule id, e.g. `trim`, `nulls`, `total`. */
  rule: string;
  /** What is wrong and which helper to use, with a snippet of the SQL. */
  message: string;
}

interface FunctionRule {
  rule: string;
  names: string[];
  /** Why the plain call differs, and what to use instead. */
  why: string;
  /** When only some call shapes diverge; default: every call without the parity marker. */
  diverges?: (args: Token[][]) => boolean;
}

/** The known-divergent functions (names as DuckDB sees them, lower case). */
export const FUNCTION_RULES: FunctionRule[] = [
  {
    rule: "trim",
    names: ["trim", "ltrim", "rtrim"],
    why: "one-argument TRIM strips all Unicode whitespace on BigQuery but only spaces on DuckDB: use sql.trimAll/ltrimAll/rtrimAll",
    // With an explicit character set both engines strip exactly that set.
    diverges: (args) => args.length === 1,
  },
  {
    rule: "case",
    names: ["lower", "upper"],
    why: "LOWER/UPPER map non-ASCII differently (BigQuery ICU full mapping, DuckDB per code point): use sql.lowerAscii/upperAscii",
  },
  {
    rule: "regex",
    names: ["regexp_extract", "regexp_replace", "regexp_extract_all", "regexp_substr", "regexp_instr"],
    why: "REGEXP_EXTRACT gives '' and the whole match on DuckDB (NULL and the group on BigQuery); REGEXP_REPLACE replaces only the first match on DuckDB: use sql.regexpExtract/regexpReplace",
  },
  {
    rule: "trunc",
    names: ["date_trunc", "timestamp_trunc", "datetime_trunc"],
    why: "the unit syntax, week start and result type differ: use sql.dateTrunc/timestampTrunc",
  },
  {
    rule: "extract",
    names: ["extract", "date_part", "datepart"],
    why: "DAYOFWEEK is 1-7 from Sunday on BigQuery, 0-6 on DuckDB; WEEK starts on Sunday on BigQuery, is ISO on DuckDB: add a helper to includes/sql.js",
    diverges: (args) => {
      const first = args[0]?.find((t) => t.kind !== "space" && t.kind !== "comment");
      return first !== undefined && /^'?(dayofweek|dow|week|weekday)'?$/i.test(first.text);
    },
  },
  {
    rule: "unicode",
    names: ["nfc_normalize", "normalize", "normalize_and_casefold", "strip_accents"],
    why: "Unicode normalisation differs (DuckDB has only NFC and strip_accents; BigQuery NORMALIZE has NFKC) and neither has punycode: use rules.canonicalEmail / canonicalDnc (includes/canonical.js, one JavaScript function run by both)",
  },
];

/** The JavaScript UDFs of includes/canonical.js and the operation that creates them on BigQuery. */
export const CANONICAL_UDFS = ["canonical_dnc", "canonical_email"];
export const CANONICAL_OPERATION = "canonical_functions";

/** Window functions whose value depends on the order of tied rows. */
const ORDER_SENSITIVE = new Set([
  "row_number",
  "ntile",
  "lag",
  "lead",
  "first_value",
  "last_value",
  "nth_value",
]);

/**
 * Unique keys the lint may use that no Dataform uniqueKey declares, by relation name, each with why it
 * holds: only the raw inputs (declarations cannot carry assertions) and reporting models. Every staging
 * and intermediate model declares its key in its own config (`uniqueKey` or `assertions: {uniqueKey}`),
 * which declaredKeys reads from the compiled graph.
 */
export const EXTRA_KEYS: Record<string, { keys: string[][]; why: string }> = {
  // Raw inputs without a key: the key is every contract column, so rows equal on all are interchangeable.
  leads: {
    keys: [
      [
        "email",
        "updated_at",
        "company_name",
        "first_name",
        "last_name",
        "platform_domain",
        "state",
        "country_code",
        "estimated_sales_yearly",
        "employee_count",
        "product_count",
        "avg_price",
        "klaviyo_installed_at",
        "source",
      ],
    ],
    why: "no key: the contract columns (engine/src/warehouse/tables.ts; extra loader columns are not compared)",
  },
  dnc_list: {
    keys: [["value", "kind", "reason", "source", "added_at"]],
    why: "no key: all five contract columns",
  },
  email_verifications: {
    keys: [["email", "verified_at", "result", "run_id", "credits_used"]],
    why: "no key: all five contract columns",
  },
  sync_runs: {
    keys: [["run_id", "started_at", "finished_at"]],
    why: "a run's row is written again only with a new finished_at; equal rows are the same write (at-least-once)",
  },
  // Reporting models are not staging or intermediate (test/structure.test.ts requires those to declare
  // their key in their config); this one has no assertion of its own.
  rpt_suppression_growth: {
    keys: [["reason", "day"]],
    why: "its daily CTE groups by reason and day",
  },
};

// ---------------------------------------------------------------- tokens

interface Token {
  kind: "word" | "ident" | "string" | "number" | "comment" | "space" | "punct";
  text: string;
}

/** Tokenise DuckDB-lexical SQL (run normaliseSql first on compiled BigQuery-lexical SQL). */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    const rest = sql.slice(i, i + 2);
    let j = i + 1;
    let kind: Token["kind"] = "punct";
    if (/\s/.test(c)) {
      while (j < n && /\s/.test(sql[j] as string)) j++;
      kind = "space";
    } else if (rest === "--") {
      j = sql.indexOf("\n", i);
      j = j < 0 ? n : j;
      kind = "comment";
    } else if (rest === "/*") {
      j = sql.indexOf("*/", i + 2);
      j = j < 0 ? n : j + 2;
      kind = "comment";
    } else if (c === "'" || c === '"') {
      while (j < n && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      j = Math.min(n, j + 1);
      kind = c === "'" ? "string" : "ident";
    } else if (/[A-Za-z_]/.test(c)) {
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j] as string)) j++;
      kind = "word";
    } else if (/[0-9]/.test(c)) {
      while (j < n && /[0-9.eE]/.test(sql[j] as string)) j++;
      kind = "number";
    } else if (rest === "//" || rest === "::" || rest === "<>" || rest === "<=" || rest === ">=") {
      j = i + 2;
    }
    out.push({ kind, text: sql.slice(i, j) });
    i = j;
  }
  return out;
}

const isCode = (t: Token | undefined) => t !== undefined && t.kind !== "space" && t.kind !== "comment";
const isWord = (t: Token | undefined, w: string) => t?.kind === "word" && t.text.toLowerCase() === w;
const isMarker = (t: Token | undefined) => t?.kind === "comment" && t.text.startsWith("/*parity:");

/** Index of the `)` matching the `(` at `open`. */
function closing(tokens: Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const text = tokens[k]?.text;
    if (text === "(") depth++;
    else if (text === ")" && --depth === 0) return k;
  }
  return tokens.length;
}

/** Split tokens[from, to) at commas outside parentheses. */
function splitTop(tokens: Token[], from: number, to: number): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (let k = from; k < to; k++) {
    const t = tokens[k] as Token;
    if (t.text === "(") depth++;
    if (t.text === ")") depth--;
    if (t.text === "," && depth === 0) parts.push([]);
    else parts[parts.length - 1]?.push(t);
  }
  return parts.filter((p) => p.some(isCode));
}

const snippet = (tokens: Token[]) =>
  tokens
    .map((t) => t.text)
    .join("")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 140);

/** Next code token index at or after k. */
function nextCode(tokens: Token[], k: number): number {
  while (k < tokens.length && !isCode(tokens[k])) k++;
  return k;
}

/** Previous code token index at or before k. */
function prevCode(tokens: Token[], k: number): number {
  while (k >= 0 && !isCode(tokens[k])) k--;
  return k;
}

// ---------------------------------------------------------------- rules

function functionFindings(tokens: Token[], where: string): Finding[] {
  const findings: Finding[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as Token;
    if (t.kind === "punct" && t.text === "/") {
      const after = tokens.slice(k + 1).find((x) => x.kind !== "space");
      if (!isMarker(after)) {
        findings.push({
          where,
          rule: "division",
          message: `plain "/": x / 0 fails on BigQuery and gives Infinity or NULL on DuckDB, and NUMERIC division rounds differently: use sql.safeDivide or sql.intDiv (${snippet(tokens.slice(Math.max(0, k - 6), k + 6))})`,
        });
      }
      continue;
    }
    if (t.kind !== "word") continue;
    const open = nextCode(tokens, k + 1);
    if (tokens[open]?.text !== "(") continue;
    // A qualified name (schema.fn or column.name) is not a built-in call.
    if (tokens[prevCode(tokens, k - 1)]?.text === ".") continue;
    const name = t.text.toLowerCase();
    const rule = FUNCTION_RULES.find((r) => r.names.includes(name));
    if (!rule) continue;
    const first = tokens.slice(open + 1).find((x) => x.kind !== "space");
    if (isMarker(first)) continue;
    const end = closing(tokens, open);
    const args = splitTop(tokens, open + 1, end);
    if (rule.diverges && !rule.diverges(args)) continue;
    findings.push({
      where,
      rule: rule.rule,
      message: `${name}(): ${rule.why} (${snippet(tokens.slice(k, end + 1))})`,
    });
  }
  return findings;
}

/** Words that end an ORDER BY clause at its own depth. */
const ORDER_END = new Set([
  "rows",
  "range",
  "groups",
  "limit",
  "offset",
  "qualify",
  "window",
  "union",
  "except",
  "intersect",
  "fetch",
]);

interface OrderTerm {
  tokens: Token[];
  /** Bare column name when the term is a plain (optionally qualified) column, else undefined. */
  column: string | undefined;
  hasNulls: boolean;
}

/** The ORDER BY clause starting at the `order` token `k`: its terms and the index after it. */
function readOrderBy(tokens: Token[], k: number): { terms: OrderTerm[]; end: number } {
  const by = nextCode(tokens, k + 1);
  let depth = 0;
  let end = by + 1;
  for (; end < tokens.length; end++) {
    const t = tokens[end] as Token;
    if (t.text === "(") depth++;
    else if (t.text === ")") {
      if (depth === 0) break;
      depth--;
    } else if (
      depth === 0 &&
      (t.text === ";" || (t.kind === "word" && ORDER_END.has(t.text.toLowerCase())))
    ) {
      break;
    }
  }
  const terms = splitTop(tokens, by + 1, end).map((part) => {
    const code = part.filter(isCode);
    const words = code.map((t) => t.text.toLowerCase());
    const hasNulls = words.length >= 2 && words[words.length - 2] === "nulls";
    let expr = code;
    if (hasNulls) expr = expr.slice(0, -2);
    const dir = expr[expr.length - 1]?.text.toLowerCase();
    if (dir === "asc" || dir === "desc") expr = expr.slice(0, -1);
    return { tokens: part, column: bareColumn(expr), hasNulls };
  });
  return { terms, end };
}

/** `a`, `t.a`, `"t"."a"` -> `a`; anything else (an expression) -> undefined. */
function bareColumn(expr: Token[]): string | undefined {
  if (expr.length === 0 || expr.length % 2 === 0) return undefined;
  for (let k = 0; k < expr.length; k++) {
    const t = expr[k] as Token;
    if (k % 2 === 1 ? t.text !== "." : t.kind !== "word" && t.kind !== "ident") return undefined;
  }
  const last = (expr[expr.length - 1] as Token).text;
  return (last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last).toLowerCase();
}

function windowFindings(tokens: Token[], where: string, keys: string[][]): Finding[] {
  const findings: Finding[] = [];
  // NULL placement: every ORDER BY anywhere.
  for (let k = 0; k < tokens.length; k++) {
    if (!isWord(tokens[k], "order") || !isWord(tokens[nextCode(tokens, k + 1)], "by")) continue;
    const { terms } = readOrderBy(tokens, k);
    for (const term of terms.filter((t) => !t.hasNulls)) {
      findings.push({
        where,
        rule: "nulls",
        message: `ORDER BY term without nulls first/last (ascending NULLs sort first on BigQuery, last on DuckDB): ${snippet(term.tokens)}`,
      });
    }
  }
  // Totality: order-sensitive windows.
  for (let k = 0; k < tokens.length; k++) {
    if (!isWord(tokens[k], "over")) continue;
    const open = nextCode(tokens, k + 1);
    if (tokens[open]?.text !== "(") continue;
    const end = closing(tokens, open);
    const callClose = prevCode(tokens, k - 1);
    let fn = "";
    if (tokens[callClose]?.text === ")") {
      let depth = 0;
      for (let m = callClose; m >= 0; m--) {
        const text = tokens[m]?.text;
        if (text === ")") depth++;
        else if (text === "(" && --depth === 0) {
          fn = (tokens[prevCode(tokens, m - 1)]?.text ?? "").toLowerCase();
          break;
        }
      }
    }
    const spec = tokens.slice(open + 1, end);
    const specWords = spec.filter((t) => t.kind === "word").map((t) => t.text.toLowerCase());
    const framed = specWords.includes("rows") || specWords.includes("groups");
    if (!ORDER_SENSITIVE.has(fn) && !framed) continue;
    const orderAt = spec.findIndex((t, i) => isWord(t, "order") && isWord(spec[nextCode(spec, i + 1)], "by"));
    const text = snippet(tokens.slice(prevCode(tokens, k - 1) - 2, end + 1));
    if (orderAt < 0) {
      findings.push({ where, rule: "total", message: `${fn}() window without ORDER BY: ${text}` });
      continue;
    }
    const partAt = spec.findIndex(
      (t, i) => isWord(t, "partition") && isWord(spec[nextCode(spec, i + 1)], "by"),
    );
    const partition =
      partAt >= 0 && partAt < orderAt
        ? splitTop(spec, nextCode(spec, partAt + 1) + 1, orderAt).map((p) => bareColumn(p.filter(isCode)))
        : [];
    const { terms } = readOrderBy(spec, orderAt);
    const last = terms[terms.length - 1]?.column;
    const named = new Set([...partition, ...terms.map((t) => t.column)].filter((c): c is string => !!c));
    const key =
      last === undefined ? undefined : keys.find((kc) => kc.includes(last) && kc.every((c) => named.has(c)));
    if (!key) {
      const known = keys.map((kc) => `(${kc.join(", ")})`).join(", ") || "none";
      findings.push({
        where,
        rule: "total",
        message: `${fn}() window ORDER BY is not total: it must end in a column of a declared unique key, with the whole key in PARTITION BY + ORDER BY (keys in scope: ${known}): ${text}`,
      });
    }
  }
  return findings;
}

/** Lint one statement in BigQuery lexical form (as compiled). `keys`: unique keys in scope. */
export function lintSql(sql: string, where: string, keys: string[][] = []): Finding[] {
  const tokens = tokenize(normaliseSql(sql));
  return [...functionFindings(tokens, where), ...windowFindings(tokens, where, keys)];
}

// ---------------------------------------------------------------- graph

const targetKey = (t: Pick<Target, "schema" | "name">) => `${t.schema}.${t.name}`;

/** Unique keys a model declares in its own config: incremental `uniqueKey`, built-in uniqueKey assertions. */
export function configKeys(graph: CompiledGraph): Map<string, string[][]> {
  const keys = new Map<string, string[][]>();
  const add = (t: Pick<Target, "schema" | "name">, key: string[]) => {
    const k = targetKey(t);
    keys.set(k, [...(keys.get(k) ?? []), key.map((c) => c.toLowerCase())]);
  };
  for (const t of graph.tables) if (t.uniqueKey.length > 0) add(t.target, t.uniqueKey);
  for (const a of graph.assertions) {
    if (!a.parentAction || !/_assertions_uniqueKey_\d+$/.test(a.target.name)) continue;
    const group = /GROUP BY\s+([\s\S]*?)\)\s*AS data/i.exec(a.query)?.[1];
    if (group)
      add(
        a.parentAction,
        group.split(",").map((c) => c.trim().replace(/`/g, "")),
      );
  }
  return keys;
}

/** Unique keys declared per relation: the models' own (configKeys), plus EXTRA_KEYS. */
export function declaredKeys(graph: CompiledGraph): Map<string, string[][]> {
  const keys = configKeys(graph);
  for (const t of [...graph.tables, ...graph.declarations]) {
    const extra = EXTRA_KEYS[t.target.name]?.keys ?? [];
    if (extra.length === 0) continue;
    const k = targetKey(t.target);
    keys.set(k, [...(keys.get(k) ?? []), ...extra.map((key) => key.map((c) => c.toLowerCase()))]);
  }
  return keys;
}

/** Every finding in a DuckDB-compiled graph: tables, views, incrementals, operations, hand-written assertions. */
export function lintGraph(graph: CompiledGraph): Finding[] {
  const keys = declaredKeys(graph);
  const inScope = (self: Target, deps: Target[]) =>
    [self, ...deps].flatMap((t) => keys.get(targetKey(t)) ?? []);
  const findings: Finding[] = [];
  for (const t of graph.tables.filter((x) => !x.disabled)) {
    const scope = inScope(t.target, t.dependencyTargets);
    const statements = [t.query, t.incrementalQuery ?? "", ...t.preOps, ...t.postOps];
    for (const s of statements) findings.push(...lintSql(s, targetKey(t.target), scope));
  }
  for (const o of graph.operations.filter((x) => !x.disabled)) {
    const scope = inScope(o.target, o.dependencyTargets);
    for (const q of o.queries) findings.push(...lintSql(q, targetKey(o.target), scope));
  }
  // Built-in assertions are Dataform's own SQL; hand-written ones are models like any other.
  for (const a of graph.assertions.filter((x) => !x.disabled && !x.parentAction)) {
    findings.push(...lintSql(a.query, targetKey(a.target), inScope(a.target, a.dependencyTargets)));
  }
  findings.push(...lintUdfDependencies(graph));
  // Identical findings from query and incrementalQuery are reported once.
  const seen = new Set<string>();
  return findings.filter((f) => {
    const id = `${f.where}|${f.rule}|${f.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Rule `udf`: an action that calls a canonical UDF (includes/canonical.js) lists the operation that
 * creates it on BigQuery among its dependencies; without it, BigQuery may build the action before the
 * function exists (DuckDB would not notice: the engine registers the functions on every connection).
 */
export function lintUdfDependencies(graph: CompiledGraph): Finding[] {
  const findings: Finding[] = [];
  const calls = new RegExp(`\\b(${CANONICAL_UDFS.join("|")})\\s*\\(`, "i");
  const actions = [
    ...graph.tables.map((t) => ({
      target: t.target,
      deps: t.dependencyTargets,
      sql: [t.query, t.incrementalQuery ?? "", ...t.preOps, ...t.postOps],
    })),
    ...graph.operations.map((o) => ({ target: o.target, deps: o.dependencyTargets, sql: o.queries })),
    ...graph.assertions.map((a) => ({ target: a.target, deps: a.dependencyTargets, sql: [a.query] })),
  ];
  for (const a of actions) {
    if (a.target.name === CANONICAL_OPERATION) continue;
    const called = a.sql.map((q) => calls.exec(q)?.[1]).find(Boolean);
    if (called && !a.deps.some((d) => d.name === CANONICAL_OPERATION)) {
      findings.push({
        where: targetKey(a.target),
        rule: "udf",
        message: `calls ${called.toLowerCase()}() but does not depend on ${CANONICAL_OPERATION}: add dependencies: ["${CANONICAL_OPERATION}"] to its config`,
      });
    }
  }
  return findings;
}
