import type { VarSpec } from "./vars.ts";

/**
 * Parse one var's string value by its spec (vars.ts). Returns the typed value or an error phrase that
 * settings.ts prefixes with the var's name, e.g. `must be a whole number >= 0, got "lots"`.
 */
export function parseVarValue(spec: VarSpec, raw: string): { value: unknown } | { error: string } {
  const text = raw.trim();
  const got = `got ${JSON.stringify(raw)}`;
  switch (spec.kind) {
    case "text":
      return { value: text };
    case "identifier":
      return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text)
        ? { value: text }
        : { error: `must be a plain identifier (letters, digits, underscore), ${got}` };
    case "enum":
      return spec.values.includes(text)
        ? { value: text }
        : { error: `must be one of ${spec.values.join(", ")}, ${got}` };
    case "flag": {
      const lower = text.toLowerCase();
      return lower === "true" || lower === "false"
        ? { value: lower === "true" }
        : { error: `must be "true" or "false", ${got}` };
    }
    case "list": {
      const items = splitList(text);
      if (!items.every((i) => /^[a-z_][a-z0-9_]*$/.test(i))) {
        return {
          error: `must be a list of lower-case names separated by , (or | on the command line), ${got}`,
        };
      }
      // A repeated item would count twice (a segment's inventory, its slots).
      const repeated = items.find((item, i) => items.indexOf(item) !== i);
      return repeated === undefined
        ? { value: items }
        : { error: `lists ${JSON.stringify(repeated)} twice, ${got}` };
    }
    case "timestamp":
      return text === "" || isFullTimestamp(text)
        ? { value: text }
        : {
            error: `must be a full ISO timestamp with its zone (2026-06-01T00:00:00Z) or a date (2026-06-01), years 1970 to 9999, or empty, ${got}`,
          };
    case "campaign_id":
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)
        ? { value: text.toLowerCase() }
        : { error: `must be an Instantly campaign id (a UUID), ${got}` };
    case "int":
    case "number": {
      const value = Number(text);
      const bad =
        text === "" ||
        !Number.isFinite(value) ||
        (spec.kind === "int" && !Number.isInteger(value)) ||
        (spec.min !== undefined && value < spec.min) ||
        (spec.max !== undefined && value > spec.max);
      if (!bad) return { value };
      const range = [
        spec.kind === "int" ? "a whole number" : "a number",
        spec.min !== undefined ? `>= ${spec.min}` : "",
        spec.max !== undefined ? `<= ${spec.max}` : "",
      ]
        .filter(Boolean)
        .join(" ");
      return { error: `must be ${range}, ${got}` };
    }
  }
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?))?$/i;

/**
 * An ISO date, or date and time with a zone, that names a real instant: `1` or `2026` (which
 * `new Date` reads as years), a day that does not exist (2026-02-30), a year past 9999 or a local
 * time without a zone (read differently by each machine) are not.
 */
export function isFullTimestamp(text: string): boolean {
  const m = TIMESTAMP.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m
    .slice(1, 7)
    .map((v) => (v === undefined ? 0 : Number(v)));
  if ((year ?? 0) < 1970 || (hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return false;
  const date = new Date(Date.UTC(year ?? 0, (month ?? 0) - 1, day ?? 0));
  return (
    date.getUTCMonth() === (month ?? 0) - 1 && date.getUTCDate() === day && !Number.isNaN(Date.parse(text))
  );
}

/** A list var's items: `,` in the YAML, `|` on the command line (Dataform's --vars splits on `,`). */
export function splitList(text: string): string[] {
  return text
    .split(/[,|]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
