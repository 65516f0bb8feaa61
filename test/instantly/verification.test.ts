import { describe, expect, it } from "vitest";
import { isFinal, toResult } from "../../engine/src/instantly/verification.ts";

describe("verification tri-state", () => {
  it.each([
    [{ verification_status: "verified", catch_all: false }, "verified", true],
    [{ verification_status: "verified", catch_all: true }, "catch_all", true],
    [{ verification_status: "verified", catch_all: "pending" }, "pending", false],
    [{ verification_status: "pending", catch_all: "pending" }, "pending", false],
    [{ verification_status: "pending", catch_all: false }, "pending", false],
    [{ verification_status: "invalid", catch_all: "pending" }, "invalid", true],
  ] as const)("%o → %s", (v, result, final) => {
    const ev = { email: "x@y.io", ...v };
    expect(toResult(ev)).toBe(result);
    expect(isFinal(ev)).toBe(final);
  });
});
