/**
 * The client at the network edge, against small node:http stubs: headers, configuration, error
 * classes and their redaction, retry rules per operation, schema errors, the circuit breaker.
 */
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  CircuitBreaker,
  CircuitOpenError,
  collectPages,
  InstantlyClient,
  type InstantlyClientOptions,
  InstantlyFailedError,
  InstantlyFatalError,
  InstantlyRejectedError,
  InstantlyResponseError,
  RateBudget,
  settle,
} from "../../engine/src/instantly/index.ts";
import { envelope, lead, type Stub, type StubHandler, startStub } from "./stub-server.ts";

const KEY = "c2VjcmV0LWtleS1mb3ItdGVzdHM6OTk5OTk5OTk=";
let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

async function clientFor(handler: StubHandler, options: InstantlyClientOptions = {}) {
  stub = await startStub(handler);
  const client = new InstantlyClient({
    apiKey: KEY,
    baseUrl: stub.url,
    budget: new RateBudget({ guardMs: 0 }),
    backoff: { baseMs: 2, maxMs: 10 },
    timeoutMs: 2000,
    ...options,
  });
  return { client, stub };
}

const CAMPAIGN = "019cc043-0000-7000-8000-000000000001";

describe("requests", () => {
  it("sends bearer auth, an explicit User-Agent, and no Content-Type on body-less requests", async () => {
    const { client, stub } = await clientFor((req) =>
      req.method === "DELETE" ? { body: lead("l1") } : { body: { id: "ws", name: "W" } },
    );
    await client.checkKey();
    await client.deleteLead("l1");
    const [get, del] = stub.requests;
    expect(get?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(get?.headers["user-agent"]).toBe("cold-email-pipeline/0.1.0");
    expect(get?.path).toBe("/workspaces/current");
    expect(del?.method).toBe("DELETE");
    expect(del?.path).toBe("/leads/l1");
    expect(del?.headers["content-type"]).toBeUndefined();
    expect(del?.rawBody).toBe("");
  });

  it("sends JSON bodies with Content-Type, and only documented lead keys", async () => {
    const { client, stub } = await clientFor(() => ({
      body: { total_sent: 1, leads_uploaded: 1, created_leads: [{ index: 0, id: "n1" }] },
    }));
    const leadWithExtra = { email: "a@x.io", first_name: "A", shoe_size: 44 } as unknown as { email: string };
    await client.bulkAddLeads(CAMPAIGN, [leadWithExtra]);
    const req = stub.requests[0];
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.body).toEqual({
      campaign_id: CAMPAIGN,
      leads: [{ email: "a@x.io", first_name: "A" }],
      skip_if_in_workspace: true,
      skip_if_in_campaign: false,
      skip_if_in_list: false,
    });
  });

  it("reads base URL and key from the environment and validates them", async () => {
    stub = await startStub(() => ({ body: { id: "ws" } }));
    const client = new InstantlyClient({
      env: { INSTANTLY_API_KEY: KEY, INSTANTLY_BASE_URL: stub.url },
      budget: new RateBudget(),
    });
    expect((await client.checkKey()).id).toBe("ws");
    expect(() => new InstantlyClient({ env: {}, budget: new RateBudget() })).toThrow(InstantlyFatalError);
    expect(
      () => new InstantlyClient({ env: { INSTANTLY_API_KEY: KEY, INSTANTLY_BASE_URL: "ftp://x" } }),
    ).toThrow(/http or https, got `ftp:\/\/x`/);
    const defaults = new InstantlyClient({ env: { INSTANTLY_API_KEY: KEY }, budget: new RateBudget() });
    expect(defaults.baseUrl).toBe("https://api.instantly.ai/api/v2");
  });

  it("sends analytics ids as a repeated query parameter", async () => {
    const { client, stub } = await clientFor(() => ({ body: [{ campaign_id: "a", emails_sent_count: 3 }] }));
    const rows = await client.campaignAnalytics({ ids: ["a", "b"] });
    expect(rows[0]?.emails_sent_count).toBe(3);
    expect(stub.requests[0]?.url).toContain("ids=a&ids=b");
  });
});

describe("errors", () => {
  it("maps 400/404/422 to rejected, with Instantly's message, no key and no email", async () => {
    const { client } = await clientFor((req) =>
      req.path.startsWith("/campaigns/")
        ? envelope(404, "Not Found", "Resource not found")
        : envelope(400, "Bad Request", `body/leads/0 lead a.b@corp.io rejected for key ${KEY}`),
    );
    const notFound = await settle(client.getCampaign("missing"));
    expect(notFound).toMatchObject({ status: "rejected", code: "http_404", httpStatus: 404 });
    const err = await client.bulkAddLeads(CAMPAIGN, [{ email: "a.b@corp.io" }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstantlyRejectedError);
    const text = `${String(err)} ${inspect(err, { depth: 10 })} ${JSON.stringify(err)}`;
    expect(text).toContain("POST /leads/add");
    expect(text).toContain("400 Bad Request");
    expect(text).not.toContain(KEY);
    expect(text).not.toContain("a.b@corp.io");
  });

  it.each([
    [401, "Unauthorized", "http_401"],
    [402, "Payment Required", "http_402"],
    [403, "Forbidden", "http_403"],
  ])("treats %i as fatal with a hint, never retried", async (status, reason, code) => {
    const { client, stub } = await clientFor(() => envelope(status, reason, `nope Bearer ${KEY}`));
    const err = await collectPages(client.listLeads(CAMPAIGN)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstantlyFatalError);
    expect((err as InstantlyFatalError).code).toBe(code);
    expect((err as InstantlyFatalError).hint).toBeTruthy();
    expect(inspect(err, { depth: 10 })).not.toContain(KEY);
    expect(stub.requests).toHaveLength(1);
    expect(await settle(client.checkKey())).toMatchObject({ status: "fatal", httpStatus: status });
  });

  it("names the route and the field path when a response has a wrong type, tolerating extra fields", async () => {
    const { client } = await clientFor((req) =>
      req.path === "/campaigns"
        ? { body: { items: [{ id: "c1", name: "A", status: "active", brand_new_field: 1 }] } }
        : { body: { id: "c1", name: "A", status: 1, brand_new_field: { x: 1 } } },
    );
    const ok = await client.getCampaign("c1");
    expect(ok.status).toBe(1);
    const err = await collectPages(client.listCampaigns()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstantlyResponseError);
    expect((err as Error).message).toMatch(/GET \/campaigns: .*`items\.0\.status`/);
    expect(await settle(collectPages(client.listCampaigns()))).toMatchObject({
      status: "failed",
      retryable: false,
      code: "bad_response",
    });
  });
});

describe("retries", () => {
  it("retries reads on 5xx, timeouts and connection resets", async () => {
    const { client, stub } = await clientFor(
      (_req, _res, n) => {
        if (n === 1) return envelope(503, "Service Unavailable", "busy");
        if (n === 2) return "reset";
        if (n === 3) return "hang";
        return { body: { id: "ws" } };
      },
      { timeoutMs: 300 },
    );
    expect((await client.checkKey()).id).toBe("ws");
    expect(stub.requests).toHaveLength(4);
    const s = client.stats().operations.checkKey;
    expect(s).toMatchObject({ calls: 1, requests: 4, retries: 3 });
    expect(s?.byStatus).toMatchObject({ "503": 1, connection_reset: 1, timeout: 1, "200": 1 });
  });

  it("gives up after maxAttempts with a retryable failure", async () => {
    const { client, stub } = await clientFor(() => envelope(500, "Internal Server Error", "x"), {
      maxAttempts: 3,
    });
    const out = await settle(client.checkKey());
    expect(out).toMatchObject({ status: "failed", retryable: true, code: "http_500", httpStatus: 500 });
    expect(stub.requests).toHaveLength(3);
  });

  it("does not retry a write without dedupe flags after a 5xx, but does with them", async () => {
    const ok = { body: { total_sent: 1, leads_uploaded: 1, created_leads: [{ index: 0, id: "n1" }] } };
    const { client, stub } = await clientFor((_r, _s, n) =>
      n % 2 === 1 ? envelope(502, "Bad Gateway", "x") : ok,
    );
    const noFlags = await settle(
      client.bulkAddLeads(CAMPAIGN, [{ email: "a@x.io" }], { skipIfInWorkspace: false }),
    );
    expect(noFlags).toMatchObject({ status: "failed", retryable: true, code: "http_502" });
    expect(noFlags.status === "failed" && noFlags.message).toMatch(/not retried/);
    expect(stub.requests).toHaveLength(1);
    stub.requests.length = 0;
    const withFlags = await client.bulkAddLeads(CAMPAIGN, [{ email: "a@x.io" }]);
    expect(withFlags.rows[0]).toMatchObject({ status: "created", leadId: "n1", state: "succeeded" });
    expect(stub.requests.map((r) => r.body)).toHaveLength(2);
  });

  it("does not retry block-list creation or verification after a reset, but retries them after a 429", async () => {
    const { client, stub } = await clientFor((req, _res, n) => {
      if (n === 1 || n === 3) return "reset";
      if (n === 4) return envelope(429, "Too Many Requests", "Rate limit exceeded");
      if (req.path === "/email-verification") {
        return { body: { email: "q@x.io", verification_status: "invalid", catch_all: false, credits: 9 } };
      }
      return { body: { items: [], valid_count: 0, invalid_count: 0 } };
    });
    expect(await settle(client.createBlocklistEntries(["x.io"]))).toMatchObject({
      status: "failed",
      code: "connection_reset",
    });
    expect(await client.createBlocklistEntries(["x.io"])).toMatchObject({ validCount: 0 });
    expect(await settle(client.verifyEmail("q@x.io"))).toMatchObject({
      status: "failed",
      code: "connection_reset",
    });
    expect(await client.verifyEmail("q@x.io")).toMatchObject({ result: "invalid", credits: 9 });
    expect(stub.requests).toHaveLength(5);
  });

  it("waits Retry-After on 429 without counting it as an attempt, then succeeds", async () => {
    const { client, stub } = await clientFor(
      (_r, _s, n) =>
        n <= 3
          ? { ...envelope(429, "Too Many Requests", "Rate limit exceeded"), headers: { "retry-after": "0" } }
          : { body: { id: "ws" } },
      { maxAttempts: 1 },
    );
    expect((await client.checkKey()).id).toBe("ws");
    expect(stub.requests).toHaveLength(4);
    expect(client.stats().totals).toMatchObject({ rateLimited: 3, retries: 3 });
  });

  it("backs off on 429 without Retry-After and fails after max429Waits", async () => {
    const { client, stub } = await clientFor(
      () => envelope(429, "Too Many Requests", "Rate limit exceeded"),
      {
        max429Waits: 4,
      },
    );
    expect(await settle(client.checkKey())).toMatchObject({
      status: "failed",
      retryable: true,
      code: "rate_limited",
    });
    expect(stub.requests).toHaveLength(5);
  });

  it("does not wait for a Retry-After beyond maxRetryAfterMs", async () => {
    const { client } = await clientFor(
      () => ({ ...envelope(429, "Too Many Requests", "x"), headers: { "retry-after": "3600" } }),
      { maxRetryAfterMs: 1000 },
    );
    expect(await settle(client.checkKey())).toMatchObject({ status: "failed", code: "rate_limited" });
  });
});

describe("deadline", () => {
  it("covers the body too: headers at once, then a byte every 20 ms, fails at the deadline as a retryable timeout", async () => {
    const timers: NodeJS.Timeout[] = [];
    const { client, stub } = await clientFor(
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("{");
        const t = setInterval(() => res.write(" "), 20);
        timers.push(t);
        res.on("close", () => clearInterval(t));
        return "hang";
      },
      { timeoutMs: 200, maxAttempts: 2 },
    );
    try {
      const error = await client.checkKey().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InstantlyFailedError);
      expect(error).toMatchObject({ code: "timeout", retryable: true });
      expect(stub.requests).toHaveLength(2);
    } finally {
      for (const t of timers) clearInterval(t);
    }
  });
});

describe("circuit breaker", () => {
  it("opens at 80% failures over the last 10 attempts, fails fast, and closes after a good probe", async () => {
    let healthy = false;
    const breaker = new CircuitBreaker({ coolDownMs: 150 });
    const { client, stub } = await clientFor(
      () => (healthy ? { body: { id: "ws" } } : envelope(500, "E", "down")),
      {
        maxAttempts: 1,
        circuitBreaker: breaker,
      },
    );
    for (let i = 0; i < 10; i++) await settle(client.checkKey());
    expect(breaker.state).toBe("open");
    const sent = stub.requests.length;
    const fast = await client.checkKey().catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect(fast).toBeInstanceOf(InstantlyFailedError);
    expect(await settle(client.checkKey())).toMatchObject({
      status: "failed",
      code: "circuit_open",
      retryable: true,
    });
    expect(stub.requests.length).toBe(sent);
    expect(client.stats().totals.circuitRejected).toBe(2);
    await new Promise((r) => setTimeout(r, 200));
    // Half-open probe fails: open again.
    await settle(client.checkKey());
    expect(breaker.state).toBe("open");
    await new Promise((r) => setTimeout(r, 200));
    healthy = true;
    expect((await client.checkKey()).id).toBe("ws");
    expect(breaker.state).toBe("closed");
    expect(breaker.opens).toBe(2);
  });

  it("stays closed at 70% failures (every third attempt succeeds)", async () => {
    const breaker = new CircuitBreaker();
    const { client } = await clientFor(
      (_r, _s, n) => (n % 3 === 0 ? { body: { id: "ws" } } : envelope(500, "E", "x")),
      {
        maxAttempts: 1,
        circuitBreaker: breaker,
      },
    );
    for (let i = 0; i < 20; i++) await settle(client.checkKey());
    expect(breaker.state).toBe("closed");
  });
});
