/**
 * Scrubbing of text that may end up in an error, a log line or a changelog row. The API key must never
 * leave the process, and lead PII (email addresses, names, company names) must never reach logs,
 * Slack or the warehouse's `message` column, so every message this client builds goes through
 * `safeMessage`, and errors of calls that carried lead data also through `scrubTerms` with that data.
 */

/**
 * An email address as it appears in text: plain, URL-encoded (`john%40doe.com`, also double-encoded
 * `%2540`) and internationalised (`josé@doe.com`, `user@bücher.de`: letters of any script). The notify
 * guard (notify/pii.ts) uses the same pattern, so one definition says what an address looks like.
 */
export const EMAIL_PATTERN =
  /[\p{L}\p{N}._%+-]+(?:@|%40|%2540)[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.[\p{L}]{2,}/gu;
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
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}])`, "giu");
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
