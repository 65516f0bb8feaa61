import { describe, expect, it } from "vitest";
import { makeAction } from "../../engine/src/core/plan.ts";
import type { InstantlyOutcome } from "../../engine/src/instantly/errors.ts";
import type { VerificationOutcome } from "../../engine/src/instantly/index.ts";
import { addUp, fatalOf } from "../../engine/src/sync/apply/results.ts";
import { describeStop, nextStop } from "../../engine/src/sync/apply/verify.ts";
import type { FinalEntry } from "../../engine/src/sync/journal.ts";
import { Tally } from "../../engine/src/sync/tally.ts";

type Outcome = InstantlyOutcome<VerificationOutcome>;
const verified: Outcome = {
  status: "succeeded",
  value: { result: "verified", creditsUsed: 1 } as VerificationOutcome,
};
const noCredits: Outcome = {
  status: "failed",
  retryable: false,
  code: "out_of_credits",
  message: "no credits",
};
const circuit: Outcome = { status: "failed", retryable: true, code: "circuit_open", message: "circuit open" };
const timeout: Outcome = { status: "failed", retryable: true, code: "timeout", message: "timed out" };
const fatal: Outcome = { status: "fatal", code: "unauthorized", message: "the key was revoked" };
const fatal2: Outcome = { status: "fatal", code: "forbidden", message: "another fatal answer" };

describe("verify's stop reason (a typed union, not a string)", () => {
  it("an answer that calls for no stop leaves none", () => {
    expect(nextStop(null, verified)).toBeNull();
    expect(nextStop(null, timeout)).toBeNull();
  });

  it("out of credits and an open circuit each stop the wave with their kind", () => {
    expect(nextStop(null, noCredits)).toEqual({ kind: "out_of_credits" });
    expect(nextStop(null, circuit)).toEqual({ kind: "circuit_open" });
  });

  it("the first non-fatal stop stays; a fatal answer replaces it, and the first fatal stays", () => {
    const credits = nextStop(null, noCredits);
    expect(nextStop(credits, circuit)).toEqual({ kind: "out_of_credits" });
    const stopped = nextStop(credits, fatal);
    expect(stopped).toEqual({ kind: "fatal", error: "the key was revoked" });
    expect(nextStop(stopped, fatal2)).toEqual(stopped);
    expect(nextStop(stopped, noCredits)).toEqual(stopped);
  });

  it("each kind is described in the words the warnings and stored messages use", () => {
    expect(describeStop({ kind: "out_of_credits" })).toBe("out of verification credits");
    expect(describeStop({ kind: "circuit_open" })).toBe("circuit open");
    expect(describeStop({ kind: "fatal", error: "x" })).toBe("the run stopped on a fatal error");
  });
});

describe("the run's totals are assembled from the phases' results", () => {
  const entry = (
    op: "drain" | "block" | "add" | "verify",
    campaign: string,
    state: FinalEntry["state"],
    code?: string,
  ) =>
    ({
      action: makeAction({
        action_id: `${op}-${campaign}-${state}`,
        op,
        email: "x@example.test",
        campaign_id: campaign,
        reason: op,
      }),
      state,
      ...(code ? { errorCode: code } : {}),
    }) satisfies FinalEntry;
  const drainRows = [entry("drain", "c1", "succeeded"), entry("drain", "c2", "failed", "still_present")];
  const blockRows = [entry("block", "c1", "succeeded")];
  const pushRows = [
    entry("verify", "c2", "succeeded"),
    entry("add", "c2", "succeeded"),
    entry("add", "c1", "failed", "timeout"),
  ];

  it("Tally.sum of the phases' tallies equals one tally that recorded every row in order (keys included)", () => {
    const one = new Tally();
    for (const e of [...drainRows, ...blockRows, ...pushRows]) one.record(e);
    const parts = [drainRows, blockRows, pushRows].map((rows) => {
      const t = new Tally();
      for (const e of rows) t.record(e);
      return t;
    });
    expect(JSON.stringify(Tally.sum(parts))).toBe(JSON.stringify(one));
    expect(Tally.sum(parts).count("add", "succeeded")).toBe(1);
    expect(Tally.sum(parts).errorsByPhase).toEqual({ drain: { still_present: 1 }, push: { timeout: 1 } });
  });

  it("addUp keeps the warnings in run order and the first fatal end is the run's error", () => {
    const tally = (rows: FinalEntry[]) => {
      const t = new Tally();
      for (const e of rows) t.record(e);
      return t;
    };
    const totals = addUp(
      {
        drain: {
          tally: tally(drainRows),
          attempted: 2,
          warnings: ["drain warning"],
          end: { kind: "completed" },
        },
        block: { tally: tally(blockRows), end: { kind: "stopped", reason: "call_failed" } },
        push: {
          tally: tally(pushRows),
          addsAttempted: 2,
          addsUnknown: 1,
          suppressedSinceTransform: 0,
          verification: { attempted: 1, verified: 1, invalid: 0, catchAll: 0, pending: 0, creditsUsed: 1 },
          warnings: ["push warning"],
          end: { kind: "fatal", error: "boom" },
        },
      },
      { drain: 5, push: 7 },
      ["checks warning"],
    );
    expect(totals.warnings).toEqual(["checks warning", "drain warning", "push warning"]);
    expect([totals.drainsAttempted, totals.addsAttempted, totals.addsUnknown]).toEqual([2, 2, 1]);
    expect(totals.tally.states()).toEqual({ succeeded: 4, failed: 2 });
    expect(fatalOf({ kind: "completed" }, { kind: "stopped", reason: "call_failed" })).toBeUndefined();
    expect(fatalOf(undefined, { kind: "fatal", error: "boom" }, { kind: "fatal", error: "later" })).toBe(
      "boom",
    );
  });
});
