import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { SandboxOptions } from "../../engine/src/sandbox/options.ts";
import type { Sandbox } from "../../engine/src/sandbox/server.ts";
import { client, sandbox } from "./helpers.ts";

/** Block-list entries (both bulk shapes) and single-address email verification. */
describe("sandbox block list and verification", () => {
  let sb: Sandbox;
  let c: ReturnType<typeof client>;
  const restart = async (options: SandboxOptions = {}) => {
    await sb?.close();
    sb = await sandbox(options);
    c = client(sb);
  };
  beforeEach(() => restart());
  afterAll(() => sb.close());

  it("creates email and domain entries, returns the existing entry for a repeat, rejects junk", async () => {
    const email = await c.post("/block-lists-entries", { bl_value: "Someone@Example.com" });
    expect(email.body).toMatchObject({ bl_value: "someone@example.com", is_domain: false });
    expect(Object.keys(email.body).sort()).toEqual([
      "bl_value",
      "id",
      "is_domain",
      "organization_id",
      "timestamp_created",
    ]);
    const domain = await c.post("/block-lists-entries", { bl_value: "competitor.io" });
    expect(domain.body.is_domain).toBe(true);
    expect((await c.post("/block-lists-entries", { bl_value: "competitor.io" })).body.id).toBe(
      domain.body.id,
    );
    expect((await c.post("/block-lists-entries", { bl_value: "not a value" })).status).toBe(400);
    const domains = await c.get("/block-lists-entries?domains_only=true");
    expect(domains.body.items.map((e: { bl_value: string }) => e.bl_value)).toEqual(["competitor.io"]);
    const page = await c.get("/block-lists-entries?limit=1");
    expect(page.body.next_starting_after).toBe(email.body.id);
    expect((await c.del(`/block-lists-entries/${domain.body.id}`)).body.id).toBe(domain.body.id);
    expect((await c.get(`/block-lists-entries/${domain.body.id}`)).status).toBe(404);
  });

  it("bulk create answers {items, valid_count, invalid_count} by default", async () => {
    const r = await c.post("/block-lists-entries/bulk-create", {
      bl_values: ["a@x.com", "x.org", "??", "a@x.com"],
    });
    expect(r.status).toBe(200);
    expect(r.body.valid_count).toBe(3);
    expect(r.body.invalid_count).toBe(1);
    expect(r.body.items).toHaveLength(3);
    expect(sb.state.blocklist.size).toBe(2);
    const added = await c.post("/leads/add", {
      campaign_id: "8c46e0c9-c1f9-4201-a8d6-6221bafeada6",
      leads: [{ email: "a@x.com" }, { email: "b@x.org" }, { email: "c@y.org" }],
    });
    expect(added.body).toMatchObject({ in_blocklist: 2, leads_uploaded: 1 });
  });

  it("bulk create answers a bare array with the other toggle, and enforces its max", async () => {
    await restart({ unknown: { blocklistBulkShape: "array", blocklistBulkMax: 2 } });
    const r = await c.post("/block-lists-entries/bulk-create", { bl_values: ["a@x.com", "x.org"] });
    expect(Array.isArray(r.body)).toBe(true);
    expect(r.body.map((e: { bl_value: string }) => e.bl_value)).toEqual(["a@x.com", "x.org"]);
    const tooMany = await c.post("/block-lists-entries/bulk-create", {
      bl_values: ["a@x.com", "b@x.com", "c@x.com"],
    });
    expect(tooMany.body.message).toBe("body/bl_values must NOT have more than 2 items");
  });

  it("verification: pending, then final on a later poll, with tri-state catch_all and credits", async () => {
    await restart({
      verification: { credits: 3, pollsUntilFinal: 2, pendingRate: 0, invalidRate: 0, catchAllRate: 0 },
    });
    const pending = await c.post("/email-verification", { email: "pending.one@catchall-co.com" });
    expect(pending.body).toEqual({
      email: "pending.one@catchall-co.com",
      verification_status: "pending",
      status: "success",
      catch_all: "pending",
      credits: 2,
      credits_used: 1,
    });
    const path = `/email-verification/${encodeURIComponent("pending.one@catchall-co.com")}`;
    expect((await c.get(path)).body.verification_status).toBe("pending");
    const final = await c.get(path);
    expect(final.body).toMatchObject({ verification_status: "verified", catch_all: true });
    expect((await c.get(path)).body.verification_status).toBe("verified");

    const ok = await c.post("/email-verification", { email: "fine@normal.com" });
    expect(ok.body).toMatchObject({ verification_status: "verified", catch_all: false, credits: 1 });
    const bad = await c.post("/email-verification", { email: "invalid.person@normal.com" });
    expect(bad.body).toMatchObject({ verification_status: "invalid", credits: 0 });
    const broke = await c.post("/email-verification", { email: "more@normal.com" });
    expect(broke.status).toBe(402);
    expect(broke.body.error).toBe("Payment Required");
    expect((await c.get("/email-verification/never%40seen.com")).status).toBe(404);
  });

  it("verification catch_all as a plain boolean with the other toggle", async () => {
    await restart({ unknown: { catchAllShape: "boolean" }, verification: { pendingRate: 0 } });
    const r = await c.post("/email-verification", { email: "pending.two@example.com" });
    expect(r.body).toMatchObject({ verification_status: "pending", catch_all: false });
  });
});
