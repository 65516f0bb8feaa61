import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../engine/src/sandbox/server.ts";
import { client, emails, listAll, MIDSIZE, SMB, sandbox } from "./helpers.ts";

/** Cursor pagination edges (reference §2). */
describe("sandbox pagination", () => {
  const boxes: Sandbox[] = [];
  const start = async (lastPageCursor: "never" | "always" | "random") => {
    const sb = await sandbox({ unknown: { lastPageCursor } });
    boxes.push(sb);
    const c = client(sb);
    await c.post("/leads/add", { campaign_id: SMB, leads: emails(6) });
    return c;
  };
  let never: ReturnType<typeof client>;
  let always: ReturnType<typeof client>;
  beforeAll(async () => {
    never = await start("never");
    always = await start("always");
  });
  afterAll(async () => {
    for (const sb of boxes) await sb.close();
  });

  it("an empty result is one empty page without a cursor", async () => {
    const r = await never.post("/leads/list", { campaign: MIDSIZE });
    expect(r.body).toEqual({ items: [] });
    expect((await always.post("/leads/list", { campaign: MIDSIZE })).body).toEqual({ items: [] });
  });

  it("an exact multiple of limit: the last full page has no cursor when the toggle says never", async () => {
    const pages = await listAll(never, { campaign: SMB, limit: 3 });
    expect(pages.map((p) => p.items.length)).toEqual([3, 3]);
    expect(pages[0].next_starting_after).toBe(pages[0].items[2].id);
    expect(pages[1].next_starting_after).toBeUndefined();
  });

  it("with the last-page cursor on, the client needs one more call and gets an empty page", async () => {
    const pages = await listAll(always, { campaign: SMB, limit: 3 });
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 0]);
    expect(pages[1].next_starting_after).toBe(pages[1].items[2].id);
    expect(pages[2]).toEqual({ items: [] });
    const partial = await listAll(always, { campaign: SMB, limit: 4 });
    expect(partial.map((p) => p.items.length)).toEqual([4, 2, 0]);
  });

  it("pages are ordered by id and a cursor from any id continues after it", async () => {
    const all = (await never.post("/leads/list", { campaign: SMB })).body.items.map(
      (l: { id: string }) => l.id,
    );
    expect(all).toHaveLength(6);
    expect([...all].sort()).toEqual(all);
    const after = await never.post("/leads/list", { campaign: SMB, starting_after: all[1], limit: 2 });
    expect(after.body.items.map((l: { id: string }) => l.id)).toEqual(all.slice(2, 4));
  });

  it("validates limit 1..100 in the body (leads) and in the query (campaigns, block list)", async () => {
    expect((await never.post("/leads/list", { limit: 0 })).body.message).toBe("body/limit must be >= 1");
    expect((await never.post("/leads/list", { limit: 101 })).body.message).toBe("body/limit must be <= 100");
    expect((await never.post("/leads/list", { limit: 2.5 })).body.message).toBe("body/limit must be integer");
    expect((await never.post("/leads/list", { limit: "10" })).status).toBe(400);
    expect((await never.post("/leads/list", { limit: 100 })).status).toBe(200);
    expect((await never.get("/campaigns?limit=0")).body.message).toBe("querystring/limit must be >= 1");
    expect((await never.get("/campaigns?limit=101")).status).toBe(400);
    expect((await never.get("/block-lists-entries?limit=101")).status).toBe(400);
  });

  it("lists campaigns from workflow_settings.yaml with a cursor", async () => {
    const first = await never.get("/campaigns?limit=1");
    expect(first.body.items).toHaveLength(1);
    const second = await never.get(`/campaigns?limit=1&starting_after=${first.body.next_starting_after}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.next_starting_after).toBeUndefined();
    const ids = [first.body.items[0].id, second.body.items[0].id];
    expect(ids.sort()).toEqual([MIDSIZE, SMB].sort());
    expect(first.body.items[0]).toMatchObject({
      status: 1,
      stop_on_reply: true,
      sequences: [{ steps: expect.any(Array) }],
    });
  });
});
