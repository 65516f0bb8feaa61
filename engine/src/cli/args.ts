import { UserError } from "../core/errors.ts";

/**
 * The arguments several commands share, defined once so their names, defaults and help read the same
 * everywhere. Spread them into a command's `args`: `args: { ...warehouseArg, ...varsArg, ...jsonArg() }`.
 */

export const warehouseArg = {
  warehouse: {
    type: "string",
    description: "duckdb (the local file, default) or bigquery (production; GOOGLE_CLOUD_PROJECT)",
    default: "duckdb",
  },
} as const;

export const varsArg = {
  vars: {
    type: "string",
    description:
      "Override workflow_settings.yaml vars: k=v,k2=v2 (a list with |: 'segments=smb|midsize'); unknown names are refused",
  },
} as const;

export function jsonArg(description = "Print the result as JSON (progress goes to stderr)") {
  return { json: { type: "boolean", description, default: false } } as const;
}

export const onlyArg = {
  only: { type: "string", description: "One phase only: drain or push" },
} as const;

export const forceArg = {
  force: {
    type: "boolean",
    description: "Override the drain guard and the empty-source guard",
    default: false,
  },
} as const;

export const dryRunArg = {
  "dry-run": {
    type: "boolean",
    description:
      "Plan only: read Instantly and the warehouse, write nothing to Instantly; print what would be done (same as `engine plan`)",
    default: false,
  },
} as const;

export const outArg = {
  out: {
    type: "string",
    description: "Plan file to write (default .engine/plans/<run id>.json; it holds emails: keep it private)",
  },
} as const;

/** Parses --only; undefined when absent. */
export function parseOnly(value: string | undefined): "drain" | "push" | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "drain" || value === "push") return value;
  throw new UserError(`--only must be drain or push, got ${JSON.stringify(value)}`);
}

/** A whole number from 1 to `max` for a count flag such as --limit. */
export function parseLimit(flag: string, raw: string | undefined, fallback: number, max = 10_000): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UserError(`${flag} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
