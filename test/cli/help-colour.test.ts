import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { colourWanted } from "../../engine/src/cli/main.ts";
import { repoRoot } from "../../engine/src/config/paths.ts";

/** `--help` prints colour codes only on a terminal and never with NO_COLOR set. */
const BIN = path.join(repoRoot(), "engine/bin/engine.js");

describe("--help colours", () => {
  it("piped (stdout no terminal), the usage has no ANSI escape codes, for engine and a sub-command", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "1" };
    delete env.NO_COLOR;
    for (const args of [["--help"], ["load", "leads", "--help"]]) {
      const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], {
        cwd: repoRoot(),
        env,
      });
      expect(stdout).toMatch(/USAGE/);
      expect(stdout).not.toContain("\u001b");
    }
  }, 60_000);

  it("colours only on a terminal without NO_COLOR", () => {
    expect(colourWanted({}, true)).toBe(true);
    expect(colourWanted({ NO_COLOR: "1" }, true)).toBe(false);
    expect(colourWanted({ NO_COLOR: "" }, true)).toBe(true);
    expect(colourWanted({}, false)).toBe(false);
  });
});
