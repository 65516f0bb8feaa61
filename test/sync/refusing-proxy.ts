/**
 * A proxy on 127.0.0.1 in front of the sandbox that answers some calls itself, the way Instantly
 * refuses them (the reference's error envelope, §1.3): the plan's lead limit on /leads/add, a
 * campaign deleted mid-run, verification out of credits in whatever status. Everything else is
 * forwarded untouched. Counts what it refused and what it forwarded, per "METHOD /path".
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export type Refusal = { status: number; body: unknown } | undefined;
/** `n`: how many calls of this "METHOD /path" came before this one (0 for the first). */
export type Refuser = (route: string, n: number) => Refusal;

export interface RefusingProxy {
  url: string;
  refuse: Refuser | undefined;
  calls: Map<string, number>;
  close(): Promise<void>;
}

export async function startRefusingProxy(target: string): Promise<RefusingProxy> {
  const proxy: Partial<RefusingProxy> = { refuse: undefined, calls: new Map() };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = (req.url ?? "/").split("?")[0]?.replace(/^\/api\/v2/, "") ?? "/";
    const route = `${req.method} ${path}`;
    const calls = proxy.calls as Map<string, number>;
    const n = calls.get(route) ?? 0;
    calls.set(route, n + 1);
    const refusal = proxy.refuse?.(route, n);
    if (refusal) {
      res.writeHead(refusal.status, { "content-type": "application/json" });
      res.end(JSON.stringify(refusal.body));
      return;
    }
    const headers: Record<string, string> = {};
    for (const h of ["authorization", "content-type", "user-agent", "accept"]) {
      const v = req.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    const upstream = await fetch(`${target}${(req.url ?? "/").replace(/^\/api\/v2/, "")}`, {
      method: req.method ?? "GET",
      headers,
      ...(body === "" ? {} : { body }),
    });
    res.writeHead(upstream.status, {
      "content-type": upstream.headers.get("content-type") ?? "application/json",
    });
    res.end(await upstream.text());
  });
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}/api/v2`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  }) as RefusingProxy;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = "";
    req.on("data", (c: Buffer) => {
      raw += c.toString();
    });
    req.on("end", () => resolve(raw));
    req.on("error", reject);
  });
}

export const envelope = (statusCode: number, error: string, message: string) => ({
  status: statusCode,
  body: { statusCode, error, message },
});
