import { defineCommand } from "citty";
import { ExitCode, UserError } from "../core/errors.ts";
import type { DuckDbWarehouse } from "../warehouse/duckdb-warehouse.ts";
// Heavy modules load in run(): `engine --help` reads every command's meta, so top-level imports stay light.
import { parseOnly } from "./apply.ts";

/**
 * `engine run`: the local loop in one command — pull, the transform on the DuckDB warehouse, apply —
 * against the Instantly at INSTANTLY_BASE_URL (a sandbox from `engine sandbox` when testing). One
 * lock for the whole sequence; progress per phase; a summary table at the end.
 */
export default defineCommand({
  meta: {
    name: "run",
    description:
      "Local convenience: pull → transform (DuckDB) → apply, with progress per phase and a summary.",
  },
  args: {
    only: { type: "string", description: "Apply one phase: drain or push" },
    force: { type: "boolean", description: "Override the drain and empty-source guards", default: false },
    vars: { type: "string", description: "Override workflow_settings.yaml vars" },
    json: {
      type: "boolean",
      description: "Print the results as JSON (progress goes to stderr)",
      default: false,
    },
  },
  async run({ args }) {
    const [
      { transformLocal },
      { runApply },
      { lockLoop },
      { runPull },
      { notifyHook, openSession },
      { formatApply, formatPull },
      { DuckDbWarehouse },
    ] = await Promise.all([
      import("../dataform/transform.ts"),
      import("../sync/apply.ts"),
      import("../sync/lock.ts"),
      import("../sync/pull.ts"),
      import("../sync/session.ts"),
      import("../sync/summary.ts"),
      import("../warehouse/duckdb-warehouse.ts"),
    ]);
    const only = parseOnly(args.only);
    const out = args.json ? process.stderr : process.stdout;
    const log = (line: string) => out.write(`${line}\n`);
    const lock = lockLoop("duckdb", "run");
    try {
      const session = await openSession({ vars: args.vars, warehouse: "duckdb" });
      try {
        if (!(session.warehouse instanceof DuckDbWarehouse)) {
          throw new UserError("engine run works on the local DuckDB warehouse only");
        }
        const rows: Array<[string, string, string, string]> = [];
        const phase = async <T>(name: string, fn: () => Promise<T>, describe: (r: T) => string) => {
          log(`── ${name}`);
          const calls = session.client.stats().totals.calls;
          const t0 = performance.now();
          const result = await fn();
          const ms = Math.round(performance.now() - t0);
          rows.push([
            name,
            `${ms} ms`,
            String(session.client.stats().totals.calls - calls),
            describe(result),
          ]);
          return result;
        };

        const pull = await phase(
          "pull",
          () => runPull({ ...session, log }),
          (r) => `${r.leads} leads`,
        );
        for (const line of formatPull(pull)) log(line);

        const transform = await phase(
          "transform",
          () =>
            transformLocal({
              settings: session.settings,
              conn: (session.warehouse as DuckDbWarehouse).conn,
              onProgress: (e) => {
                if (e.kind === "done" && e.result.status === "failed")
                  log(`  ✗ ${e.result.name}: ${e.result.error}`);
              },
            }),
          (r) => `${r.counts.ok ?? 0} ok, ${r.counts.failed ?? 0} failed`,
        );
        if (!transform.ok) {
          log("transform failed: nothing was applied");
          process.exitCode = ExitCode.failed;
          return;
        }

        const apply = await phase(
          "apply",
          () =>
            runApply({
              ...session,
              mode: "apply",
              ...(only ? { only } : {}),
              force: args.force,
              log,
              onReport: notifyHook(session.settings, session.warehouse),
            }),
          (r) => `${r.status}: +${r.report.adds.added} −${r.report.drain.deleted}`,
        );
        for (const line of formatApply(apply)) log(line);

        log("");
        log(`${"phase".padEnd(10)} ${"time".padStart(10)} ${"API calls".padStart(10)}  result`);
        for (const [name, time, calls, result] of rows) {
          log(`${name.padEnd(10)} ${time.padStart(10)} ${calls.padStart(10)}  ${result}`);
        }
        if (args.json)
          process.stdout.write(
            `${JSON.stringify({ pull, apply: { ...apply, plan: undefined } }, null, 2)}\n`,
          );
        process.exitCode = apply.exitCode;
      } finally {
        await session.close();
      }
    } finally {
      lock.release();
    }
  },
});
