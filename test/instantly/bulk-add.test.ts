/**
 * Per-row attribution of `POST /leads/add` summaries (counts + created_leads[].index), including the
 * mixed cases that need a lookup and partial responses.
 */
import { describe, expect, it } from "vitest";
import { attributeBulkAdd } from "../../engine/src/instantly/bulk-add.ts";

const statuses = (r: ReturnType<typeof attributeBulkAdd>) => r.rows.map((x) => x.status);

describe("attributeBulkAdd", () => {
  it("maps created_leads indices to rows and decides missing/duplicate emails locally", () => {
    const r = attributeBulkAdd(["a@x.io", "", "A@X.io ", "b@x.io"], {
      leads_uploaded: 2,
      incomplete_count: 1,
      duplicate_email_count: 1,
      created_leads: [
        { index: 3, id: "id-b" },
        { index: 0, id: "id-a" },
      ],
    });
    expect(statuses(r)).toEqual(["created", "incomplete", "duplicate", "created"]);
    expect(r.rows[3]).toMatchObject({ leadId: "id-b", state: "succeeded" });
    expect(r.rows[1]).toMatchObject({ state: "invalid", reason: "missing_email" });
    expect(r.rows[2]).toMatchObject({ state: "skipped", reason: "duplicate_in_payload" });
    expect(r.ambiguous).toEqual([]);
  });

  it("attributes every remaining row when a single category explains them", () => {
    const r = attributeBulkAdd(["a@x.io", "b@x.io", "c@x.io"], {
      leads_uploaded: 1,
      in_blocklist: 2,
      created_leads: [{ index: 1, id: "1" }],
    });
    expect(statuses(r)).toEqual(["blocklisted", "created", "blocklisted"]);
    expect(r.rows[0]).toMatchObject({ state: "rejected", reason: "in_blocklist", retryable: false });
  });

  it("needs a lookup for mixed categories, then resolves skipped / invalid / blocklisted", () => {
    const emails = ["old@x.io", "bad-address", "blocked@y.io", "new@x.io"];
    const summary = {
      leads_uploaded: 1,
      skipped_count: 1,
      invalid_email_count: 1,
      in_blocklist: 1,
      created_leads: [{ index: 3, id: "n" }],
    };
    const first = attributeBulkAdd(emails, summary);
    expect(first.ambiguous).toEqual([0, 1, 2]);
    expect(statuses(first)).toEqual(["not_created", "not_created", "not_created", "created"]);
    const second = attributeBulkAdd(emails, summary, { existing: new Set(["old@x.io"]) });
    expect(statuses(second)).toEqual(["skipped", "invalid", "blocklisted", "created"]);
    expect(second.ambiguous).toEqual([]);
  });

  it("counts duplicated_leads as already present", () => {
    const r = attributeBulkAdd(["a@x.io", "b@x.io"], {
      duplicated_leads: 2,
      leads_uploaded: 0,
      created_leads: [],
    });
    expect(statuses(r)).toEqual(["skipped", "skipped"]);
  });

  it("marks rows as unconfirmed when the response lists fewer created leads than it uploaded", () => {
    const r = attributeBulkAdd(["a@x.io", "b@x.io", "c@x.io"], {
      total_sent: 3,
      leads_uploaded: 3,
      created_leads: [{ index: 0, id: "1" }],
    });
    expect(statuses(r)).toEqual(["created", "unconfirmed", "unconfirmed"]);
    expect(r.rows[1]).toMatchObject({ state: "failed", retryable: true, reason: "unconfirmed" });
  });

  it("does not call a row skipped when an earlier attempt of the same call may have created it", () => {
    const r = attributeBulkAdd(
      ["a@x.io"],
      { skipped_count: 1, leads_uploaded: 0, created_leads: [] },
      {
        retriedAfterAmbiguousFailure: true,
      },
    );
    expect(statuses(r)).toEqual(["unconfirmed"]);
  });
});
