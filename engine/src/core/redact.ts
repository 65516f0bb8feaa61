/**
 * Scrubbing of text that may end up in an error, a log line or a changelog row. The API key must never
 * leave the process, and lead PII (email addresses, names, company names) must never reach logs,
 * Slack or the warehouse's `message` column, so every message this client builds goes through
 * `safeMessage`, and errors of calls that carried lead data also through `scrubTerms` with that data.
 * A leaf of core/ (no imports): the Instantly client, the journal, the warehouse writers and the
 * notifiers all read it; each output's escaping is its sibling, core/escape.ts.
 */

/**
 * An email address as it appears in text: plain, with an apostrophe inside the local part
 * (`o'brien@doe.com`), URL-encoded (`john%40doe.com`, double-encoded `%2540`, `user%40b%C3%BCcher.de`),
 * JSON- or HTML-escaped (`john\u0040doe.com`, `user@b\u00fccher.de`, `john&#64;doe.com`) and
 * internationalised (`josé@doe.com`, `user@bücher.de`: letters of any script). Escapes inside the domain
 * count only for non-ASCII letters (`%C3`, `\u00fc`), so an encoded space or quote after the address is
 * not swallowed. The notify guard (notify/pii.ts) uses the same pattern, so one definition says what an
 * address looks like.
 */
// `\\u` + 4 hex digits above \u007f; in the local part `%` is an ordinary character already.
const U_ESCAPE = String.raw`\\u(?!00[0-7])[0-9A-Fa-f]{4}`;
const NON_ASCII_ESCAPE = String.raw`%[89A-Fa-f][0-9A-Fa-f]|${U_ESCAPE}`;
// \p{M}: accents written as combining marks (`e` + U+0301) belong to the letter before them.
const LOCAL_CLASS = String.raw`[\p{L}\p{M}\p{N}._%+-]`;
const LOCAL_CHAR = String.raw`${LOCAL_CLASS}|${U_ESCAPE}`;
const AT = String.raw`@|%40|%2540|\\u0040|&#0*64;|&#[xX]0*40;|&commat;`;
const LABEL = String.raw`(?:[\p{L}\p{M}\p{N}-]|${NON_ASCII_ESCAPE})+`;
const TLD = String.raw`(?:[\p{L}\p{M}]|${NON_ASCII_ESCAPE}){2,}`;
// A match starts only where a local part can start: not inside a run of its characters (also not
// right after "x'" nor at the `u` of an escape whose backslash could start it). Without this a long
// run with no address in it is rescanned from every position (quadratic: 100,000 letters took minutes).
const START = String.raw`(?<!${LOCAL_CLASS}'?)(?!(?<=\\)u(?!00[0-7])[0-9A-Fa-f]{4})`;
export const EMAIL_PATTERN = new RegExp(
  String.raw`${START}(?:${LOCAL_CHAR})+(?:'(?:${LOCAL_CHAR})+)*(?:${AT})${LABEL}(?:\.${LABEL})*\.${TLD}`,
  "gu",
);
const BEARER = /Bearer\s+[^\s"',;]+/gi;
/** Messages are stored in a changelog column and shown in summaries: keep them short. */
export const MAX_MESSAGE_LENGTH = 300;
export const NAME_REDACTED = "[name]";

const secrets = new Set<string>();

/**
 * Registers a secret (the API key) so every later `safeMessage` removes it, wherever it appears. Keys
 * shorter than 4 characters are not registered (they would redact ordinary words); such keys are not
 * real Instantly keys anyway.
 */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) secrets.add(secret);
}

/** Removes registered secrets, bearer tokens and email addresses, collapses whitespace and trims. */
export function safeMessage(text: unknown, max = MAX_MESSAGE_LENGTH): string {
  let s = typeof text === "string" ? text : text === undefined ? "" : stringify(text);
  for (const secret of secrets) s = s.split(secret).join("[redacted]");
  s = s.replace(BEARER, "Bearer [redacted]").replace(EMAIL_PATTERN, "[email]");
  s = s.replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Replaces every known term (a lead's first and last name, company name, custom variable values)
 * with `[name]`: an upstream error that echoes the request ("Lead José Álvarez at Bücher GmbH …")
 * cannot be recognised by shape, but the engine knows what it sent. Matching ignores case and
 * accents-as-written, needs whole words (so "Li" does not eat "limit"), and also catches the term
 * URL-encoded. Terms shorter than 2 characters are ignored (they would only mangle the message).
 */
export function scrubTerms(text: string, terms: Iterable<string>): string {
  const variants = new Set<string>();
  for (const raw of terms) {
    const term = raw.normalize("NFC").trim();
    if (term.length < 2) continue;
    variants.add(term);
    const encoded = encodeURIComponent(term);
    if (encoded !== term) variants.add(encoded);
    const plus = encoded.replace(/%20/g, "+");
    if (plus !== encoded) variants.add(plus);
  }
  if (variants.size === 0) return text;
  // Longest first, so "Bücher GmbH" goes before "Bücher".
  const alternatives = [...variants].sort((a, b) => b.length - a.length).map(escapeRegExp);
  // Whole words; a %XX escape before the term is a boundary too ("Ana%20Lima").
  const pattern = new RegExp(
    `(?<=^|[^\\p{L}\\p{N}]|%[0-9A-Fa-f]{2})(?:${alternatives.join("|")})(?![\\p{L}\\p{N}])`,
    "giu",
  );
  return text.normalize("NFC").replace(pattern, NAME_REDACTED);
}

/** The name-like values of lead rows (what `scrubTerms` must remove from an error about them). */
export function leadTerms(
  leads: ReadonlyArray<{
    first_name?: string | null | undefined;
    last_name?: string | null | undefined;
    company_name?: string | null | undefined;
    custom_variables?: Record<string, unknown> | null | undefined;
  }>,
): Set<string> {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === "string" && v.trim().length >= 2) out.add(v.trim());
  };
  for (const lead of leads) {
    add(lead.first_name);
    add(lead.last_name);
    add(lead.company_name);
    for (const value of Object.values(lead.custom_variables ?? {})) add(value);
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `error` with the known terms scrubbed from its message (the same object, so its class is kept). */
export function scrubErrorMessage(error: unknown, terms: Iterable<string>): unknown {
  if (error instanceof Error) error.message = scrubTerms(error.message, terms);
  return error;
}
