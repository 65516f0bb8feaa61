import { afterEach, describe, expect, it } from "vitest";
import type { SandboxOptions } from "../../engine/src/sandbox/options.ts";
import { RateLimiter } from "../../engine/src/sandbox/rate-limiter.ts";
import type { Sandbox } from "../../engine/src/sandbox/server.ts";
import { client, emails, json, SMB, sandbox } from "./helpers.ts";

const limits = {
  enabled: true,
  perSecond: 100,
  perMinute: 6000,
  retryAfter: false,
  window: "sliding" as const,
};

describe("rate limiter (clock injected)", () => {
  it("allows 100 per sliding second and 6,000 per minute, counting only accepted requests", () => {
    const rl = new RateLimiter(limits);
    for (let i = 0; i < 100; i++) expect(rl.take(1000 + i)).toBeNull();
    expect(rl.take(1100)).toBe(1);
    expect(rl.take(1999)).toBe(1); // the first request is still inside the window
    expect(rl.take(2000)).toBeNull(); // exactly one second after the first
  });

  it("allows 6,000 per sliding minute", () => {
    const rl = new RateLimiter({ ...limits, perSecond: 1000 });
    for (let i = 0; i < 6000; i++) expect(rl.take(i * 5)).toBeNull();
    const wait = rl.take(30_000);
    expect(wait).toBe(30); // the first request leaves the window at 60,000 ms
    expect(rl.take(60_000)).toBeNull();
  });

  it("fixed windows reset at second boundaries", () => {
    const rl = new RateLimiter({ ...limits, perSecond: 2, window: "fixed" });
    expect(rl.take(1000)).toBeNull();
    expect(rl.take(1500)).toBeNull();
    expect(rl.take(1999)).toBe(1);
    expect(rl.take(2000)).toBeNull();
  });
});

describe("sandbox rate limit and faults over HTTP", () => {
  let sb: Sandbox;
  const start = async (options: SandboxOptions = {}) => {
    sb = await sandbox(options);
    return client(sb);
  };
  afterEach(() => sb?.close());

  it("answers the documented 429 body without Retry-After by default, shared across keys", async () => {
    const c = await start({
      rateLimit: { perSecond: 1000, perMinute: 5 },
      keys: [{ key: "second-key-123" }],
    });
    const c2 = client(sb, "second-key-123");
    for (let i = 0; i < 3; i++) expect((await c.get("/campaigns")).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await c2.get("/campaigns")).status).toBe(200);
    const limited = await c2.get("/campaigns");
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      statusCode: 429,
      error: "Too Many Requests",
      message: "Rate limit exceeded",
    });
    expect(limited.headers.get("retry-after")).toBeNull();
    expect(sb.stats()).toMatchObject({ rateLimited: 1, served429: 1 });
  });

  it("emits Retry-After (seconds) when toggled on", async () => {
    const c = await start({ rateLimit: { perSecond: 1000, perMinute: 2, retryAfter: true } });
    await c.get("/campaigns");
    await c.get("/campaigns");
    const limited = await c.get("/campaigns");
    expect(limited.status).toBe(429);
    const seconds = Number(limited.headers.get("retry-after"));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
  });

  it("can be switched off", async () => {
    const c = await start({ rateLimit: false });
    const replies = await Promise.all(Array.from({ length: 150 }, () => c.get("/workspaces/current")));
    expect(replies.every((r) => r.status === 200)).toBe(true);
  });

  it("injects 5xx in the envelope, and can apply the write before failing", async () => {
    const c = await start({ faults: { rate5xx: 1, appliedBeforeFailureRate: 1 } });
    const r = await c.post("/leads/add", { campaign_id: SMB, leads: emails(2) });
    expect([500, 502, 503]).toContain(r.status);
    expect(r.body).toMatchObject({ statusCode: r.status, message: expect.any(String) });
    expect(sb.state.leads.size).toBe(2);
    sb.setFaults({ rate5xx: 0 });
    expect((await c.get("/campaigns")).status).toBe(200);
    expect(sb.stats().faults["5xx"]).toBe(1);
  });

  it("injects 429 bursts of the configured length (with Retry-After when on)", async () => {
    const c = await start({
      rateLimit: { retryAfter: true },
      faults: { rate429Burst: 1, burst429Length: 3 },
    });
    const first = await c.get("/campaigns");
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("1");
    sb.setFaults({ rate429Burst: 0 });
    expect((await c.get("/campaigns")).status).toBe(429);
    expect((await c.get("/campaigns")).status).toBe(429);
    expect((await c.get("/campaigns")).status).toBe(200);
    expect(sb.stats()).toMatchObject({ injected429: 3, served429: 3, rateLimited: 0 });
  });

  it("hangs a request past the client's timeout", async () => {
    await start({ faults: { timeoutRate: 1 } });
    const call = fetch(`${sb.url}/campaigns`, {
      headers: { authorization: `Bearer ${sb.apiKey}` },
      signal: AbortSignal.timeout(200),
    });
    await expect(call).rejects.toThrow(/abort|timeout/i);
    expect(sb.stats().faults.timeout).toBe(1);
  });

  it("can end a hung request by destroying the socket after hangMs", async () => {
    await start({ faults: { timeoutRate: 1, hangMs: 50 } });
    await expect(
      fetch(`${sb.url}/campaigns`, { headers: { authorization: `Bearer ${sb.apiKey}` } }),
    ).rejects.toThrow();
  });

  it("resets connections", async () => {
    await start({ faults: { resetRate: 1 } });
    await expect(
      fetch(`${sb.url}/campaigns`, { headers: { authorization: `Bearer ${sb.apiKey}` } }),
    ).rejects.toThrow(/fetch failed/);
    expect(sb.stats().faults.reset).toBe(1);
  });

  it("lands only part of a bulk add without saying why in the counters", async () => {
    const c = await start({ seed: "partial", faults: { partialBulkRate: 1 } });
    const r = await c.post("/leads/add", { campaign_id: SMB, skip_if_in_workspace: true, leads: emails(50) });
    expect(r.status).toBe(200);
    expect(r.body.total_sent).toBe(50);
    expect(r.body.leads_uploaded).toBeLessThan(50);
    expect(r.body.created_leads).toHaveLength(r.body.leads_uploaded);
    expect(sb.state.leads.size).toBe(r.body.leads_uploaded);
    const accounted =
      r.body.leads_uploaded + r.body.skipped_count + r.body.in_blocklist + r.body.invalid_email_count;
    expect(accounted).toBeLessThan(50);
    expect(sb.stats().faults["partial-bulk"]).toBe(1);
  });

  it("takes scopes away from the key after N requests", async () => {
    const c = await start({ faults: { scopeLossAfterRequests: 2 } });
    expect((await c.post("/leads/add", { campaign_id: SMB, leads: emails(1) })).status).toBe(200);
    expect((await c.get("/campaigns")).status).toBe(200);
    const denied = await c.post("/leads/add", { campaign_id: SMB, leads: emails(1, "x") });
    expect(denied.status).toBe(403);
    expect((await c.post("/leads/list", {})).status).toBe(200);
  });

  it("adds latency and limits faults to the given paths", async () => {
    const c = await start({ faults: { latencyMs: { min: 30, max: 40 }, rate5xx: 1, paths: ["/leads"] } });
    expect((await c.get("/campaigns")).status).toBe(200);
    expect((await c.post("/leads/list", {})).status).toBeGreaterThanOrEqual(500);
    const durations = sb.stats().log.map((e) => e.durationMs);
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(25);
  });

  it("changes faults over the admin route and validates them", async () => {
    const c = await start();
    const admin = sb.url.replace("/api/v2", "/__sandbox");
    const ok = await fetch(`${admin}/faults`, { method: "POST", body: JSON.stringify({ rate5xx: 1 }) });
    expect((await json(ok)).rate5xx).toBe(1);
    expect((await c.get("/campaigns")).status).toBeGreaterThanOrEqual(500);
    const bad = await fetch(`${admin}/faults`, { method: "POST", body: JSON.stringify({ rate5xx: 2 }) });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toContain("rate5xx");
    expect(() => sb.setFaults({ timeoutRate: -1 } as never)).toThrow(/timeoutRate.*-1/);
    await fetch(`${admin}/reset`, { method: "POST" });
    expect((await c.get("/campaigns")).status).toBe(200);
  });
});
