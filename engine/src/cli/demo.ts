import path from "node:path";
import { defineCommand } from "citty";
import { projectDir } from "../config/paths.ts";
import { parseVarsOverride } from "../config/settings.ts";
import { runDemo } from "../local/demo.ts";
import { varsArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";
import { parseCount } from "./seed.ts";

/**
 * `engine demo` (`npm run demo`): the whole loop offline on a fresh clone — synthetic leads in a local
 * DuckDB warehouse, the Instantly simulator in-process, several simulated days of
 * pull → transform → apply with each run's notification printed, then where to look next.
 */
export default defineCommand({
  meta: commandMeta("demo"),
  args: {
    leads: { type: "string", description: "Leads in the synthetic pool (3000, 20k, ...)", default: "3000" },
    days: { type: "string", description: "Simulated days, one run each (up to 365)", default: "7" },
    mailboxes: {
      type: "string",
      description: "Sending accounts per campaign in the simulator (0 = no accounts: unlimited sending)",
      default: "3",
    },
    "mailbox-daily-limit": {
      type: "string",
      description: "Emails a day each sending account may send, shared by its campaigns",
      default: "30",
    },
    seed: {
      type: "string",
      description: "Seed for the pool and the simulator (same seed, same story)",
      default: "1",
    },
    warehouse: {
      type: "string",
      description: "The demo's DuckDB file (replaced at start). Default: .engine/demo/warehouse.duckdb",
    },
    faults: {
      type: "boolean",
      description:
        "Inject transient API faults (429 bursts, 5xx, resets, partial bulk results) to show retries",
      default: false,
    },
    vars: {
      ...varsArg.vars,
      description: `${varsArg.vars.description}; on top of the demo's, e.g. --vars inventory_cap=1000,max_adds_per_run=300`,
    },
  },
  async run({ args }) {
    const file = args.warehouse ?? path.join(projectDir(), ".engine", "demo", "warehouse.duckdb");
    await runDemo({
      leads: parseCount("--leads", args.leads),
      days: parseCount("--days", args.days),
      seed: parseCount("--seed", args.seed),
      warehouseFile: file,
      faults: args.faults,
      mailboxes: parseCount("--mailboxes", args.mailboxes),
      mailboxDailyLimit: parseCount("--mailbox-daily-limit", args["mailbox-daily-limit"]),
      vars: parseVarsOverride(args.vars),
    });
  },
});
