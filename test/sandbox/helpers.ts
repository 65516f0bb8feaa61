import { type Sandbox, type SandboxOptions, startSandbox } from "../../engine/src/sandbox/server.ts";

/** Raw-fetch helpers for sandbox tests: no client code, just what a client would send. */
export const SMB = "8c46e0c9-c1f9-4201-a8d6-6221bafeada6";
export const MIDSIZE = "5ffbe8c3-dc0e-41e4-9999-48f00d2015df";

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON the way a client would
  body: any;
  headers: Headers;
}

export function frozen(options: SandboxOptions = {}): SandboxOptions {
  return {
    seed: "test",
    ...options,
    simulation: { realTime: false, startTime: "2026-03-02T12:00:00.000Z", ...(options.simulation ?? {}) },
  };
}

export async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox(frozen(options));
}

export function client(sb: Sandbox, key = sb.apiKey) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> => {
    const h: Record<string, string> = { authorization: `Bearer ${key}`, ...headers };
    if (body !== undefined && !("content-type" in h)) h["content-type"] = "application/json";
    const res = await fetch(sb.url + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : JSON.parse(text), headers: res.headers };
  };
  return {
    call,
    get: (path: string) => call("GET", path),
    post: (path: string, body?: unknown) => call("POST", path, body),
    del: (path: string, body?: unknown) => call("DELETE", path, body),
    patch: (path: string, body?: unknown) => call("PATCH", path, body),
  };
}

export function emails(n: number, prefix = "lead", domain = "example.com"): { email: string }[] {
  return Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@${domain}` }));
}

/** Every page of POST /leads/list for a campaign, following cursors until an empty page. */
export async function listAll(c: ReturnType<typeof client>, body: Record<string, unknown>) {
  // biome-ignore lint/suspicious/noExplicitAny: pages are raw JSON
  const pages: any[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const r = await c.post("/leads/list", { ...body, ...(cursor ? { starting_after: cursor } : {}) });
    if (r.status !== 200) throw new Error(`list failed: ${r.status} ${JSON.stringify(r.body)}`);
    pages.push(r.body);
    cursor = r.body.next_starting_after;
    if (r.body.items.length === 0 || !cursor) break;
  }
  return pages;
}

/** A fetch Response's JSON body, untyped like a client's raw read. */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON
export async function json(res: Response): Promise<any> {
  return res.json();
}
