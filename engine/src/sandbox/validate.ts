import type { z } from "zod";
import { badRequest } from "./api-error.ts";

/**
 * Request validation with Fastify/AJV wording. The real API validates with AJV (allErrors off), so a
 * bad request gets ONE message such as `body/limit must be <= 100` or
 * `body must have required property 'leads'`. Schemas are zod; this module translates the first zod
 * issue into that wording so clients see what the real API would send.
 */
export type Part = "body" | "querystring" | "params";

export function validate<S extends z.ZodType>(schema: S, input: unknown, part: Part): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw badRequest(ajvMessage(result.error.issues[0], input, part));
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function jsonPointer(part: Part, path: readonly PropertyKey[]): string {
  return [part, ...path.map(String)].join("/");
}

const formatNames: Record<string, string> = { guid: "uuid", regex: "pattern", datetime: "date-time" };
const typeNames: Record<string, string> = { int: "integer", number: "number", nan: "number" };

export function ajvMessage(issue: z.core.$ZodIssue | undefined, input: unknown, part: Part): string {
  if (!issue) return `${part} is invalid`;
  const path = issue.path;
  const at = jsonPointer(part, path);
  // Schemas may carry AJV's wording themselves (e.g. integers: zod reports them as "number").
  if (issue.code === "invalid_type" && issue.message.startsWith("must ")) {
    if (path.length > 0 && valueAt(input, path) === undefined) {
      return `${jsonPointer(part, path.slice(0, -1))} must have required property '${String(path[path.length - 1])}'`;
    }
    return `${at} ${issue.message}`;
  }
  switch (issue.code) {
    case "invalid_type": {
      if (path.length > 0 && valueAt(input, path) === undefined) {
        const parent = jsonPointer(part, path.slice(0, -1));
        return `${parent} must have required property '${String(path[path.length - 1])}'`;
      }
      if (issue.expected === "int") return `${at} must be integer`;
      return `${at} must be ${typeNames[issue.expected] ?? issue.expected}`;
    }
    case "too_big": {
      if (issue.origin === "array" || issue.origin === "set")
        return `${at} must NOT have more than ${issue.maximum} items`;
      if (issue.origin === "string") return `${at} must NOT have more than ${issue.maximum} characters`;
      return `${at} must be ${issue.inclusive === false ? "<" : "<="} ${issue.maximum}`;
    }
    case "too_small": {
      if (issue.origin === "array" || issue.origin === "set")
        return `${at} must NOT have fewer than ${issue.minimum} items`;
      if (issue.origin === "string") return `${at} must NOT have fewer than ${issue.minimum} characters`;
      return `${at} must be ${issue.inclusive === false ? ">" : ">="} ${issue.minimum}`;
    }
    case "unrecognized_keys":
      return `${at} must NOT have additional properties`;
    case "invalid_format":
      return `${at} must match format "${formatNames[issue.format] ?? issue.format}"`;
    case "invalid_value":
      return `${at} must be equal to one of the allowed values`;
    case "invalid_union":
      return `${at} must match a schema in anyOf`;
    default:
      return `${at} ${issue.message}`;
  }
}
