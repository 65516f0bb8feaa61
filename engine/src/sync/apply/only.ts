import { UserError } from "../../core/errors.ts";
import type { Phase } from "./types.ts";

/** Parses `--only` (apply, plan and run share it); undefined when absent. */
export function parseOnly(value: string | undefined): Phase | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "drain" || value === "push") return value;
  throw new UserError(`--only must be drain or push, got ${JSON.stringify(value)}`);
}
