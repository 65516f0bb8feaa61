/**
 * Lexical BigQuery -> DuckDB normaliser. Dataform always renders `ref()`/`self()` as one backticked
 * BigQuery path (`` `project.dataset.table` ``) and its generated assertion SQL uses BigQuery string
 * literals (`'it\'s'`, `"%@%"`), so every compiled statement is rewritten token by token before DuckDB
 * sees it. It is deliberately LEXICAL only (no parsing): it changes quoting, never meaning.
 *
 * - `` `p.d.t` `` -> `"d"."t"` (the project part dropped: DuckDB has schemas, not projects);
 *   `` `col` `` -> `"col"`.
 * - `'...'`, `"..."`, `'''...'''`, `"""..."""` with BigQuery escapes (`\'`, `\n`, `\\`, `\x41`, `\u00e9`)
 *   -> a DuckDB `'...'` literal (quotes doubled, escapes resolved);
 *   raw strings `r'...'` keep backslashes verbatim (regexes); bytes `b'...'` -> `'...'::BLOB`.
 * - `# comment` -> `-- comment`; `--` and `/* *\/` comments are copied untouched.
 * - Backticks and quotes inside strings and comments are left alone.
 *
 * Apply it ONCE to compiled SQL. Wrapper SQL the runner writes itself is already DuckDB (double-quoted
 * identifiers), and normalising it again would turn those identifiers into strings.
 */
export interface NormaliseOptions {
  /**
   * Project (database) names to strip from backtick paths. When omitted, the first part of any path
   * with three or more parts is taken as the project.
   */
  projects?: Iterable<string>;
}

export function normaliseSql(sql: string, options: NormaliseOptions = {}): string {
  const projects = options.projects ? new Set([...options.projects].map((p) => p.toLowerCase())) : undefined;
  const out: string[] = [];
  const n = sql.length;
  let i = 0;
  let plainStart = 0;
  const flushPlain = (end: number) => {
    if (end > plainStart) out.push(sql.slice(plainStart, end));
  };

  while (i < n) {
    const c = sql[i] as string;
    // Comments.
    if (c === "#" || (c === "-" && sql[i + 1] === "-")) {
      flushPlain(i);
      const nl = sql.indexOf("\n", i);
      const end = nl < 0 ? n : nl;
      out.push(c === "#" ? `--${sql.slice(i + 1, end)}` : sql.slice(i, end));
      i = plainStart = end;
      continue;
    }
    if (c === "/" && sql[i + 1] === "*") {
      flushPlain(i);
      const close = sql.indexOf("*/", i + 2);
      const end = close < 0 ? n : close + 2;
      out.push(sql.slice(i, end));
      i = plainStart = end;
      continue;
    }
    // Backtick identifiers / paths.
    if (c === "`") {
      flushPlain(i);
      const close = sql.indexOf("`", i + 1);
      if (close < 0) {
        out.push(sql.slice(i));
        i = plainStart = n;
        continue;
      }
      out.push(identifierPath(sql.slice(i + 1, close), projects));
      i = plainStart = close + 1;
      continue;
    }
    // String literals, with optional r/b prefixes (only when the prefix is not the tail of a word).
    if (c === "'" || c === '"' || /[rRbB]/.test(c)) {
      const literal = readStringLiteral(sql, i);
      if (literal) {
        flushPlain(i);
        out.push(literal.text);
        i = plainStart = literal.end;
        continue;
      }
    }
    // Skip the rest of a word, so a quote right after an identifier never takes a prefix from its tail.
    if (/[A-Za-z0-9_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(sql[j] as string)) j++;
      i = j;
      continue;
    }
    i++;
  }
  flushPlain(n);
  return out.join("");
}

/** `p.d.t` -> `"d"."t"`; each part double-quoted with `"` doubled. */
function identifierPath(body: string, projects: Set<string> | undefined): string {
  let parts = body.split(".");
  if (parts.length >= 3) {
    const first = (parts[0] ?? "").toLowerCase();
    if (projects === undefined || projects.has(first)) parts = parts.slice(1);
  }
  return parts.map((p) => `"${p.replace(/"/g, '""')}"`).join(".");
}

/** A DuckDB single-quoted literal. */
function duckString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Read a BigQuery string literal starting at `start` (at its prefix or opening quote). Returns the DuckDB
 * text and the index after it, or undefined when `start` does not begin a literal.
 */
function readStringLiteral(sql: string, start: number): { text: string; end: number } | undefined {
  const m = /^([rRbB]{0,2})('''|"""|'|")/.exec(sql.slice(start, start + 5));
  if (!m) return undefined;
  const prefix = (m[1] ?? "").toLowerCase();
  if (prefix.length === 2 && prefix[0] === prefix[1]) return undefined;
  const quote = m[2] as string;
  const raw = prefix.includes("r");
  const bytes = prefix.includes("b");
  let j = start + m[0].length;
  let body = "";
  const n = sql.length;
  while (j < n && !sql.startsWith(quote, j)) {
    const ch = sql[j] as string;
    if (ch === "\\" && j + 1 < n) {
      if (raw) {
        // In a raw string a backslash still keeps the next quote from closing the literal.
        body += sql.slice(j, j + 2);
        j += 2;
        continue;
      }
      const { value, length } = unescapeAt(sql, j);
      body += value;
      j += length;
      continue;
    }
    body += ch;
    j++;
  }
  const end = Math.min(n, j + quote.length);
  const text = duckString(body);
  return { text: bytes ? `${text}::BLOB` : text, end };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\u0007",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "?": "?",
  '"': '"',
  "'": "'",
  "`": "`",
};

/** Resolve one BigQuery escape sequence at `at` (which holds the backslash). */
function unescapeAt(sql: string, at: number): { value: string; length: number } {
  const next = sql[at + 1] as string;
  const simple = SIMPLE_ESCAPES[next];
  if (simple !== undefined) return { value: simple, length: 2 };
  const hex = (len: number, offset: number) => {
    const digits = sql.slice(at + offset, at + offset + len);
    return new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits) ? digits : undefined;
  };
  if (next === "x" || next === "X") {
    const d = hex(2, 2);
    if (d) return { value: String.fromCodePoint(Number.parseInt(d, 16)), length: 4 };
  }
  if (next === "u") {
    const d = hex(4, 2);
    if (d) return { value: String.fromCodePoint(Number.parseInt(d, 16)), length: 6 };
  }
  if (next === "U") {
    const d = hex(8, 2);
    if (d) return { value: String.fromCodePoint(Number.parseInt(d, 16)), length: 10 };
  }
  const octal = sql.slice(at + 1, at + 4);
  if (/^[0-7]{3}$/.test(octal)) return { value: String.fromCodePoint(Number.parseInt(octal, 8)), length: 4 };
  // Unknown escape (BigQuery would reject it): keep it verbatim rather than guess.
  return { value: `\\${next}`, length: 2 };
}
