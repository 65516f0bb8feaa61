import { describe, expect, it } from "vitest";
import { leadTerms, safeMessage, scrubErrorMessage, scrubTerms } from "../../engine/src/instantly/redact.ts";
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
