import { ofetch } from "ofetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifier } from "../../engine/src/notify/create-notifier.ts";
import { notifyRun } from "../../engine/src/notify/notify.ts";
import { findEmails } from "../../engine/src/notify/pii.ts";
import { validateSlackPayload } from "../../engine/src/notify/slack-limits.ts";
import { describeDelivery, type NotifySink, startNotifySink } from "../../engine/src/sandbox/notify-sink.ts";
import { sampleReport } from "./fixtures.ts";

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 } };
let sink: NotifySink;
beforeAll(async () => {
  sink = await startNotifySink({ echoToken: "sink-token-abcdef", echoApiKey: "sink-key-abcdef" });
});
afterAll(() => sink.close());

describe("notifyRun end to end against the sink", () => {
  for (const kind of ["echo-messages", "echo-external", "slack"] as const) {
    it(`${kind}: sends the drain and the sync message of a run`, async () => {
      const before = sink.received().length;
      const result = await notifyRun(sampleReport(), {
        notifier: createNotifier(sink.env(kind), fast),
        env: { NOTIFY_TIME_ZONE: "America/New_York" },
      });
      expect(result.warnings).toEqual([]);
      expect(result.delivered.map((d) => [d.adapter, d.message, d.ok])).toEqual([
        [kind, "drain", true],
        [kind, "sync", true],
      ]);
      const got = sink.received().slice(before);
      expect(got.every((d) => d.status === 200)).toBe(true);
      if (kind === "echo-external") {
        expect(got.map((d) => (d.body as { notification_type: string }).notification_type)).toEqual([
          "drain",
          "sync",
        ]);
      }
      if (kind === "slack") {
        for (const d of got) expect(validateSlackPayload(d.body)).toEqual([]);
        expect(got.map(describeDelivery)).toEqual([
          expect.stringMatching(
            /^#\d+ Slack webhook → 200 "🧹 Cold Email Drain Complete with Issues \| 2:30 PM EST"$/,
          ),
          expect.stringMatching(
            /^#\d+ Slack webhook → 200 "🔄 Cold Email Sync Complete with Issues \| 2:30 PM EST"$/,
          ),
        ]);
      }
      if (kind === "echo-messages") {
        expect((got[0]!.body as { title: string }).title).toBe(
          "Cold Email Drain Complete with Issues - 2:30 PM EST",
        );
      }
    });
  }

  it("sends only what ran: a drain-only run posts no sync message", async () => {
    const out: string[] = [];
    const result = await notifyRun(sampleReport({ phases: { drain: true, push: false } }), {
      notifier: createNotifier({}, { write: (t) => out.push(t) }),
      timeZone: "UTC",
    });
    expect(result.messages.map((m) => m.kind)).toEqual(["drain"]);
    expect(out.join("")).toContain("🧹 Cold Email Drain Complete with Issues | 7:30 PM UTC");
  });

  it("never throws: an unreachable channel becomes warnings for the run record", async () => {
    sink.failNext(6, 503);
    const result = await notifyRun(sampleReport(), { notifier: createNotifier(sink.env("slack"), fast) });
    expect(result.delivered).toEqual([]);
    expect(result.warnings).toEqual([
      "drain notification not delivered: Slack webhook failed after 3 attempts: HTTP 503",
      "sync notification not delivered: Slack webhook failed after 3 attempts: HTTP 503",
    ]);
  });

  it("a bad time zone is a warning, not a failure", async () => {
    const result = await notifyRun(sampleReport({ phases: { drain: false, push: true } }), {
      notifier: createNotifier({}, { write: () => {} }),
      env: { NOTIFY_TIME_ZONE: "Nowhere/Land" },
    });
    expect(result.delivered).toHaveLength(1);
    expect(result.warnings).toEqual(["NOTIFY_TIME_ZONE is not an IANA time zone; using the machine's zone"]);
  });

  it("a failing alert store is a warning; messages still go out", async () => {
    const result = await notifyRun(sampleReport(), {
      notifier: createNotifier({}, { write: () => {} }),
      alertStore: {
        load: async () => {
          throw new Error("Catalog Error: Table alert_events does not exist (owner bob@corp.example)");
        },
        record: async () => {},
      },
    });
    expect(result.delivered).toHaveLength(2);
    expect(result.warnings).toEqual([
      "alerts skipped: cannot read alert state (Catalog Error: Table alert_events does not exist (owner [redacted email]))",
    ]);
  });

  it("no email address reaches the sink from any e2e message (PII scan over everything received)", async () => {
    // A leaky error from upstream must be caught by the guard on its way out.
    const leaky = sampleReport({
      status: "failed",
      error: "lead ann.lee@store.example rejected by Instantly",
    });
    for (const kind of ["echo-messages", "echo-external", "slack"] as const) {
      await notifyRun(leaky, { notifier: createNotifier(sink.env(kind), fast) });
    }
    const all = sink.received();
    expect(all.length).toBeGreaterThan(10);
    for (const d of all) expect(findEmails(d.rawBody), `${d.target} #${d.seq}`).toEqual([]);
    // And no secret of ours either.
    for (const d of all) expect(d.rawBody).not.toContain("sink-token-abcdef");
  });
});

describe("the sink answers like the real services", () => {
  it("Echo: 401 without auth, 422 for a missing field, 404 for an unknown message", async () => {
    const post = (path: string, body?: unknown, headers: Record<string, string> = {}) =>
      ofetch.raw(`${sink.url}${path}`, {
        method: "POST",
        body: body as Record<string, unknown>,
        headers,
        ignoreResponseError: true,
      });
    const auth = { Authorization: "Bearer sink-token-abcdef" };
    expect((await post("/api/v1/messages", { title: "t", content: "c", recipients: ["#x"] })).status).toBe(
      401,
    );
    const missing = await post("/api/v1/messages", { title: "t", content: "c" }, auth);
    expect(missing.status).toBe(422);
    expect(missing._data).toMatchObject({ detail: [{ loc: ["body", "recipients"], msg: "Field required" }] });
    expect((await post("/api/v1/messages/99999/send", undefined, auth)).status).toBe(404);
    expect((await post("/api/v1/messages/external", { title: "t" }, { "X-API-Key": "wrong" })).status).toBe(
      401,
    );
    expect(
      (await post("/api/v1/messages/external", { title: "t" }, { "X-API-Key": "sink-key-abcdef" })).status,
    ).toBe(422);
  });

  it("Slack: 400 invalid_blocks for a payload over the limits, no_service for an unknown hook", async () => {
    const tooMany = { blocks: Array.from({ length: 60 }, () => ({ type: "divider" })) };
    const r = await ofetch.raw(sink.slackWebhookUrl, {
      method: "POST",
      body: tooMany,
      ignoreResponseError: true,
      responseType: "text",
    });
    expect([r.status, r._data]).toEqual([400, "invalid_blocks"]);
    const unknown = await ofetch.raw(`${sink.url}/services/T/B/nope`, {
      method: "POST",
      body: { text: "x" },
      ignoreResponseError: true,
      responseType: "text",
    });
    expect([unknown.status, unknown._data]).toEqual([404, "no_service"]);
  });

  it("failNext validates its arguments", () => {
    expect(() => sink.failNext(-1)).toThrow("failNext: n must be a whole number >= 0, got -1");
    expect(() => sink.failNext(1, 200)).toThrow(
      "failNext: status must be an HTTP error status (400-599), got 200",
    );
  });
});
