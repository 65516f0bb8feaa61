import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../engine/src/sandbox/server.ts";
import { client, json, SMB, sandbox } from "./helpers.ts";

/** Auth, scopes, plan, the error envelope, unknown routes and Fastify's content-type rules. */
describe("sandbox HTTP basics", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandbox({
      keys: [
        { key: "read-only-key-1", scopes: ["leads:read"], label: "reader" },
        { key: "revoked-key-123", revoked: true },
        { key: "unpaid-key-1234", paidPlan: false },
      ],
    });
  });
  afterAll(() => sb.close());

  it("serves on 127.0.0.1 under /api/v2 with a usable key", async () => {
    expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
    const r = await client(sb).get("/workspaces/current");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: expect.any(String),
      owner: expect.any(String),
      add_unsub_to_block: true,
    });
  });

  it("answers 401 in the envelope for a missing, malformed, unknown or revoked key", async () => {
    const missing = await fetch(`${sb.url}/campaigns`);
    expect(missing.status).toBe(401);
    expect(await json(missing)).toEqual({
      statusCode: 401,
      error: "Unauthorized",
      message: "Missing Authorization header",
    });
    const malformed = await fetch(`${sb.url}/campaigns`, { headers: { authorization: "Token abc" } });
    expect((await json(malformed)).message).toBe("Invalid authorization header");
    for (const key of ["no-such-key-999", "revoked-key-123"]) {
      const r = await client(sb, key).get("/campaigns");
      expect(r.status).toBe(401);
      expect(r.body.error).toBe("Unauthorized");
    }
  });

  it("answers 402 for a workspace without a paid plan and 403 for a missing scope", async () => {
    const unpaid = await client(sb, "unpaid-key-1234").get("/campaigns");
    expect(unpaid.status).toBe(402);
    expect(unpaid.body).toMatchObject({ statusCode: 402, error: "Payment Required" });
    const reader = client(sb, "read-only-key-1");
    expect((await reader.post("/leads/list", { campaign: SMB })).status).toBe(200);
    const denied = await reader.post("/leads/add", { campaign_id: SMB, leads: [{ email: "a@b.co" }] });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ statusCode: 403, error: "Forbidden" });
    expect(denied.body.message).toContain("leads:create");
    expect((await reader.get("/campaigns")).status).toBe(403);
  });

  it("404s unknown paths, wrong methods and paths outside /api/v2 in Fastify's envelope", async () => {
    const c = client(sb);
    const unknown = await c.get("/leads/bulk");
    expect(unknown.status).toBe(400); // GET /leads/:id with a non-uuid id, as Fastify's router would
    const invented = await c.post("/leads/bulk", { leads: [] });
    expect(invented.status).toBe(404);
    expect(invented.body).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: "Route POST:/api/v2/leads/bulk not found",
    });
    expect((await c.call("PUT", "/campaigns")).status).toBe(404);
    expect((await c.get("/campaigns/")).status).toBe(404);
    const outside = await fetch(sb.url.replace("/api/v2", "/api/v1/lead/add"));
    expect(outside.status).toBe(404);
    expect((await json(outside)).error).toBe("Not Found");
  });

  it("rejects an empty body sent as application/json, bad JSON and non-JSON bodies like Fastify", async () => {
    const c = client(sb);
    const lead = (await c.post("/leads", { campaign: SMB, email: "ct@example.com" })).body;
    const empty = await c.call("DELETE", `/leads/${lead.id}`, undefined, {
      "content-type": "application/json",
    });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({
      statusCode: 400,
      code: "FST_ERR_CTP_EMPTY_JSON_BODY",
      error: "Bad Request",
      message: "Body cannot be empty when content-type is set to 'application/json'",
    });
    const bad = await c.call("POST", "/leads/list", "{nope", { "content-type": "application/json" });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("FST_ERR_CTP_INVALID_JSON_BODY");
    const text = await c.call("POST", "/leads/list", "limit=1", { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    expect((await c.del(`/leads/${lead.id}`)).status).toBe(200);
  });

  it("reports validation errors with AJV wording", async () => {
    const c = client(sb);
    expect((await c.post("/leads/add", { campaign_id: SMB })).body).toEqual({
      statusCode: 400,
      error: "Bad Request",
      message: "body must have required property 'leads'",
    });
    expect((await c.get("/leads/not-a-uuid")).body.message).toBe('params/id must match format "uuid"');
    expect((await c.get("/campaigns?limit=abc")).body.message).toBe("querystring/limit must be integer");
  });

  it("counts every call in stats without logging keys or raw paths", async () => {
    const c = client(sb);
    await c.get("/campaigns");
    const stats = sb.stats();
    expect(stats.byRoute["GET /campaigns 200"]).toBeGreaterThanOrEqual(1);
    expect(stats.byStatus["401"]).toBeGreaterThanOrEqual(4);
    const logged = JSON.stringify(stats.log);
    expect(logged).not.toContain(sb.apiKey);
    expect(logged).not.toContain("ct@example.com");
    const admin = await fetch(sb.url.replace("/api/v2", "/__sandbox/stats"));
    expect((await json(admin)).apiRequests).toBe(stats.apiRequests);
  });
});
