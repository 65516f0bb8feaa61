/**
 * A tiny HTTP server on 127.0.0.1 for tests of the client's network edge (headers, retries, error
 * mapping) where the full sandbox would be indirect. Each test supplies a handler; every request is
 * recorded (method, path, headers, parsed body, arrival time).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  path: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
  rawBody: string;
  at: number;
}

export type StubHandler = (
  req: Recorded,
  res: ServerResponse,
  n: number,
) => undefined | { status?: number; body?: unknown; headers?: Record<string, string> } | "reset" | "hang";

export interface Stub {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startStub(handler: StubHandler): Promise<Stub> {
  const requests: Recorded[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => {
      raw += c.toString();
    });
    req.on("end", () => {
      const url = req.url ?? "/";
      const rec: Recorded = {
        method: req.method ?? "GET",
        path: url.split("?")[0]?.replace(/^\/api\/v2/, "") ?? "/",
        url,
        headers: req.headers,
        body: raw === "" ? undefined : safeJson(raw),
        rawBody: raw,
        at: performance.now(),
      };
      requests.push(rec);
      const out = handler(rec, res, requests.length);
      if (out === "reset") {
        req.socket.destroy();
        return;
      }
      if (out === "hang" || out === undefined) return;
      const status = out.status ?? 200;
      res.writeHead(status, { "content-type": "application/json", ...out.headers });
      res.end(out.body === undefined ? "" : JSON.stringify(out.body));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v2`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Fastify-style error envelope (reference §1.3). */
export function envelope(statusCode: number, error: string, message: string) {
  return { status: statusCode, body: { statusCode, error, message } };
}

export function lead(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    timestamp_created: "2026-01-01T00:00:00.000Z",
    timestamp_updated: "2026-01-01T00:00:00.000Z",
    organization: "org-1",
    status: 1,
    company_domain: "example.com",
    email_open_count: 0,
    email_reply_count: 0,
    email_click_count: 0,
    ...extra,
  };
}
