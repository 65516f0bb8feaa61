import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../../engine/src/sandbox/server.ts";
import { client, emails, listAll, MIDSIZE, SMB, sandbox } from "./helpers.ts";

/** Lead endpoints: bulk add summary and index mapping, dedupe flags, validation, get/patch/delete. */
describe("sandbox leads", () => {
  let sb: Sandbox;
  let c: ReturnType<typeof client>;
  beforeEach(async () => {
    await sb?.close();
    sb = await sandbox();
    c = client(sb);
  });
  afterAll(() => sb.close());

  it("bulk add: mixed valid/invalid/duplicate/blocklisted/incomplete rows, with index mapping", async () => {
    await c.post("/block-lists-entries", { bl_value: "blocked@example.com" });
    await c.post("/block-lists-entries", { bl_value: "banned.example" });
    const r = await c.post("/leads/add", {
      campaign_id: SMB,
      skip_if_in_workspace: true,
      leads: [
        { email: "ok0@example.com", first_name: "A", custom_variables: { revenue: 5, tier: "smb" } },
        { email: "not-an-email" },
        { email: "OK0@example.com " },
        { email: "blocked@example.com" },
        { email: "someone@banned.example" },
        { first_name: "No email" },
        { email: "ok1@example.com", phone: "+1 555" },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: "success",
      total_sent: 7,
      leads_uploaded: 2,
      in_blocklist: 2,
      invalid_email_count: 1,
      duplicate_email_count: 1,
      incomplete_count: 1,
      skipped_count: 0,
      duplicated_leads: 0,
      blocklist_used: expect.any(String),
      remaining_in_plan: expect.any(Number),
    });
    expect(r.body.created_leads.map((l: { index: number }) => l.index)).toEqual([0, 6]);
    expect(r.body.created_leads[1]).toMatchObject({ email: "ok1@example.com", phone: "+1 555" });
    const lead = (await c.get(`/leads/${r.body.created_leads[0].id}`)).body;
    expect(lead).toMatchObject({
      campaign: SMB,
      status: 1,
      email: "ok0@example.com",
      company_domain: "example.com",
      upload_method: "api",
      email_open_count: 0,
      payload: { firstName: "A", revenue: 5, tier: "smb" },
    });
    expect(lead.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("skip_if_in_workspace skips emails present in any campaign; without flags a same-campaign repeat is counted", async () => {
    await c.post("/leads/add", { campaign_id: MIDSIZE, leads: emails(3) });
    const skipped = await c.post("/leads/add", {
      campaign_id: SMB,
      skip_if_in_workspace: true,
      leads: emails(5),
    });
    expect(skipped.body).toMatchObject({ leads_uploaded: 2, skipped_count: 3 });
    expect(skipped.body.created_leads.map((l: { index: number }) => l.index)).toEqual([3, 4]);
    const again = await c.post("/leads/add", { campaign_id: MIDSIZE, leads: emails(3) });
    expect(again.body).toMatchObject({ leads_uploaded: 0, duplicated_leads: 3 });
    const noFlag = await c.post("/leads/add", { campaign_id: SMB, leads: [{ email: "lead0@example.com" }] });
    expect(noFlag.body.leads_uploaded).toBe(1); // in another campaign only: a second row, as documented
  });

  it("duplicate handling toggles: create-row and skipped counted as duplicated_leads", async () => {
    await sb.close();
    sb = await sandbox({
      unknown: { duplicateInTarget: "create-row", skippedCountField: "duplicated_leads" },
    });
    c = client(sb);
    await c.post("/leads/add", { campaign_id: SMB, leads: emails(2) });
    expect((await c.post("/leads/add", { campaign_id: SMB, leads: emails(2) })).body.leads_uploaded).toBe(2);
    const r = await c.post("/leads/add", { campaign_id: SMB, skip_if_in_campaign: true, leads: emails(2) });
    expect(r.body).toMatchObject({ leads_uploaded: 0, duplicated_leads: 2, skipped_count: 0 });
  });

  it("rejects unknown top-level keys in lead objects (or strips them per toggle) and enforces 1..1000", async () => {
    const bad = await c.post("/leads/add", {
      campaign_id: SMB,
      leads: [{ email: "a@b.co" }, { email: "c@d.co", revenue: 1 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("body/leads/1 must NOT have additional properties");
    expect(sb.state.leads.size).toBe(0);
    const tooMany = await c.post("/leads/add", { campaign_id: SMB, leads: emails(1001) });
    expect(tooMany.body.message).toBe("body/leads must NOT have more than 1000 items");
    const none = await c.post("/leads/add", { campaign_id: SMB, leads: [] });
    expect(none.body.message).toBe("body/leads must NOT have fewer than 1 items");
    const both = await c.post("/leads/add", { campaign_id: SMB, list_id: MIDSIZE, leads: emails(1) });
    expect(both.status).toBe(400);
    const neither = await c.post("/leads/add", { leads: emails(1) });
    expect(neither.body.message).toBe("body must have required property 'campaign_id'");
    const nested = await c.post("/leads/add", {
      campaign_id: SMB,
      leads: [{ email: "a@b.co", custom_variables: { x: { y: 1 } } }],
    });
    expect(nested.status).toBe(400);
    const unknownCampaign = await c.post("/leads/add", {
      campaign_id: "00000000-0000-4000-8000-000000000000",
      leads: emails(1),
    });
    expect(unknownCampaign.status).toBe(404);

    await sb.close();
    sb = await sandbox({ unknown: { unknownLeadKeys: "strip" } });
    c = client(sb);
    const stripped = await c.post("/leads/add", {
      campaign_id: SMB,
      leads: [{ email: "c@d.co", revenue: 1 }],
    });
    expect(stripped.body.leads_uploaded).toBe(1);
  });

  it("adds 1,000 leads in one call and lists them all in id order", async () => {
    const r = await c.post("/leads/add", {
      campaign_id: SMB,
      skip_if_in_workspace: true,
      leads: emails(1000),
    });
    expect(r.body.leads_uploaded).toBe(1000);
    const ids = (await listAll(c, { campaign: SMB, limit: 100 })).flatMap((p) =>
      p.items.map((l: { id: string }) => l.id),
    );
    expect(ids).toHaveLength(1000);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });

  it("list filters: campaign, contacts (lookup by email), ids, search, filter, distinct_contacts", async () => {
    await c.post("/leads/add", { campaign_id: SMB, leads: emails(4) });
    await c.post("/leads/add", { campaign_id: MIDSIZE, leads: emails(2) });
    const smb = await c.post("/leads/list", { campaign: SMB });
    expect(smb.body.items).toHaveLength(4);
    const byEmail = await c.post("/leads/list", { contacts: ["Lead1@example.com"] });
    expect(byEmail.body.items.map((l: { campaign: string }) => l.campaign).sort()).toEqual(
      [MIDSIZE, SMB].sort(),
    );
    const distinct = await c.post("/leads/list", { distinct_contacts: true, limit: 3 });
    expect(distinct.body.items.map((l: { email: string }) => l.email)).toEqual([
      "lead0@example.com",
      "lead1@example.com",
      "lead2@example.com",
    ]);
    expect(distinct.body.next_starting_after).toBe("lead2@example.com");
    const one = smb.body.items[2].id;
    expect((await c.post("/leads/list", { ids: [one], campaign: SMB })).body.items).toHaveLength(1);
    expect((await c.post("/leads/list", { search: "lead3" })).body.items).toHaveLength(1);
    expect((await c.post("/leads/list", { filter: "FILTER_VAL_CONTACTED" })).body.items).toHaveLength(0);
    expect((await c.post("/leads/list", { filter: "FILTER_NOPE" })).status).toBe(400);
  });

  it("single create, get, patch (custom_variables replace), 404 for unknown ids", async () => {
    const created = await c.post("/leads", {
      campaign: SMB,
      email: "one@example.com",
      custom_variables: { a: 1 },
    });
    expect(created.status).toBe(200);
    const id = created.body.id;
    const patched = await c.patch(`/leads/${id}`, { first_name: "Ann", custom_variables: { b: "x" } });
    expect(patched.body).toMatchObject({ first_name: "Ann", payload: { firstName: "Ann", b: "x" } });
    expect(patched.body.payload).not.toHaveProperty("a");
    expect((await c.patch(`/leads/${id}`, { email: "x@y.co" })).status).toBe(400);
    const skipped = await c.post("/leads", {
      campaign: SMB,
      email: "one@example.com",
      skip_if_in_workspace: true,
    });
    expect(skipped.body.id).toBe(id);
    expect((await c.post("/leads", { campaign: SMB })).body.message).toBe(
      "body must have required property 'email'",
    );
    expect((await c.get("/leads/019cc043-9cfe-773d-89ef-f0307b5667de")).body).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: "Resource not found",
    });
  });

  it("update-interest-status answers 202 (or the non-standard 400 body) and sets the label", async () => {
    const id = (await c.post("/leads", { campaign: SMB, email: "label@example.com" })).body.id;
    const r = await c.post("/leads/update-interest-status", {
      lead_email: "label@example.com",
      interest_value: 1,
    });
    expect(r).toMatchObject({ status: 202, body: { message: expect.any(String) } });
    expect((await c.get(`/leads/${id}`)).body).toMatchObject({ lt_interest_status: 1 });
    const bad = await c.post("/leads/update-interest-status", { lead_email: "nope", interest_value: 1 });
    expect(bad).toMatchObject({ status: 400, body: { error: "Invalid lead email" } });
  });

  it("delete by id returns the lead, then 404 on re-delete (or 200 null per toggle)", async () => {
    const id = (await c.post("/leads", { campaign: SMB, email: "gone@example.com" })).body.id;
    const first = await c.del(`/leads/${id}`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id, email: "gone@example.com" });
    const second = await c.del(`/leads/${id}`);
    expect(second.status).toBe(404);
    expect(second.body.error).toBe("Not Found");

    await sb.close();
    sb = await sandbox({ unknown: { deleteMissingLead: "200-null" } });
    c = client(sb);
    const again = await c.del("/leads/019cc043-9cfe-773d-89ef-f0307b5667de");
    expect(again.status).toBe(200);
    expect(again.body).toBeNull();
  });

  it("bulk delete (DELETE /leads with a body): by ids within a campaign, counts only what existed", async () => {
    const add = await c.post("/leads/add", { campaign_id: SMB, leads: emails(5) });
    const ids: string[] = add.body.created_leads.map((l: { id: string }) => l.id);
    await c.post("/leads/add", { campaign_id: MIDSIZE, leads: emails(2) });
    await c.del(`/leads/${ids[0]}`);
    const r = await c.del("/leads", { campaign_id: SMB, ids: ids.slice(0, 3) });
    expect(r).toMatchObject({ status: 200, body: { count: 2 } });
    const again = await c.del("/leads", { campaign_id: SMB, ids: ids.slice(0, 3) });
    expect(again.body).toEqual({ count: 0 });
    const wrongCampaign = await c.del("/leads", { campaign_id: MIDSIZE, ids: ids.slice(3) });
    expect(wrongCampaign.body.count).toBe(0);
    const limited = await c.del("/leads", { campaign_id: SMB, limit: 1 });
    expect(limited.body.count).toBe(1);
    expect((await c.del("/leads", { campaign_id: SMB, limit: 10_001 })).body.message).toBe(
      "body/limit must be <= 10000",
    );
    const all = await c.del("/leads", { campaign_id: SMB, status: 1 });
    expect(all.body.count).toBe(1);
    expect(sb.state.leadsInCampaign(MIDSIZE)).toHaveLength(2);
  });
});
