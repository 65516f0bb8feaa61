import { defineCommand } from "citty";
import { ExitCode, UserError } from "../core/errors.ts";
import { transformLocal } from "../dataform/transform.ts";
import { runApply } from "../sync/apply/run.ts";
import { lockLoop } from "../sync/lock.ts";
import { runPull } from "../sync/pull.ts";
import { loadLoopSettings, notifyHook, openSession } from "../sync/session.ts";
import { formatApply, formatPull } from "../sync/summary.ts";
import { DuckDbWarehouse } from "../warehouse/duckdb-warehouse.ts";
import { dryRunArg, forceArg, jsonArg, onlyArg, outArg, parseOnly, varsArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";
import { announceInterrupt } from "./interrupt.ts";
import { planAndReport } from "./plan-run.ts";

/**
 * `engine run`: the local loop in one command — pull, the transform on the DuckDB warehouse, apply —
 * against the Instantly at INSTANTLY_BASE_URL (a sandbox from `engine sandbox` when testing). One
 * lock for the whole sequence; progress per phase; a summary table at the end. `--dry-run` ends with
 * a plan instead of apply: nothing is written to Instantly.
 */
export default defineCommand({
  meta: commandMeta("run"),
  args: {
    ...onlyArg,
    ...forceArg,
    ...dryRunArg,
    out: { ...outArg.out, description: `With --dry-run: ${outArg.out.description}` },
    ...varsArg,
    ...jsonArg(),
  },
  async run({ args }) {
    const only = parseOnly(args.only);
    if (args.out && !args["dry-run"]) throw new UserError("--out is for --dry-run (where to save the plan)");
    const settings = loadLoopSettings({ vars: args.vars, warehouse: "duckdb" });
    const out = args.json ? process.stderr : process.stdout;
    const log = (line: string) => out.write(`${line}\n`);
    const lock = lockLoop("duckdb", "run");
    try {
      const session = await openSession({ settings, warehouse: "duckdb" });
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

        if (args["dry-run"]) {
          log("── plan (dry run: nothing is written to Instantly)");
          process.exitCode = await planAndReport(session, {
            ...(only ? { only } : {}),
            force: args.force,
            ...(args.out ? { out: args.out } : {}),
            json: args.json,
          });
          return;
        }
        const progress: string[] = [];
        const stopListening = announceInterrupt(
          "run",
          session.client,
          () => ["pull", "transform", ...progress.slice(-4)],
          session.warehouse,
        );
        const apply = await phase(
          "apply",
          () =>
            runApply({
              ...session,
              mode: "apply",
              ...(only ? { only } : {}),
              force: args.force,
              log: (line) => {
                if (!line.startsWith(" ")) progress.push(line);
                log(line);
              },
              onReport: notifyHook(session.settings, session.warehouse),
            }),
          (r) => `${r.status}: +${r.report.adds.added} −${r.report.drain.deleted}`,
        ).finally(stopListening);
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
