/**
 * Scrubbing of text that may end up in an error, a log line or a changelog row. The API key must never
 * leave the process, and lead PII (email addresses) must never reach logs, Slack or the warehouse's
 * `message` column, so every message this client builds goes through `safeMessage`.
 */

const EMAIL = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const BEARER = /Bearer\s+[^\s"',;]+/gi;
/** Messages are stored in a changelog column and shown in summaries: keep them short. */
export const MAX_MESSAGE_LENGTH = 300;

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
  s = s.replace(BEARER, "Bearer [redacted]").replace(EMAIL, "[email]");
  s = s.replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
