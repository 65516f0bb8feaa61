import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createNotifier } from "../../engine/src/notify/create-notifier.ts";
import { findEmails } from "../../engine/src/notify/pii.ts";
import type { Notifier } from "../../engine/src/notify/port.ts";
import { renderSyncMessage } from "../../engine/src/notify/render.ts";
import { validateSlackPayload } from "../../engine/src/notify/slack-limits.ts";
import { type NotifySink, startNotifySink } from "../../engine/src/sandbox/notify-sink.ts";
import { sampleReport } from "./fixtures.ts";

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 } };
const TOKEN = "echo-token-for-tests-123";
const KEY = "echo-external-key-456789";

let sink: NotifySink;
beforeAll(async () => {
  sink = await startNotifySink({ echoToken: TOKEN, echoApiKey: KEY });
});
afterAll(() => sink.close());

let seen = 0;
beforeEach(() => {
  seen = sink.received().length;
  sink.failNext(0);
});
const newDeliveries = () => sink.received().slice(seen);

const message = renderSyncMessage(sampleReport(), { timeZone: "America/New_York" });

function notifier(env: Record<string, string>): Notifier {
  return createNotifier({ SLACK_NOTIFICATION_CHANNEL: "#cold-email-ops", ...env }, fast);
}

describe("Echo messages API", () => {
  it("creates the message with the seed's fields and auth, then sends it by id", async () => {
    const result = await notifier(sink.env("echo-messages")).send(message);
    expect(result).toMatchObject({ ok: true, adapter: "echo-messages", message: "sync", attempts: 2 });
    const [create, send] = newDeliveries();
    expect(create).toMatchObject({
      target: "echo-create",
      method: "POST",
      path: "/api/v1/messages",
      status: 200,
    });
    expect(create!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(create!.headers["content-type"]).toMatch(/^application\/json/);
    // Field for field: {title, content, recipients: [channel]} and nothing else.
    expect(create!.body).toEqual({
      title: "Cold Email Sync Complete with Issues - 2:30 PM EST",
      content: message.text,
      recipients: ["#cold-email-ops"],
    });
    expect(send).toMatchObject({
      target: "echo-send",
      path: `/api/v1/messages/${result.id}/send`,
      status: 200,
    });
    expect(send!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sink.echoMessages().find((m) => String(m.id) === result.id)?.status).toBe("sent");
  });

  it("defaults to the seed's channel when none is configured", async () => {
    await createNotifier(sink.env("echo-messages"), fast).send(message);
    expect(newDeliveries()[0]!.body).toMatchObject({ recipients: ["#sales-cold-email-replies"] });
  });

  it("retries: two failures then success", async () => {
    sink.failNext(2, 503);
    const result = await notifier(sink.env("echo-messages")).send(message);
    expect(result.ok).toBe(true);
    expect(newDeliveries().map((d) => `${d.target}:${d.status}`)).toEqual([
      "echo-create:503",
      "echo-create:503",
      "echo-create:200",
      "echo-send:200",
    ]);
  });

  it("gives up after three failures with a warning, without throwing", async () => {
    sink.failNext(3, 500);
    const result = await notifier(sink.env("echo-messages")).send(message);
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(result.warning).toBe("Echo POST /api/v1/messages failed after 3 attempts: HTTP 500");
    expect(newDeliveries()).toHaveLength(3);
  });

  it("retries a failed send with the same id and never creates a second message", async () => {
    const before = sink.echoMessages().length;
    sink.failNext(2, 500, "echo-send");
    const result = await notifier(sink.env("echo-messages")).send(message);
    expect(result).toMatchObject({ ok: true, attempts: 4 });
    expect(newDeliveries().map((d) => `${d.target}:${d.status}`)).toEqual([
      "echo-create:200",
      "echo-send:500",
      "echo-send:500",
      "echo-send:200",
    ]);
    expect(
      new Set(
        newDeliveries()
          .slice(1)
          .map((d) => d.path),
      ).size,
    ).toBe(1);
    expect(sink.echoMessages().length).toBe(before + 1);
  });

  it("a send that fails three times leaves a warning (the draft stays in Echo)", async () => {
    sink.failNext(3, 503, "echo-send");
    const result = await notifier(sink.env("echo-messages")).send(message);
    expect(result).toMatchObject({ ok: false, attempts: 4 });
    expect(result.warning).toBe("Echo POST /api/v1/messages/{id}/send failed after 3 attempts: HTTP 503");
  });

  it("treats 401 as final: one attempt, a warning that names no secret", async () => {
    const result = await createNotifier(
      { ECHO_API_BASE_URL: sink.url, ECHO_API_TOKEN: "wrong-token-abcdef" },
      fast,
    ).send(message);
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result.warning).toBe("Echo POST /api/v1/messages failed after 1 attempt: HTTP 401");
  });
});

describe("Echo external endpoint", () => {
  it("posts {notification_type, title, channel, notification_data} with X-API-Key", async () => {
    const result = await notifier(sink.env("echo-external")).send(message);
    expect(result).toMatchObject({ ok: true, adapter: "echo-external", attempts: 1 });
    const [d] = newDeliveries();
    expect(d).toMatchObject({ target: "echo-external", path: "/api/v1/messages/external", status: 200 });
    expect(d!.headers["x-api-key"]).toBe(KEY);
    expect(d!.headers.authorization).toBeUndefined();
    expect(Object.keys(d!.body as object).sort()).toEqual([
      "channel",
      "notification_data",
      "notification_type",
      "title",
    ]);
    expect(d!.body).toEqual({
      notification_type: "sync",
      title: "Cold Email Sync - 14:30 EST",
      channel: "#cold-email-ops",
      notification_data: JSON.parse(JSON.stringify(message.notificationData)),
    });
  });

  it("retries twice then succeeds; three failures give a warning", async () => {
    sink.failNext(2, 502);
    expect((await notifier(sink.env("echo-external")).send(message)).ok).toBe(true);
    sink.failNext(3, 502);
    const failed = await notifier(sink.env("echo-external")).send(message);
    expect(failed).toMatchObject({ ok: false, attempts: 3 });
    expect(failed.warning).toMatch(/external failed after 3 attempts: HTTP 502/);
  });
});

describe("Slack incoming webhook", () => {
  it("posts Block Kit blocks and a text fallback the sink's Slack validator accepts", async () => {
    const result = await notifier(sink.env("slack")).send(message);
    expect(result).toMatchObject({ ok: true, adapter: "slack", attempts: 1 });
    const [d] = newDeliveries();
    expect(d).toMatchObject({ target: "slack", status: 200 });
    const body = d!.body as { text: string; blocks: unknown[]; channel?: string };
    expect(body.text).toBe(message.slack.text);
    expect(body.blocks).toEqual(message.slack.blocks);
    expect(body.channel).toBe("#cold-email-ops");
    expect(validateSlackPayload(body)).toEqual([]);
  });

  it("retries a 500 twice then succeeds; a 400 is final", async () => {
    sink.failNext(2, 500);
    const ok = await notifier(sink.env("slack")).send(message);
    expect(ok).toMatchObject({ ok: true, attempts: 3 });
    sink.failNext(1, 400);
    const bad = await notifier(sink.env("slack")).send(message);
    expect(bad).toMatchObject({ ok: false, attempts: 1 });
    // The webhook URL is the credential: the warning never shows it.
    expect(bad.warning).toBe("Slack webhook failed after 1 attempt: HTTP 400");
  });

  it("a dead endpoint gives a warning after three attempts, not an exception", async () => {
    const dead = await startNotifySink();
    const env = dead.env("slack");
    await dead.close();
    const result = await createNotifier(env, fast).send(message);
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(result.warning).toMatch(/^Slack webhook failed after 3 attempts: ECONNREFUSED$/);
    expect(result.warning).not.toContain("sandboxwebhooksecret");
  });
});

describe("console", () => {
  it("prints the terminal rendering", async () => {
    const out: string[] = [];
    const result = await createNotifier({}, { write: (t) => out.push(t) }).send(message);
    expect(result).toMatchObject({ ok: true, adapter: "console" });
    expect(out.join("")).toContain("🔄 Cold Email Sync Complete with Issues | 2:30 PM EST");
    expect(out.join("")).not.toContain("**");
  });
});

describe("PII guard on every adapter", () => {
  it("redacts an email that slipped into a message, for each channel", async () => {
    const leaky = renderSyncMessage(
      sampleReport({ status: "failed", error: "Instantly rejected lead jane@shop.example: 422" }),
      { timeZone: "UTC" },
    );
    expect(findEmails(leaky)).not.toEqual([]);
    const out: string[] = [];
    for (const env of [sink.env("echo-messages"), sink.env("echo-external"), sink.env("slack"), {}]) {
      const result = await createNotifier(env, { ...fast, write: (t) => out.push(t) }).send(leaky);
      expect(result.ok).toBe(true);
      expect(result.redactions).toBeGreaterThan(0);
    }
    for (const d of newDeliveries()) expect(findEmails(d.rawBody)).toEqual([]);
    expect(findEmails(out.join(""))).toEqual([]);
  });
});
