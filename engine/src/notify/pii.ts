/**
 * The last line of defence before anything leaves the machine: every outgoing payload is scanned for
 * email addresses and for the values of secret environment variables, and those are replaced.
 * Run reports are PII-free by contract, but an error message from an API can quote an email, and a
 * misconfigured channel name can hold a token; this guard makes either harmless.
 */

import { EMAIL_PATTERN } from "../core/redact.ts";

/**
 * An email address as it appears in text (also inside URLs and JSON strings, URL-encoded or with
 * non-ASCII letters): the one pattern the Instantly client's redactor uses too.
 */
export { EMAIL_PATTERN };

export const EMAIL_REDACTED = "[redacted email]";
export const SECRET_REDACTED = "[redacted secret]";

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|_KEY$|^KEY$|WEBHOOK|CREDENTIAL|PRIVATE)/i;

/**
 * Values of environment variables whose names say they are secret (…_TOKEN, …_API_KEY,
 * SLACK_WEBHOOK_URL, …). Short values (< 8 chars) are skipped: redacting "true" or "1" everywhere
 * would mangle messages and protect nothing.
 */
export function secretValuesFromEnv(env: Record<string, string | undefined>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 8 || !SECRET_NAME.test(name)) continue;
    values.add(value);
    // A webhook URL's secret is its path; catch the path quoted on its own too.
    if (/^https?:\/\//.test(value)) {
      try {
        const { pathname } = new URL(value);
        if (pathname.length >= 12) values.add(pathname);
      } catch {
        // not a URL after all: the whole value is already listed
      }
    }
  }
  // Longest first, so a URL is replaced before its own path.
  return [...values].sort((a, b) => b.length - a.length);
}

export interface Redaction<T> {
  value: T;
  /** How many emails and secrets were replaced. */
  redactions: number;
}

/** Replace emails and the given secret values in one string. */
export function redactText(text: string, secrets: readonly string[] = []): Redaction<string> {
  let count = 0;
  let out = text;
  for (const secret of secrets) {
    if (!secret || !out.includes(secret)) continue;
    const parts = out.split(secret);
    count += parts.length - 1;
    out = parts.join(SECRET_REDACTED);
  }
  out = out.replace(EMAIL_PATTERN, () => {
    count++;
    return EMAIL_REDACTED;
  });
  return { value: out, redactions: count };
}

/** `redactText` over every string (keys and values) of a JSON-like value; returns a copy. */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): Redaction<T> {
  let count = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      const r = redactText(v, secrets);
      count += r.redactions;
      return r.value;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object" && !(v instanceof Date)) {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[walk(k) as string] = walk(inner);
      return out;
    }
    return v;
  };
  const result = walk(value) as T;
  return { value: result, redactions: count };
}

/** Every email address found anywhere in a JSON-like value or string (for tests and audits). */
export function findEmails(value: unknown): string[] {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  return text.match(EMAIL_PATTERN) ?? [];
}
