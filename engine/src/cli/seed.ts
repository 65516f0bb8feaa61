import { defineCommand } from "citty";
import { warehousePath } from "../config/paths.ts";
import { loadSettings, parseVarsOverride } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
import { defaultSeed, dncPerLead, seedWarehouse, startOfUtcDay } from "../local/seed.ts";
import { openDuckDb, rawTableNames } from "../warehouse/duckdb.ts";
import { jsonArg, varsArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";

/**
 * `engine seed`: fill the local warehouse's raw leads and DNC tables with realistic synthetic
 * merchants (deterministic from --seed), so the pipeline can run end to end without real data.
 */
export default defineCommand({
  meta: commandMeta("seed"),
  args: {
    leads: {
      type: "string",
      description: "Lead rows to generate (300000, 1_000_000, 50k and 2m also work)",
      default: "300000",
    },
    dnc: {
      type: "string",
      description: `Do-not-contact entries, emails and domains (default ${dncPerLead * 100}% of --leads)`,
    },
    seed: {
      type: "string",
      description: "PRNG seed, 0..4294967295: the same seed (and --as-of) gives identical tables",
      default: String(defaultSeed),
    },
    "as-of": {
      type: "string",
      description:
        "Generation clock (YYYY-MM-DD); timestamps lie in the years before it. Default: today (UTC)",
    },
    ...varsArg,
    ...jsonArg("Print the result as JSON (for scripts)"),
  },
  async run({ args }) {
    const leads = parseCount("--leads", args.leads);
    const dnc = args.dnc === undefined ? undefined : parseCount("--dnc", args.dnc);
    const seed = parseCount("--seed", args.seed);
    const asOf = args["as-of"] === undefined ? startOfUtcDay() : parseDate("--as-of", args["as-of"]);
    const settings = loadSettings({ overrides: parseVarsOverride(args.vars) });
    const file = warehousePath();
    const warehouse = await openDuckDb(file);
    const started = performance.now();
    let nextReport = 100_000;
    try {
      const result = await seedWarehouse(warehouse.conn, settings, {
        leads,
        dnc,
        seed,
        asOf,
        onProgress(done, total) {
          if (done < nextReport || done === total) return;
          nextReport = (Math.floor(done / 100_000) + 1) * 100_000;
          const pct = Math.floor((done / total) * 100);
          process.stderr.write(`seed: ${fmt(done)} / ${fmt(total)} rows (${pct}%)\n`);
        },
      });
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      const names = rawTableNames(settings);
      const tables = {
        leads: `${names.schema}.${names.leads.table}`,
        dnc: `${names.schema}.${names.dnc.table}`,
      };
      const day = asOf.toISOString().slice(0, 10);
      if (args.json) {
        const summary = { ...result, seed, asOf: day, seconds, warehouse: file, tables };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      console.log(
        `Seeded ${fmt(result.leads)} leads and ${fmt(result.dnc)} DNC entries (seed ${seed}, as of ${day}) in ${seconds} s`,
      );
      console.log(`  tables:    ${tables.leads}, ${tables.dnc} (previous contents replaced)`);
      console.log(`  warehouse: ${file}`);
    } finally {
      warehouse.close();
    }
  },
});

const fmt = (n: number) => n.toLocaleString("en-US");

/** A whole number; `_` and `,` separators and a k/m suffix are accepted (`1_000_000`, `300k`, `1m`). */
export function parseCount(flag: string, raw: unknown): number {
  const text = String(raw).trim().toLowerCase().replace(/[_,]/g, "");
  const match = /^(\d+(?:\.\d+)?)([km]?)$/.exec(text);
  const value = match ? Number(match[1]) * (match[2] === "k" ? 1e3 : match[2] === "m" ? 1e6 : 1) : Number.NaN;
  if (!Number.isInteger(value)) {
    throw new UserError(`${flag} must be a whole number, got ${JSON.stringify(raw)}`, {
      hint: `e.g. ${flag} 300000 (or 300k)`,
    });
  }
  return value;
}

function parseDate(flag: string, raw: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(date.getTime())) {
    throw new UserError(`${flag} must be a date like 2026-01-31, got ${JSON.stringify(raw)}`);
  }
  return date;
}
