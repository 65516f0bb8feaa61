import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../engine/src/config/paths.ts";

/**
 * What a reader of the repository can follow: comments and docs point only at files in the repo (never
 * at a design document, a seed or an issue number kept elsewhere), redaction is imported from its leaf
 * (core/redact.ts), and the README names every action table the engine reads.
 */
const ROOT = repoRoot();
const SCANNED = ["engine/src", "engine/bench", "includes", "definitions", "test", ".github"];
const TEXT = /\.(ts|js|sqlx|md|ya?ml)$/;
const SKIP = /(^|\/)(golden|execution-graph|node_modules)\//;

function textFiles(): string[] {
  const out: string[] = [];
  for (const dir of SCANNED) {
    for (const e of readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      const file = path.relative(ROOT, path.join(e.parentPath, e.name));
      if (e.isFile() && TEXT.test(e.name) && !SKIP.test(file)) out.push(file);
    }
  }
  return [...out, "README.md"];
}

/** References a reader cannot open: the design document, the seeds, issue numbers. */
const UNFINDABLE = [/\bDESIGN\.md\b/, /\bseed 0\d\d\b/i, /\bissue #?\d+\b/i];
// this file names the patterns it looks for
const SELF = "test/docs-drift.test.ts";

describe("docs and comments", () => {
  it("point only at what is in the repository", () => {
    const found: string[] = [];
    for (const file of textFiles()) {
      if (file === SELF) continue;
      readFileSync(path.join(ROOT, file), "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (UNFINDABLE.some((re) => re.test(line)))
            found.push(`${file}:${i + 1}: ${line.trim().slice(0, 80)}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("the check finds such a reference when there is one", () => {
    expect(UNFINDABLE.some((re) => re.test("// see DESIGN.md section 5"))).toBe(true);
    expect(UNFINDABLE.some((re) => re.test("(seed 003: revenue 40)"))).toBe(true);
    expect(UNFINDABLE.some((re) => re.test("The commands of issue 14"))).toBe(true);
    expect(UNFINDABLE.some((re) => re.test("a seeded clock"))).toBe(false);
  });

  it("redaction is imported from its leaf, core/redact.ts, by every sink", () => {
    const offenders = textFiles()
      .filter((f) => f.startsWith("engine/src/") && f.endsWith(".ts"))
      .filter((f) => /from "[^"]*instantly\/redact(\.ts)?"/.test(readFileSync(path.join(ROOT, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the README names every action table the SQL hands the engine", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const intro = readme.slice(0, readme.indexOf("## Quick start"));
    for (const table of ["drain_queue", "block_queue", "push_budget", "push_queue"]) {
      expect(intro, table).toContain(`\`${table}\``);
    }
  });
});
