import type { z } from "zod";
import { normaliseEmail } from "./bulk-add.ts";
import { MAX_PAGE_SIZE } from "./client-types.ts";
import { InstantlyFailedError } from "./errors.ts";
import { leadPageSchema, parseResponse } from "./schemas.ts";
import type { RequestSpec, Transport } from "./transport.ts";

/**
 * What every operation of the client needs: a request whose response is validated, cursor
 * pagination that stops on an empty page or a repeated cursor, and the two lead look-ups the bulk
 * writes use to attribute their results. Kept apart from the client class so the lead writes
 * (lead-writes.ts) can use it without the class's public surface.
 */
export class ClientCore {
  constructor(
    readonly transport: Transport,
    readonly listTimeoutMs: number,
  ) {}

  async json<S extends z.ZodType>(schema: S, spec: RequestSpec): Promise<z.infer<S>> {
    const res = await this.transport.request(spec);
    return parseResponse(schema, res.data, this.ctx(spec, res.status));
  }

  ctx(spec: RequestSpec, httpStatus: number) {
    return { operation: spec.operation, route: `${spec.method} ${spec.route}`, httpStatus };
  }

  /**
   * Cursor pagination that cannot loop: a cursor returned before, or (with `keyOf`) a page whose
   * items were all returned before, is an upstream fault (a cursor that changes while the page
   * repeats would otherwise append the same rows forever) → `InstantlyFailedError` `cursor_loop` /
   * `page_repeat`, retryable by a later run.
   */
  async *paginate<T>(
    operation: string,
    fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_starting_after?: string | null }>,
    keyOf?: (item: T) => string,
  ): AsyncGenerator<T[]> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    const seenKeys = new Set<string>();
    for (;;) {
      const page = await fetchPage(cursor);
      if (page.items.length === 0) return;
      if (keyOf) {
        let fresh = 0;
        for (const item of page.items) {
          const key = keyOf(item);
          if (!seenKeys.has(key)) fresh++;
          seenKeys.add(key);
        }
        if (fresh === 0) {
          throw new InstantlyFailedError(
            "page_repeat",
            `the API returned a page of ${page.items.length} item(s) all returned before; stopping to avoid an endless loop`,
            { operation, route: operation },
            true,
          );
        }
      }
      yield page.items;
      const next = page.next_starting_after;
      if (!next) return;
      if (seen.has(next)) {
        throw new InstantlyFailedError(
          "cursor_loop",
          "the API returned a cursor it had already returned; stopping to avoid an endless loop",
          { operation, route: operation },
          true,
        );
      }
      seen.add(next);
      cursor = next;
    }
  }

  /** Emails (normalised) that exist anywhere in the workspace, via `POST /leads/list {contacts}`. */
  async existingEmails(emails: string[]): Promise<{ found: Set<string>; requests: number }> {
    const found = new Set<string>();
    let requests = 0;
    for (let start = 0; start < emails.length; start += MAX_PAGE_SIZE) {
      const contacts = emails.slice(start, start + MAX_PAGE_SIZE);
      const pages = this.paginate(
        "lookupLeads",
        (cursor) => {
          requests++;
          return this.json(leadPageSchema, {
            operation: "lookupLeads",
            method: "POST",
            path: "/leads/list",
            route: "/leads/list",
            body: { contacts, limit: MAX_PAGE_SIZE, ...(cursor ? { starting_after: cursor } : {}) },
            retryAmbiguous: true,
            timeoutMs: this.listTimeoutMs,
          });
        },
        (lead) => lead.id,
      );
      for await (const page of pages) {
        for (const lead of page) {
          const e = normaliseEmail(lead.email);
          if (e) found.add(e);
        }
      }
    }
    return { found, requests };
  }

  /** Which of `ids` still exist in the campaign (`POST /leads/list {campaign, ids}`). */
  async presentIds(campaign: string, ids: string[]): Promise<Set<string>> {
    const present = new Set<string>();
    for (let start = 0; start < ids.length; start += MAX_PAGE_SIZE) {
      const chunk = ids.slice(start, start + MAX_PAGE_SIZE);
      const pages = this.paginate(
        "checkLeadsPresent",
        (cursor) =>
          this.json(leadPageSchema, {
            operation: "checkLeadsPresent",
            method: "POST",
            path: "/leads/list",
            route: "/leads/list",
            body: {
              campaign,
              ids: chunk,
              limit: MAX_PAGE_SIZE,
              ...(cursor ? { starting_after: cursor } : {}),
            },
            retryAmbiguous: true,
            timeoutMs: this.listTimeoutMs,
          }),
        (lead) => lead.id,
      );
      for await (const page of pages) for (const lead of page) present.add(lead.id);
    }
    return present;
  }
}
