import { defineCommand } from "citty";
import { warehousePath } from "../config/paths.ts";
import { ExitCode } from "../core/errors.ts";
import type { CachedCompile } from "../dataform/compile-cache.ts";
import type { ActionResult, ProgressEvent } from "../dataform/runner.ts";
import { jsonArg, varsArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";
// Heavy modules load in run(): `engine --help` reads every command's meta, so top-level imports stay light.

/**
 * `engine transform`: compile the Dataform project for DuckDB and run the graph on the local warehouse
 * (the DuckDB file of `engine seed`/`engine load`). One progress line per action, then a timing summary.
 * Exits non-zero when an action, an assertion or a unit test fails.
 */
export default defineCommand({
  meta: commandMeta("transform"),
  args: {
    tags: { type: "string", description: "Only actions with one of these tags, e.g. --tags staging,outputs" },
    actions: {
      type: "string",
      description:
        "Only these actions (name or schema.name), e.g. --actions push_queue,cold_email.drain_queue",
    },
    "include-deps": {
      type: "boolean",
      description: "With --tags/--actions: also run what the selected actions depend on",
      default: false,
    },
    "full-refresh": {
      type: "boolean",
      description: "Rebuild incremental tables from scratch",
      default: false,
    },
    "run-tests": {
      type: "boolean",
      description: 'Run the type:"test" unit tests first; nothing else runs if one fails',
      default: false,
    },
    ...varsArg,
    cache: {
      type: "boolean",
      description:
        "Reuse the compiled graph cached in .engine/ while definitions/, includes/, workflow_settings.yaml, vars and Dataform version are unchanged; --no-cache compiles anyway",
      default: true,
    },
    diff: {
      type: "boolean",
      description:
        "After the run, per output how many leads changed state, segment, queue position or drain and why (lead_status before vs after), then the leads (emails: your terminal only; --json: all)",
      default: false,
    },
    ...jsonArg(),
  },
  async run({ args }) {
    const [{ loadSettings, parseVarsOverride }, { transformLocal }, { openDuckDb }, leadDiff] =
      await Promise.all([
        import("../config/settings.ts"),
        import("../dataform/transform.ts"),
        import("../warehouse/duckdb.ts"),
        import("../local/lead-diff.ts"),
      ]);
    const settings = loadSettings({ overrides: { ...parseVarsOverride(args.vars), dialect: "duckdb" } });
    const list = (v: string | undefined) =>
      v === undefined
        ? undefined
        : v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
    const file = warehousePath();
    const log = args.json
      ? (line: string) => process.stderr.write(`${line}\n`)
      : (line: string) => console.log(line);
    // The redrawn heartbeat line is for a person at a terminal: never in --json or piped output.
    const tty = heartbeatWanted({ json: args.json, isTTY: process.stdout.isTTY === true });
    const warehouse = await openDuckDb(file);
    try {
      log(`transform: warehouse ${file}`);
      if (args.diff) await leadDiff.snapshotLeadStatus(warehouse.conn, settings);
      const result = await transformLocal({
        settings,
        conn: warehouse.conn,
        cache: args.cache !== false,
        onCompiled: (c) => log(compileLine(c)),
        ...(tty ? { heartbeat: { write: (text: string) => process.stdout.write(text) } } : {}),
        tags: list(args.tags),
        actions: list(args.actions),
        includeDependencies: args["include-deps"],
        fullRefresh: args["full-refresh"],
        runTests: args["run-tests"],
        onProgress: (e) => {
          const line = progressLine(e);
          if (line) log(line);
        },
      });
      const failures = result.actions.filter((a) => a.status === "failed");
      // A failed run leaves lead_status half-built or old: no diff then.
      const diff =
        args.diff && result.ok ? await leadDiff.diffLeadStatus(warehouse.conn, settings) : undefined;
      if (args.json) {
        const { graph: _graph, ...rest } = result;
        const actions = rest.actions.map(({ sample: _s, ...a }) => a);
        process.stdout.write(`${JSON.stringify({ ...rest, actions, ...(diff ? { diff } : {}) }, null, 2)}\n`);
      } else {
        log(timingSummary(result.actions, result.ms, result.compileMs));
        for (const f of failures) log(`✗ ${f.name}: ${f.error ?? "failed"}`);
        if (diff) for (const line of leadDiff.formatLeadDiff(diff)) log(line);
      }
      if (!result.ok) process.exitCode = ExitCode.failed;
    } finally {
      warehouse.close();
    }
  },
});

/** The heartbeat only on a terminal and never with --json (their output is read by scripts). */
export function heartbeatWanted(output: { json: boolean; isTTY: boolean }): boolean {
  return output.isTTY && !output.json;
}

/** Which way the graph came: the cache (hit), a compile that filled it (miss), or --no-cache. */
export function compileLine(c: Omit<CachedCompile, "graph">): string {
  const ms = `${c.ms.toLocaleString("en-US")} ms`;
  if (c.cache === "hit") return `transform: compile cache hit (${c.key.slice(0, 12)}), graph read in ${ms}`;
  if (c.cache === "miss")
    return `transform: compile cache miss: compiled for DuckDB in ${ms}, cached as ${c.key.slice(0, 12)}`;
  return `transform: compiled for DuckDB in ${ms} (--no-cache)`;
}

/** `[3/12] ✓ view        cold_email_staging.stg_leads   12 ms  300,000 rows` */
export function progressLine(e: ProgressEvent): string | undefined {
  if (e.kind !== "done") return undefined;
  const r = e.result;
  const mark = r.status === "ok" ? "✓" : r.status === "failed" ? "✗" : "-";
  const width = String(e.total).length;
  const rows =
    r.rows === undefined || r.status === "skipped" ? "" : `  ${r.rows.toLocaleString("en-US")} rows`;
  const mode = r.mode ? ` (${r.mode})` : "";
  const status = r.status === "ok" ? "" : `  ${r.status.toUpperCase()}`;
  return `[${String(e.index + 1).padStart(width)}/${e.total}] ${mark} ${r.type.padEnd(11)} ${r.name.padEnd(44)} ${`${Math.round(r.ms)} ms`.padStart(8)}${rows}${mode}${status}`;
}

/** Totals by status and the slowest actions. */
export function timingSummary(actions: ActionResult[], totalMs: number, compileMs: number): string {
  const by = (s: string) => actions.filter((a) => a.status === s).length;
  const slowest = [...actions]
    .filter((a) => a.status !== "skipped")
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((a) => `${a.name} ${Math.round(a.ms)} ms`)
    .join(", ");
  return [
    `transform: ${by("ok")} ok, ${by("failed")} failed, ${by("skipped")} skipped in ${Math.round(totalMs)} ms (+ ${compileMs} ms compile)`,
    slowest ? `  slowest: ${slowest}` : "",
  ]
    .filter(Boolean)
    .join("\n");
}
