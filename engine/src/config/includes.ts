import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

/**
 * The sequence-end reasons of the project's includes/rules.js (`SEQUENCE_END_REASONS`), which decide
 * which `cooldown_days_<reason>` vars exist. The includes are evaluated the way Dataform evaluates
 * them (CommonJS, a `dataform.projectConfig.vars` global) so the list has one home: rules.js. A
 * project without includes/rules.js (a team's own rules) has no such family.
 */
export function sequenceEndReasons(projectDir: string, vars: Record<string, string>): string[] {
  const dir = path.join(projectDir, "includes");
  if (!existsSync(path.join(dir, "rules.js"))) return [];
  const rules = evaluateInclude(dir, "rules", { vars }) as {
    SEQUENCE_END_REASONS?: Array<{ code?: unknown }>;
  };
  return (rules.SEQUENCE_END_REASONS ?? []).map((r) => String(r.code));
}

/** A drain reason's label in the drain message, in message order (includes/rules.js DRAIN_REASONS). */
export interface DrainReasonLabel {
  code: string;
  label: string;
}

/** The drain reasons' labels of the project's includes/rules.js, in message order; [] without rules.js. */
export function drainReasonLabels(projectDir: string, vars: Record<string, string>): DrainReasonLabel[] {
  const dir = path.join(projectDir, "includes");
  if (!existsSync(path.join(dir, "rules.js"))) return [];
  const rules = evaluateInclude(dir, "rules", { vars }) as {
    DRAIN_REASONS?: Array<{ code?: unknown; label?: unknown; messageOrder?: unknown }>;
  };
  return (rules.DRAIN_REASONS ?? [])
    .filter((r) => typeof r.label === "string")
    .sort((a, b) => Number(a.messageOrder ?? Infinity) - Number(b.messageOrder ?? Infinity))
    .map((r) => ({ code: String(r.code), label: String(r.label) }));
}

function evaluateInclude(dir: string, name: string, projectConfig: object): unknown {
  const cache = new Map<string, unknown>();
  const context = vm.createContext({ dataform: { projectConfig } });
  const load = (request: string): unknown => {
    const file = path.join(dir, `${request.replace(/^\.\//, "").replace(/\.js$/, "")}.js`);
    if (cache.has(file)) return cache.get(file);
    const module = { exports: {} as unknown };
    cache.set(file, module.exports);
    const wrapper = vm.runInContext(
      `(function (require, module, exports) {\n${readFileSync(file, "utf8")}\n})`,
      context,
      {
        filename: file,
      },
    ) as (r: typeof load, m: typeof module, e: unknown) => void;
    wrapper(load, module, module.exports);
    cache.set(file, module.exports);
    return module.exports;
  };
  return load(`./${name}`);
}
