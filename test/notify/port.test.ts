import { describe, expect, it } from "vitest";
import { UserError } from "../../engine/src/core/errors.ts";
import { createNotifier } from "../../engine/src/notify/create-notifier.ts";
import { notifySettingsFromEnv } from "../../engine/src/notify/notify-settings.ts";

const base = "https://echo.example.com/";

describe("choosing the notifier from the environment (seed variable names)", () => {
  it("picks Echo messages, Echo external, Slack or console in that order", () => {
    expect(createNotifier({ ECHO_API_BASE_URL: base, ECHO_API_TOKEN: "t-123456789" }).kind).toBe(
      "echo-messages",
    );
    expect(createNotifier({ ECHO_API_BASE_URL: base, ECHO_API_KEY: "k-123456789" }).kind).toBe(
      "echo-external",
    );
    expect(
      createNotifier({ ECHO_API_BASE_URL: base, ECHO_API_TOKEN: "t-123456789", ECHO_API_KEY: "k-123456789" })
        .kind,
    ).toBe("echo-messages");
    expect(createNotifier({ SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/x" }).kind).toBe(
      "slack",
    );
    expect(createNotifier({}).kind).toBe("console");
    // GitHub Actions passes unset secrets as empty strings.
    expect(createNotifier({ ECHO_API_BASE_URL: "", ECHO_API_TOKEN: "", SLACK_WEBHOOK_URL: "" }).kind).toBe(
      "console",
    );
  });

  it("honours SLACK_NOTIFICATIONS_ENABLED and the channel defaults of each seed", () => {
    expect(
      createNotifier({ SLACK_NOTIFICATIONS_ENABLED: "FALSE", SLACK_WEBHOOK_URL: "https://h.example/x" }).kind,
    ).toBe("disabled");
    expect(notifySettingsFromEnv({ SLACK_NOTIFICATIONS_ENABLED: "true" }).enabled).toBe(true);
    expect(notifySettingsFromEnv({ ECHO_API_BASE_URL: base, ECHO_API_TOKEN: "t-123456789" }).channel).toBe(
      "#sales-cold-email-replies",
    );
    expect(notifySettingsFromEnv({ ECHO_API_BASE_URL: base, ECHO_API_KEY: "k-123456789" }).channel).toBe(
      "#cold-email-ops",
    );
    const s = notifySettingsFromEnv({
      ECHO_API_BASE_URL: base,
      ECHO_API_TOKEN: "t-123456789",
      SLACK_NOTIFICATION_CHANNEL: "#ops",
      NOTIFY_TIME_ZONE: "America/New_York",
    });
    expect(s).toMatchObject({
      channel: "#ops",
      timeZone: "America/New_York",
      baseUrl: "https://echo.example.com",
    });
    expect(s.secrets).toContain("t-123456789");
  });

  it("a disabled notifier sends nothing and reports a skip, not a failure", async () => {
    const n = createNotifier({ SLACK_NOTIFICATIONS_ENABLED: "false" });
    const r = await n.send({ kind: "sync" } as never);
    expect(r).toMatchObject({ ok: false, skipped: true, attempts: 0 });
  });

  it("rejects bad settings naming the variable, never printing a secret value", () => {
    const secret = "https://hooks.slack.com/not a url SECRETVALUE";
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ SLACK_WEBHOOK_URL: secret }, /SLACK_WEBHOOK_URL must be an http\(s\) URL/],
      [{ ECHO_API_TOKEN: "SECRETVALUE-123" }, /ECHO_API_TOKEN is set but ECHO_API_BASE_URL is not/],
      [{ ECHO_API_BASE_URL: base }, /ECHO_API_BASE_URL is set but neither ECHO_API_TOKEN nor ECHO_API_KEY/],
      [
        { ECHO_API_BASE_URL: "ftp://SECRETVALUE", ECHO_API_KEY: "k" },
        /ECHO_API_BASE_URL must be an http\(s\) URL/,
      ],
      [{ SLACK_NOTIFICATIONS_ENABLED: "maybe" }, /SLACK_NOTIFICATIONS_ENABLED must be true or false/],
      [{ SLACK_NOTIFICATION_CHANNEL: "# bad channel" }, /SLACK_NOTIFICATION_CHANNEL must be a channel name/],
      [{ NOTIFY_TIME_ZONE: "Mars/Olympus" }, /NOTIFY_TIME_ZONE must be an IANA time zone/],
    ];
    for (const [env, pattern] of cases) {
      let error: unknown;
      try {
        createNotifier(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UserError);
      const text = `${(error as UserError).message} ${(error as UserError).hint}`;
      expect(text).toMatch(pattern);
      expect(text).not.toContain("SECRETVALUE");
    }
  });

  it("describes the destination without secrets", () => {
    const n = createNotifier({ SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T1/B1/SECRETVALUE" });
    expect(n.description).toBe("Slack incoming webhook (hooks.slack.com)");
    const e = createNotifier({
      ECHO_API_BASE_URL: "https://user:SECRETVALUE@echo.example.com/x",
      ECHO_API_TOKEN: "abc",
    });
    expect(e.description).not.toContain("SECRETVALUE");
  });
});
