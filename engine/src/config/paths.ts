import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project root: the folder holding `workflow_settings.yaml` (also the Dataform project dir).
 * `ENGINE_PROJECT_DIR` overrides it so tests can compile fixture projects.
 */
export function projectDir(): string {
  const fromEnv = process.env.ENGINE_PROJECT_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  return repoRoot();
}

/** The repository checkout this engine lives in (where node_modules and definitions/ are). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json")) || !existsSync(path.join(dir, "engine"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find the repository root above engine/src/config");
    dir = parent;
  }
  return dir;
}

/** The embedded warehouse file: `.engine/warehouse.duckdb` under the project, or `ENGINE_WAREHOUSE`. */
export function warehousePath(): string {
  const fromEnv = process.env.ENGINE_WAREHOUSE;
  if (fromEnv) return fromEnv === ":memory:" ? fromEnv : path.resolve(fromEnv);
  return path.join(projectDir(), ".engine", "warehouse.duckdb");
}
