import type { KeyRecord, ScopeNeed } from "./auth.ts";
import type { ResolvedOptions } from "./options.ts";
import type { Prng } from "./prng.ts";
import type { SandboxState } from "./state.ts";

/**
 * A tiny route table for /api/v2: method + pattern with `:param` segments, static segments winning
 * over params (like Fastify's router). Each route declares the scope it needs and whether it writes,
 * so auth, stats and fault injection stay out of the handlers.
 */
export interface RouteContext {
  state: SandboxState;
  options: ResolvedOptions;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
  key: KeyRecord;
  /** Seeded stream for per-request coin flips (last-page cursor, partial bulk). */
  prng: Prng;
  /** Fault: this bulk write should land only part of its rows. */
  partialBulk: boolean;
  /** Fault: probability that a lead listing ends early (`leadListEndEarlyRate`). */
  listEndEarlyRate: number;
  /** Fault: probability that a bulk add is refused with a message echoing a lead (`echoLeadInAddErrorRate`). */
  echoLeadErrorRate: number;
}

export interface RouteResult {
  status?: number;
  body: unknown;
}

export interface Route {
  method: string;
  path: string;
  scope: ScopeNeed | null;
  write: boolean;
  /** Bulk write routes are the ones `partialBulkRate` applies to. */
  bulk?: boolean;
  handler: (ctx: RouteContext) => RouteResult;
}

interface Compiled extends Route {
  segments: string[];
}

export class Router {
  private readonly routes: Compiled[] = [];

  add(...routes: Route[]): void {
    for (const r of routes) this.routes.push({ ...r, segments: r.path.split("/").filter(Boolean) });
    // Static segments beat params at the first differing position.
    this.routes.sort((a, b) => specificity(b.segments) - specificity(a.segments));
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | null {
    // Like Fastify without ignoreTrailingSlash: "/leads/" is not "/leads".
    if (path.length > 1 && path.endsWith("/")) return null;
    const parts = path.split("/").filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i] as string;
        const part = parts[i] as string;
        if (seg.startsWith(":")) {
          try {
            params[seg.slice(1)] = decodeURIComponent(part);
          } catch {
            ok = false;
            break;
          }
        } else if (seg !== part) {
          ok = false;
          break;
        }
      }
      if (ok) return { route, params };
    }
    return null;
  }
}

function specificity(segments: string[]): number {
  let score = 0;
  for (const s of segments) score = score * 2 + (s.startsWith(":") ? 0 : 1);
  return score * 100 + segments.length;
}
