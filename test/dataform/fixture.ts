import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "../../engine/src/config/paths.ts";

/**
 * A private copy of test/fixtures/dataform-project in a temp dir, ready for the Dataform CLI:
 * - the repo's includes/sql.js (and includes/config.js, which parses the dialect var) is copied in, so
 *   the real dialect helpers are what the fixture runs;
 * - @dataform/core is COPIED into its node_modules (the CLI needs <projectDir>/node_modules/@dataform/core,
 *   and its vm2 sandbox refuses a node_modules symlink that resolves outside the project).
 */
export interface FixtureProject {
  dir: string;
  /** Write (or overwrite) a file relative to the project, e.g. an extra or a broken definition. */
  write(relativePath: string, text: string): void;
  remove(): void;
}

export function copyFixture(name = "dataform-project"): FixtureProject {
  const root = repoRoot();
  const dir = mkdtempSync(path.join(tmpdir(), "df-fixture-"));
  cpSync(path.join(root, "test", "fixtures", name), dir, { recursive: true });
  cpSync(path.join(root, "includes", "sql.js"), path.join(dir, "includes", "sql.js"));
  cpSync(path.join(root, "includes", "config.js"), path.join(dir, "includes", "config.js"));
  mkdirSync(path.join(dir, "node_modules", "@dataform"), { recursive: true });
  cpSync(
    path.join(root, "node_modules", "@dataform", "core"),
    path.join(dir, "node_modules", "@dataform", "core"),
    {
      recursive: true,
    },
  );
  return {
    dir,
    write(relativePath, text) {
      const file = path.join(dir, relativePath);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
