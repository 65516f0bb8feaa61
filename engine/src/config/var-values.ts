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
      return items.every((i) => /^[a-z_][a-z0-9_]*$/.test(i))
        ? { value: items }
        : { error: `must be a list of lower-case names separated by , (or | on the command line), ${got}` };
    }
    case "timestamp":
      return text === "" || !Number.isNaN(new Date(text).getTime())
        ? { value: text }
        : { error: `must be an ISO timestamp (2026-06-01T00:00:00Z) or empty, ${got}` };
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

/** A list var's items: `,` in the YAML, `|` on the command line (Dataform's --vars splits on `,`). */
export function splitList(text: string): string[] {
  return text
    .split(/[,|]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
