import { describe, expect, it } from "vitest";
import {
  EMAIL_REDACTED,
  findEmails,
  redactDeep,
  redactText,
  SECRET_REDACTED,
  secretValuesFromEnv,
} from "../../engine/src/notify/pii.ts";

describe("PII guard", () => {
  it("finds and redacts email addresses in text, URLs and JSON", () => {
    const text = "rejected jane.doe+x@shop.example.co.uk and mailto:BOB@Example.COM; 50% @ 3pm is fine";
    const r = redactText(text);
    expect(r.redactions).toBe(2);
    expect(r.value).toBe(`rejected ${EMAIL_REDACTED} and mailto:${EMAIL_REDACTED}; 50% @ 3pm is fine`);
    expect(findEmails(r.value)).toEqual([]);
  });

  it("redacts known secret values, longest first", () => {
    const env = {
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T1/B2/abcdefghijkl",
      ECHO_API_TOKEN: "tok_1234567890",
      INSTANTLY_API_KEY: "inst-key-abcdef",
      SLACK_NOTIFICATIONS_ENABLED: "true",
      PATH: "/usr/bin:/bin",
      SHORT_TOKEN: "abc",
    };
    const secrets = secretValuesFromEnv(env);
    expect(secrets).toContain("tok_1234567890");
    expect(secrets).toContain("/services/T1/B2/abcdefghijkl");
    expect(secrets).not.toContain("true");
    expect(secrets).not.toContain("/usr/bin:/bin");
    expect(secrets).not.toContain("abc");
    const r = redactText(
      "posting to https://hooks.slack.com/services/T1/B2/abcdefghijkl with tok_1234567890 and /services/T1/B2/abcdefghijkl",
      secrets,
    );
    expect(r.value).toBe(`posting to ${SECRET_REDACTED} with ${SECRET_REDACTED} and ${SECRET_REDACTED}`);
    expect(r.redactions).toBe(3);
  });

  it("walks nested payloads (keys too) and leaves numbers alone", () => {
    const payload = {
      title: "ok",
      blocks: [{ text: { text: "lead a@b.io failed" } }],
      data: { "x@y.org": 1, n: 5, nested: [null, true, "inst-key-abcdef"] },
    };
    const r = redactDeep(payload, ["inst-key-abcdef"]);
    expect(r.redactions).toBe(3);
    expect(findEmails(r.value)).toEqual([]);
    expect(JSON.stringify(r.value)).not.toContain("inst-key-abcdef");
    expect(r.value.data.n).toBe(5);
    expect(payload.blocks[0]!.text.text).toBe("lead a@b.io failed"); // input untouched
  });
});
