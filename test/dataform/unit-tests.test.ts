import { describe, expect, it } from "vitest";
import { compareRows } from "../../engine/src/dataform/unit-tests.ts";

describe("compareRows (the Dataform CLI's unit test comparison, on strings)", () => {
  it("fails on a different row count", () => {
    expect(compareRows([{ A: "1" }], [])).toEqual({
      ok: false,
      messages: ["Expected 0 rows, but saw 1 rows."],
    });
  });

  it("fails on different columns", () => {
    expect(compareRows([{ A: "1" }], [{ B: "1" }])).toEqual({
      ok: false,
      messages: ['Expected columns "B", but saw "A".'],
    });
  });

  it("reports null mismatches and value mismatches per row and column", () => {
    const result = compareRows(
      [
        { A: "1", B: null },
        { A: "2", B: "x" },
      ],
      [
        { A: "1", B: "y" },
        { A: "3", B: "x" },
      ],
    );
    expect(result).toEqual({
      ok: false,
      messages: [
        'For row 0 and column "B": expected "y", but saw null.',
        'For row 1 and column "A": expected "3", but saw "2".',
      ],
    });
  });

  it("passes equal rows, and rows that only differ in order (no ORDER BY means no order)", () => {
    expect(compareRows([{ A: "1" }, { A: "2" }], [{ A: "1" }, { A: "2" }]).ok).toBe(true);
    expect(compareRows([{ A: "2" }, { A: "1" }], [{ A: "1" }, { A: "2" }]).ok).toBe(true);
    expect(compareRows([], []).ok).toBe(true);
  });
});
