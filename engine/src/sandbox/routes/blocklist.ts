import { z } from "zod";
import { badRequest, notFound } from "../api-error.ts";
import { addBlocklistValue } from "../blocklist.ts";
import type { BlockListEntry } from "../models.ts";
import { paginate, queryBool, queryInt } from "../pagination.ts";
import type { Route, RouteContext } from "../router.ts";
import { validate } from "../validate.ts";
import { uuid } from "./schemas.ts";

/**
 * Block-list entries (docs/instantly-api-v2.md §3.14): list with cursor, create, bulk create in either documented
 * response shape (`unknown.blocklistBulkShape`), get, delete, bulk delete.
 */

const listQuery = z.object({
  limit: queryInt(1, 100).optional(),
  starting_after: z.string().optional(),
  domains_only: queryBool.optional(),
  search: z.string().optional(),
});
const createBody = z.object({ bl_value: z.string().min(1) });
const bulkBody = (max: number) => z.object({ bl_values: z.array(z.string()).min(1).max(max) });
const bulkDeleteBody = z.object({ ids: z.array(uuid).min(1) });
const idParams = z.object({ id: uuid });

function sortedEntries(
  ctx: RouteContext,
  q: { domains_only?: boolean | undefined; search?: string | undefined },
) {
  let all = [...ctx.state.blocklist.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (q.domains_only) all = all.filter((e) => e.is_domain);
  if (q.search) {
    const s = q.search.toLowerCase();
    all = all.filter((e) => e.bl_value.includes(s));
  }
  return all;
}

function list(ctx: RouteContext) {
  const q = validate(listQuery, ctx.query, "querystring");
  const all = sortedEntries(ctx, q);
  return {
    body: paginate(ctx, all, (e) => e.id, q.starting_after, q.limit ?? ctx.options.unknown.defaultLimit),
  };
}

function create(ctx: RouteContext) {
  const body = validate(createBody, ctx.body, "body");
  const added = addBlocklistValue(ctx.state, body.bl_value);
  if (!added) throw badRequest("bl_value must be a valid email address or domain");
  if (!added.created && ctx.options.unknown.duplicateBlocklistValue === "400")
    throw badRequest("Block list entry already exists");
  return { body: added.entry };
}

function bulkCreate(ctx: RouteContext) {
  const body = validate(bulkBody(ctx.options.unknown.blocklistBulkMax), ctx.body, "body");
  let values = body.bl_values;
  if (ctx.partialBulk && values.length > 0) values = values.slice(0, ctx.prng.int(0, values.length - 1));
  const items: BlockListEntry[] = [];
  let invalid = 0;
  for (const value of values) {
    const added = addBlocklistValue(ctx.state, value);
    if (added) items.push(added.entry);
    else invalid++;
  }
  if (ctx.options.unknown.blocklistBulkShape === "array") return { body: items };
  return { body: { items, valid_count: items.length, invalid_count: invalid } };
}

function getOne(ctx: RouteContext) {
  const { id } = validate(idParams, ctx.params, "params");
  const entry = ctx.state.blocklist.get(id.toLowerCase());
  if (!entry) throw notFound();
  return { body: entry };
}

function deleteOne(ctx: RouteContext) {
  const { body: entry } = getOne(ctx);
  ctx.state.blocklist.delete(entry.id);
  return { body: entry };
}

function bulkDelete(ctx: RouteContext) {
  const body = validate(bulkDeleteBody, ctx.body, "body");
  const deleted: BlockListEntry[] = [];
  for (const id of body.ids) {
    const entry = ctx.state.blocklist.get(id.toLowerCase());
    if (!entry) continue;
    ctx.state.blocklist.delete(entry.id);
    deleted.push(entry);
  }
  return { body: deleted };
}

const scope = (action: "read" | "create" | "update" | "delete") => ["block_list_entries", action] as const;

export const blocklistRoutes: Route[] = [
  { method: "GET", path: "/block-lists-entries", scope: scope("read"), write: false, handler: list },
  { method: "POST", path: "/block-lists-entries", scope: scope("create"), write: true, handler: create },
  {
    method: "POST",
    path: "/block-lists-entries/bulk-create",
    scope: scope("create"),
    write: true,
    bulk: true,
    handler: bulkCreate,
  },
  {
    method: "POST",
    path: "/block-lists-entries/bulk-delete",
    scope: scope("delete"),
    write: true,
    handler: bulkDelete,
  },
  { method: "GET", path: "/block-lists-entries/:id", scope: scope("read"), write: false, handler: getOne },
  {
    method: "DELETE",
    path: "/block-lists-entries/:id",
    scope: scope("delete"),
    write: true,
    handler: deleteOne,
  },
];
