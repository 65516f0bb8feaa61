import { z } from "zod";
import { notFound } from "../api-error.ts";
import type { LeadList } from "../models.ts";
import { paginate, queryInt } from "../pagination.ts";
import type { Route, RouteContext } from "../router.ts";
import { validate } from "../validate.ts";
import { uuid } from "./schemas.ts";

/** Lead lists (docs/instantly-api-v2.md §3.15): the other target of /leads/add (`list_id`). */

const listQuery = z.object({
  limit: queryInt(1, 100).optional(),
  starting_after: z.string().optional(),
  search: z.string().optional(),
});
const createBody = z.object({
  name: z.string().min(1),
  has_enrichment_task: z.boolean().nullable().optional(),
  owned_by: uuid.nullable().optional(),
});
const idParams = z.object({ id: uuid });

function getList(ctx: RouteContext): LeadList {
  const { id } = validate(idParams, ctx.params, "params");
  const list = ctx.state.leadLists.get(id.toLowerCase());
  if (!list) throw notFound("Lead list not found");
  return list;
}

export const leadListRoutes: Route[] = [
  {
    method: "GET",
    path: "/lead-lists",
    scope: ["lead_lists", "read"],
    write: false,
    handler: (ctx) => {
      const q = validate(listQuery, ctx.query, "querystring");
      let all = [...ctx.state.leadLists.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      if (q.search)
        all = all.filter((l) => l.name.toLowerCase().includes((q.search as string).toLowerCase()));
      return {
        body: paginate(ctx, all, (l) => l.id, q.starting_after, q.limit ?? ctx.options.unknown.defaultLimit),
      };
    },
  },
  {
    method: "POST",
    path: "/lead-lists",
    scope: ["lead_lists", "create"],
    write: true,
    handler: (ctx) => {
      const body = validate(createBody, ctx.body, "body");
      const now = ctx.state.clock.now();
      const list: LeadList = {
        id: ctx.state.ids.uuidv7(now),
        organization_id: ctx.state.workspace.id,
        has_enrichment_task: body.has_enrichment_task ?? false,
        owned_by: body.owned_by ?? ctx.state.settings.userId,
        name: body.name,
        timestamp_created: ctx.state.clock.iso(now),
      };
      ctx.state.leadLists.set(list.id, list);
      return { body: list };
    },
  },
  {
    method: "GET",
    path: "/lead-lists/:id",
    scope: ["lead_lists", "read"],
    write: false,
    handler: (ctx) => ({ body: getList(ctx) }),
  },
  {
    method: "DELETE",
    path: "/lead-lists/:id",
    scope: ["lead_lists", "delete"],
    write: true,
    handler: (ctx) => {
      const list = getList(ctx);
      ctx.state.leadLists.delete(list.id);
      return { body: list };
    },
  },
];
