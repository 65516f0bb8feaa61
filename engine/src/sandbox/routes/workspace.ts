import type { Route } from "../router.ts";

/** `GET /workspaces/current`: the cheap "is this key valid" check (docs/instantly-api-v2.md §1.1). */
export const workspaceRoutes: Route[] = [
  {
    method: "GET",
    path: "/workspaces/current",
    scope: ["workspaces", "read"],
    write: false,
    handler: (ctx) => ({
      body: { ...ctx.state.workspace, add_unsub_to_block: ctx.state.settings.blocklistUnsubscribes },
    }),
  },
];
