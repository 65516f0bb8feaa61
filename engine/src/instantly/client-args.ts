/** Argument checks and small helpers of the Instantly client: a bad value is named with what was given. */

/** Collects an async iterator of pages into one array (for small results). */
export async function collectPages<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

export function validateBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(
      `Expected Instantly base URL (INSTANTLY_BASE_URL) to be an http(s) URL, got \`${value}\``,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Expected Instantly base URL to use http or https, got \`${value}\``);
  }
  return value.replace(/\/+$/, "");
}

export function requireId(what: string, id: string): string {
  if (typeof id !== "string" || id.trim() === "")
    throw new TypeError(`Expected a non-empty ${what}, got \`${id}\``);
  return id;
}

export function positive(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(`Expected \`${name}\` to be an integer from 1 to ${max}, got \`${value}\``);
  }
  return value;
}
