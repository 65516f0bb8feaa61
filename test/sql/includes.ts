import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { loadSettings } from "../../engine/src/config/settings.ts";

/**
 * The project's includes/*.js evaluated as Dataform evaluates them: CommonJS modules that require each
 * other, with `dataform.projectConfig` in scope. `vars` are the workflow_settings.yaml vars with
 * `overrides` on top (e.g. `{ dialect: "duckdb" }`), so includes/config.js parses them as in a compile.
 */
export function loadIncludes(
  overrides: Record<string, string> = {},
  projectConfig: Record<string, unknown> = {},
): (name: string) => Record<string, unknown> {
  const vars = loadSettings({ projectDir: repoRoot(), overrides }).rawVars;
  const dataform = { projectConfig: { ...projectConfig, vars } };
  const dir = path.join(repoRoot(), "includes");
  const cache = new Map<string, { exports: Record<string, unknown> }>();
  const load = (request: string): Record<string, unknown> => {
    const key = request.replace(/^\.\//, "").replace(/\.js$/, "");
    const cached = cache.get(key);
    if (cached) return cached.exports;
    const mod = { exports: {} as Record<string, unknown> };
    cache.set(key, mod);
    const source = readFileSync(path.join(dir, `${key}.js`), "utf8");
    new Function("module", "exports", "require", "dataform", source)(mod, mod.exports, load, dataform);
    return mod.exports;
  };
  return load;
}
