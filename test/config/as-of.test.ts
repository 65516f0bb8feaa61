import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";
import { resetClock, setClock } from "../../engine/src/core/clock.ts";

/**
 * `as_of` is a full timestamp, checked at start with the var named: `1` is not 2001-01-01 (what
 * `new Date("1")` makes of it), `10000-01-01` is refused here instead of failing later in the
 * warehouse, a day that does not exist is refused, and an as_of more than a day after the engine's
 * clock is refused. A list var naming an item twice (`segments=midsize|smb|midsize`) is refused.
 */
const load = (overrides: Record<string, string>) => () => loadSettings({ projectDir: repoRoot(), overrides });

afterEach(() => resetClock());

describe("as_of", () => {
  it.each([
    "1",
    "2026",
    "10000-01-01",
    "2026-02-30",
    "2026-06-01T25:00:00Z",
    "2026-06-01T09:00:00",
    "1969-12-31",
  ])("refuses %s, naming the var", (value) => {
    expect(load({ as_of: value })).toThrow(
      `vars.as_of must be a full ISO timestamp with its zone (2026-06-01T00:00:00Z) or a date (2026-06-01), years 1970 to 9999, or empty, got ${JSON.stringify(value)}`,
    );
  });

  it.each([
    "2026-06-01",
    "2026-06-01T09:00:00Z",
    "2026-06-01 09:00:00.000+00",
    "2026-06-01T11:00:00+02:00",
    "",
  ])("accepts %s", (value) => {
    setClock("2026-06-02T00:00:00Z");
    expect(load({ as_of: value })().vars.as_of).toBe(value);
  });

  it("refuses an as_of more than a day after the engine's clock, and accepts one within a day", () => {
    setClock("2026-06-01T00:00:00Z");
    expect(load({ as_of: "2026-06-02T00:00:00Z" })().vars.as_of).toBe("2026-06-02T00:00:00Z");
    expect(load({ as_of: "2026-06-02T00:00:01Z" })).toThrow(
      /vars\.as_of is "2026-06-02T00:00:01Z", more than a day after the engine's clock \(2026-06-01T00:00:0\d\.\d+Z\)/,
    );
  });
});

describe("list vars", () => {
  it("refuses a segment listed twice, naming the var and the segment", () => {
    expect(load({ segments: "midsize|smb|midsize" })).toThrow(
      'vars.segments lists "midsize" twice, got "midsize|smb|midsize"',
    );
    expect(load({ segments: "midsize|smb" })().segments.map((s) => s.name)).toEqual(["midsize", "smb"]);
  });
});
