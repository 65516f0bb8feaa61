import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError, envelope } from "./api-error.ts";
import { KeyRing } from "./auth.ts";
import { decideFaults } from "./faults.ts";
import { drain, parseBody, queryObject, readBody, sendJson } from "./http-io.ts";
import {
  type FaultConfig,
  faultSchema,
  parseFaults,
  type ResolvedOptions,
  resolveOptions,
  type SandboxOptions,
} from "./options.ts";
import { Prng } from "./prng.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { type RouteContext, Router } from "./router.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { blocklistRoutes } from "./routes/blocklist.ts";
import { campaignRoutes } from "./routes/campaigns.ts";
import { leadListRoutes } from "./routes/lead-lists.ts";
import { leadRoutes } from "./routes/leads.ts";
import { verificationRoutes } from "./routes/verification.ts";
import { workspaceRoutes } from "./routes/workspace.ts";
import type { Sandbox } from "./sandbox-handle.ts";
import { type AdvanceSummary, advanceDays } from "./simulation.ts";
import { deserializeState, type PersistedState, type SandboxState, serializeState } from "./state.ts";
import { StatsRecorder } from "./stats.ts";
import { createInitialState, defaultApiKey } from "./world.ts";

export type { FaultConfig, SandboxOptions } from "./options.ts";
export type { Sandbox } from "./sandbox-handle.ts";
export type { SandboxState } from "./state.ts";
export type { SandboxStats } from "./stats.ts";

/**
 * The local Instantly API V2 simulator: a node:http server on 127.0.0.1 that serves the endpoints the
 * pipeline uses under /api/v2, in memory, with the real API's error
 * envelope, auth/scope/plan errors, workspace rate limit, cursor pagination, fault injection, a
 * simulated clock, and sandbox-only admin routes under /__sandbox (no auth).
 */

const API_PREFIX = "/api/v2";

export async function startSandbox(options?: SandboxOptions): Promise<Sandbox> {
  const server = new SandboxServer(resolveOptions(options));
  await server.listen();
  return server.handle();
}

class SandboxServer {
  state: SandboxState;
  private readonly apiKey: string;
  private keys: KeyRing;
  private faults: FaultConfig;
  private faultPrng: Prng;
  private pagePrng: Prng;
  private readonly burst = { left: 0 };
  private authedRequests = 0;
  private limiter: RateLimiter;
  private readonly stats: StatsRecorder;
  private readonly router = new Router();
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(private readonly options: ResolvedOptions) {
    this.apiKey = options.apiKey ?? defaultApiKey(options.seed);
    this.state = this.loadOrCreateState();
    this.keys = new KeyRing(this.apiKey, options.keys);
    this.faults = faultSchema.parse(options.faults);
    this.faultPrng = new Prng(`${options.seed}|faults`);
    this.pagePrng = new Prng(`${options.seed}|pages`);
    this.limiter = new RateLimiter(options.rateLimit);
    this.stats = new StatsRecorder(options.maxLogEntries);
    this.router.add(
      ...campaignRoutes,
      ...leadRoutes,
      ...blocklistRoutes,
      ...verificationRoutes,
      ...workspaceRoutes,
      ...leadListRoutes,
      ...accountRoutes,
    );
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          sendJson(res, 500, envelope(500, "Internal Server Error"));
        }
        if (process.env.ENGINE_DEBUG) console.error(error);
      });
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  handle(): Sandbox {
    const self = this;
    return {
      url: `http://127.0.0.1:${this.port}${API_PREFIX}`,
      port: this.port,
      apiKey: this.apiKey,
      stats: () => this.stats.snapshot(),
      setFaults: (faults) => this.setFaults(faults),
      advance: (days) => this.advance(days),
      get state() {
        return self.state;
      },
      reset: () => this.reset(),
      close: () => this.close(),
    };
  }

  private loadOrCreateState(): SandboxState {
    const file = this.options.persistPath;
    if (file && existsSync(file)) {
      try {
        const data = JSON.parse(readFileSync(file, "utf8")) as PersistedState;
        return deserializeState(data, this.options.simulation.realTime);
      } catch (cause) {
        throw new Error(`cannot load sandbox state from ${file}: ${(cause as Error).message}`, { cause });
      }
    }
    return createInitialState(this.options);
  }

  private save(): void {
    const file = this.options.persistPath;
    if (!file) return;
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(serializeState(this.state)));
    renameSync(tmp, file);
  }

  setFaults(update: Partial<FaultConfig>): FaultConfig {
    this.faults = { ...this.faults, ...parseFaults(update) };
    if (update.scopeLossAfterRequests !== undefined) {
      this.authedRequests = 0;
      this.keys.restorePrimaryScopes();
    }
    return this.faults;
  }

  advance(days: number): AdvanceSummary {
    if (!Number.isInteger(days) || days < 0 || days > 3650) {
      throw new ApiError(400, `days must be a whole number from 0 to 3650, got ${JSON.stringify(days)}`);
    }
    const summary = advanceDays(
      this.state,
      this.options.simulation,
      String(this.options.seed),
      days,
      this.options.unknown,
    );
    this.save();
    return summary;
  }

  reset(): void {
    this.state = createInitialState(this.options);
    this.keys = new KeyRing(this.apiKey, this.options.keys);
    this.faults = faultSchema.parse(this.options.faults);
    this.faultPrng = new Prng(`${this.options.seed}|faults`);
    this.pagePrng = new Prng(`${this.options.seed}|pages`);
    this.burst.left = 0;
    this.authedRequests = 0;
    this.limiter = new RateLimiter(this.options.rateLimit);
    this.stats.reset();
  }

  async close(): Promise<void> {
    this.save();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const startedMs = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const pathname = url.pathname;

    if (pathname === "/__sandbox" || pathname.startsWith("/__sandbox/")) {
      const status = await this.admin(method, pathname, req, res);
      this.stats.record(
        { method, route: pathname, status, key: null, fault: null, durationMs: Date.now() - startedMs },
        { api: false, write: false, startedMs },
      );
      return;
    }

    const record = (
      route: string,
      status: number | "reset" | "timeout",
      key: string | null,
      fault: Parameters<StatsRecorder["record"]>[0]["fault"],
      write = false,
    ) =>
      this.stats.record(
        { method, route, status, key, fault, durationMs: Date.now() - startedMs },
        { api: true, write, startedMs },
      );

    const rel =
      pathname === API_PREFIX
        ? "/"
        : pathname.startsWith(`${API_PREFIX}/`)
          ? pathname.slice(API_PREFIX.length)
          : null;
    const matched = rel === null ? null : this.router.match(method, rel);
    if (!matched) {
      await drain(req);
      sendJson(res, 404, envelope(404, `Route ${method}:${pathname} not found`));
      record(rel === null ? "(outside /api/v2)" : "(unknown route)", 404, null, null);
      return;
    }
    const { route, params } = matched;

    // Auth: 401 / 402, then the scope-loss fault, then 403.
    let key: ReturnType<KeyRing["authenticate"]>;
    try {
      key = this.keys.authenticate(req.headers.authorization);
      this.authedRequests++;
      const after = this.faults.scopeLossAfterRequests;
      if (after !== null && this.authedRequests > after && key.primary) {
        this.keys.dropPrimaryScopes(this.faults.scopeLossKeepScopes);
      }
      this.keys.authorize(key, route.scope);
    } catch (error) {
      await drain(req);
      const e = error as ApiError;
      sendJson(res, e.statusCode, e.toBody());
      record(route.path, e.statusCode, null, null);
      return;
    }

    // The workspace-wide rate limit (only accepted requests count).
    if (this.options.rateLimit.enabled) {
      const retryAfter = this.limiter.take(Date.now());
      if (retryAfter !== null) {
        await drain(req);
        const headers: Record<string, string> = this.options.rateLimit.retryAfter
          ? { "retry-after": String(retryAfter) }
          : {};
        sendJson(res, 429, envelope(429, "Rate limit exceeded"), headers);
        record(route.path, 429, key.label, "rate-limit");
        return;
      }
    }

    const faultPaths = this.faults.paths;
    const applies = faultPaths === null || faultPaths.some((p) => rel?.startsWith(p));
    const fault = decideFaults(this.faults, this.faultPrng, this.burst, applies);

    let rawBody: Buffer;
    try {
      rawBody = await readBody(req);
    } catch (error) {
      if (error instanceof ApiError) {
        // Too large: answer like Fastify, then drop the connection (the rest of the body is unread).
        res.setHeader("connection", "close");
        sendJson(res, error.statusCode, error.toBody());
        record(route.path, error.statusCode, key.label, null);
      } else {
        res.destroy();
        record(route.path, "reset", key.label, null);
      }
      return;
    }
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);

    if (fault.kind === "429-burst") {
      const headers: Record<string, string> = this.options.rateLimit.retryAfter ? { "retry-after": "1" } : {};
      sendJson(res, 429, envelope(429, "Rate limit exceeded"), headers);
      record(route.path, 429, key.label, "429-burst");
      return;
    }

    const run = (): { status: number; body: unknown; headers?: Record<string, string> } => {
      try {
        const body = parseBody(req, rawBody, this.options.unknown.emptyJsonBody === "reject");
        const ctx: RouteContext = {
          state: this.state,
          options: this.options,
          params,
          query: queryObject(url.searchParams),
          body,
          key,
          prng: this.pagePrng,
          partialBulk: fault.partialBulk && route.bulk === true,
          listEndEarlyRate: this.faults.leadListEndEarlyRate,
          echoLeadErrorRate: this.faults.echoLeadInAddErrorRate,
        };
        const result = route.handler(ctx);
        return { status: result.status ?? 200, body: result.body };
      } catch (error) {
        if (error instanceof ApiError) {
          return {
            status: error.statusCode,
            body: error.toBody(),
            ...(error.options.headers ? { headers: error.options.headers } : {}),
          };
        }
        throw error;
      }
    };

    if (fault.kind !== null) {
      if (fault.appliedFirst && route.write) run();
      if (fault.kind === "5xx") {
        sendJson(res, fault.status5xx, envelope(fault.status5xx, "Internal error, please retry"));
        record(route.path, fault.status5xx, key.label, "5xx");
      } else if (fault.kind === "reset") {
        req.socket.destroy();
        record(route.path, "reset", key.label, "reset");
      } else {
        record(route.path, "timeout", key.label, "timeout");
        if (this.faults.hangMs > 0) setTimeout(() => req.socket.destroy(), this.faults.hangMs).unref();
        // Otherwise the socket stays open until the client gives up or the sandbox closes.
      }
      return;
    }

    const result = run();
    sendJson(res, result.status, result.body, result.headers);
    record(
      route.path,
      result.status,
      key.label,
      fault.partialBulk && route.bulk ? "partial-bulk" : null,
      route.write,
    );
  }

  /** Sandbox-only routes, no auth: advance the clock, read stats, change faults, reset. */
  private async admin(
    method: string,
    pathname: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<number> {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString("utf8"));
    } catch {
      sendJson(res, 400, envelope(400, "Body is not valid JSON", "FST_ERR_CTP_INVALID_JSON_BODY"));
      return 400;
    }
    const send = (status: number, payload: unknown) => {
      sendJson(res, status, payload);
      return status;
    };
    try {
      const op = `${method} ${pathname.replace(/\/+$/, "")}`;
      switch (op) {
        case "POST /__sandbox/advance":
          return send(200, this.advance((body as { days?: unknown }).days as number));
        case "GET /__sandbox/stats":
          return send(200, this.stats.snapshot());
        case "POST /__sandbox/faults":
          return send(200, this.setFaults(body as Partial<FaultConfig>));
        case "GET /__sandbox/faults":
          return send(200, this.faults);
        case "POST /__sandbox/reset":
          this.reset();
          return send(200, { ok: true });
        case "GET /__sandbox/state":
          return send(200, serializeState(this.state));
        default:
          return send(404, envelope(404, `Route ${method}:${pathname} not found`));
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const status = error instanceof ApiError ? error.statusCode : 400;
      return send(status, envelope(status, message));
    }
  }
}
