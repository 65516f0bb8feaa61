import { ApiError } from "./api-error.ts";
import type { ExtraKey } from "./options.ts";

/**
 * API keys and scopes (docs/instantly-api-v2.md §1.1-1.2). A key is accepted as `Authorization: Bearer <key>`; each
 * route names the resource and action it needs and accepts `<resource>:<action>`, `<resource>:all`,
 * `all:<action>` or `all:all`. 401 for a missing/bad/revoked key, 402 for a workspace without a paid
 * plan, 403 for a missing scope - each in the standard envelope.
 */
export interface KeyRecord {
  key: string;
  scopes: string[];
  revoked: boolean;
  paidPlan: boolean;
  /** Name used in the request log instead of the key itself. */
  label: string;
  primary: boolean;
}

export type ScopeNeed = readonly [resource: string, action: "read" | "create" | "update" | "delete"];

export class KeyRing {
  readonly keys = new Map<string, KeyRecord>();
  readonly primary: KeyRecord;
  private readonly primaryScopes: string[];

  constructor(primaryKey: string, extras: ExtraKey[]) {
    this.primary = {
      key: primaryKey,
      scopes: ["all:all"],
      revoked: false,
      paidPlan: true,
      label: "primary",
      primary: true,
    };
    this.primaryScopes = [...this.primary.scopes];
    this.keys.set(primaryKey, this.primary);
    extras.forEach((k, i) => {
      this.keys.set(k.key, {
        key: k.key,
        scopes: k.scopes,
        revoked: k.revoked,
        paidPlan: k.paidPlan,
        label: k.label ?? `key${i + 1}`,
        primary: false,
      });
    });
  }

  authenticate(header: string | undefined): KeyRecord {
    if (header === undefined || header.trim() === "") throw new ApiError(401, "Missing Authorization header");
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError(401, "Invalid authorization header");
    const record = this.keys.get(match[1] as string);
    if (!record || record.revoked) throw new ApiError(401, "Invalid API key");
    if (!record.paidPlan) throw new ApiError(402, "Workspace does not have an active paid plan");
    return record;
  }

  authorize(record: KeyRecord, need: ScopeNeed | null): void {
    if (need === null) return;
    const [resource, action] = need;
    const accepted = [`${resource}:${action}`, `${resource}:all`, `all:${action}`, "all:all"];
    if (!record.scopes.some((s) => accepted.includes(s))) {
      throw new ApiError(
        403,
        `API key does not have the required scope. Required one of: ${accepted.join(", ")}`,
      );
    }
  }

  /** Fault: the primary key keeps only these scopes from now on. */
  dropPrimaryScopes(keep: string[]): void {
    this.primary.scopes = [...keep];
  }

  restorePrimaryScopes(): void {
    this.primary.scopes = [...this.primaryScopes];
  }
}
