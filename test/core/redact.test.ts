import { describe, expect, it } from "vitest";
import { leadTerms, safeMessage, scrubErrorMessage, scrubTerms } from "../../engine/src/core/redact.ts";
import { findEmails, redactText } from "../../engine/src/notify/pii.ts";

describe("email redaction (client and notify guard share one pattern)", () => {
  const hostile = [
    "john%40doe.com",
    "john.smith%2540doe.com",
    "jos%C3%A9%40doe.com",
    "josé@doe.com",
    "user@bücher.de",
    "Ünal.Öz@straße.example.de",
    "почта@пример.рф",
    "plain+tag@shop.example.co.uk",
    // URL-encoded non-ASCII domains, JSON and HTML escapes, an apostrophe, a combining accent.
    "user%40b%C3%BCcher.de",
    "%D0%BF%D0%BE%D1%87%D1%82%D0%B0%40%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.%D1%80%D1%84",
    "user@b\\u00fccher.de",
    "jos\\u00e9@doe.com",
    "john\\u0040doe.com",
    "john&#64;doe.com",
    "john&#x40;doe.com",
    "o'brien@doe.com",
    "jose\u0301@doe.com",
  ];

  for (const address of hostile) {
    it(`removes ${address}`, () => {
      const text = `400 lead ${address} is invalid (see ${encodeURI(`https://x.test/?e=${address}`)})`;
      const client = safeMessage(text);
      expect(client).not.toContain(address);
      expect(client).toContain("[email]");
      const guard = redactText(text);
      expect(guard.value).not.toContain(address);
      expect(guard.redactions).toBeGreaterThan(0);
      expect(findEmails(guard.value)).toEqual([]);
    });
  }

  it("removes an address next to escaped quotes and newlines, and keeps the text after it", () => {
    for (const text of [
      String.raw`{"error":"\u0022john@doe.com\u0022 is invalid"}`,
      String.raw`line one\njohn@doe.com is invalid`,
      "'john@doe.com' is invalid",
      "lead john%40doe.com%20is%20invalid",
    ]) {
      const out = safeMessage(text);
      expect(out, text).not.toMatch(/john/);
      expect(out, text).toMatch(/is(%20| )invalid/);
      expect(findEmails(redactText(text).value), text).toEqual([]);
    }
  });

  it("stays linear on long runs that hold no address (a quadratic scan took minutes here)", () => {
    for (const text of [
      "a".repeat(100_000),
      "a%40".repeat(25_000),
      "a'".repeat(50_000),
      "\\u00e9".repeat(15_000),
      `x@${"a.".repeat(50_000)}`,
    ]) {
      expect(safeMessage(text, 200_000)).toBe(text);
    }
    expect(safeMessage(`${"a".repeat(100_000)}@doe.com and more`)).toBe("[email] and more");
  });

  it("leaves ordinary text with percent signs and at-signs alone", () => {
    const text = "50% @ 3pm: 12 of 40 leads failed, retry in 5 s";
    expect(safeMessage(text)).toBe(text);
    expect(redactText(text).value).toBe(text);
  });
});

describe("name scrubbing with the batch's own values", () => {
  const batch = [
    { email: "a@x.io", first_name: "José", last_name: "Álvarez", company_name: "Bücher GmbH" },
    {
      email: "b@x.io",
      first_name: "Li",
      last_name: "O'Neil",
      custom_variables: { merchant: "Acme & Sons", n: 3 },
    },
  ];
  const terms = leadTerms(batch);

  it("collects names, companies and string custom variables", () => {
    expect([...terms].sort()).toEqual(
      ["Acme & Sons", "Bücher GmbH", "José", "Li", "O'Neil", "Álvarez"].sort(),
    );
  });

  it("removes them as written, in any case, and URL-encoded", () => {
    const echoed =
      "Lead JOSÉ álvarez at Bücher GmbH rejected; li o'neil (Acme%20%26%20Sons) too; query=Jos%C3%A9+%C3%81lvarez";
    const out = scrubTerms(echoed, terms);
    for (const term of terms) expect(out.toLowerCase()).not.toContain(term.toLowerCase());
    expect(out).not.toMatch(/Jos%C3%A9|%C3%81lvarez|Acme%20/);
    expect(out).toContain("[name]");
  });

  it("matches whole words only, so short names do not mangle the message", () => {
    expect(scrubTerms("limit reached for Li", terms)).toBe("limit reached for [name]");
  });

  it("scrubs an error's message in place, keeping its class", () => {
    class RejectedError extends Error {}
    const error = new RejectedError("POST /leads/add: 400 lead José Álvarez (Bücher GmbH) is invalid");
    const scrubbed = scrubErrorMessage(error, terms);
    expect(scrubbed).toBe(error);
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.message).toBe("POST /leads/add: 400 lead [name] [name] ([name]) is invalid");
  });
});
