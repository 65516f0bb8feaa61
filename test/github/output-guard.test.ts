import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";

/**
 * In GitHub Actions the runner executes any log line starting with `::` (or holding `##[`) as a
 * workflow command. A child process installs the engine's output guard (cli/main.ts does at start)
 * and prints what an upstream error could make it print, plus one of its own annotations.
 */
function run(env: Record<string, string>) {
  const script = `
    const { guardProcessOutput } = await import("./engine/src/cli/output-guard.ts");
    const { annotation } = await import("./engine/src/report/github.ts");
    guardProcessOutput(${JSON.stringify(env)});
    console.log("campaign Cold\\n::warning title=x::pwned\\n::add-mask::Cold");
    process.stderr.write("error: upstream said\\n  ::stop-commands::tok\\nx ##[add-mask]Cold\\n");
    console.log(annotation("warning", "guard", "campaign Cold\\n::add-mask::Cold"));
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: repoRoot(),
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return `${r.stdout}${r.stderr}`;
}

const commandLines = (text: string) =>
  text.split(/\r\n|\r|\n/).filter((l) => /^\s*::/.test(l) || l.includes("##["));

describe("sink: stdout and stderr in a GitHub Actions log", () => {
  it("no line is a workflow command except the engine's own annotation", () => {
    const out = run({ GITHUB_ACTIONS: "true" });
    expect(commandLines(out)).toEqual(["::warning title=guard::campaign Cold%0A::add-mask::Cold"]);
    // the text is still there to read
    expect(out.replace(/\u200b/g, "")).toContain("::warning title=x::pwned");
  }, 30_000);

  it("changes nothing outside Actions", () => {
    const out = run({});
    expect(commandLines(out).length).toBe(5);
  }, 30_000);
});
