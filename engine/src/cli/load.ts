import { defineCommand } from "citty";
import { warehousePath } from "../config/paths.ts";
import { loadSettings, parseVarsOverride } from "../config/settings.ts";
import { type LoadResult, loadDnc, loadLeads } from "../local/load.ts";
import { openDuckDb } from "../warehouse/duckdb.ts";
import { leadsTable } from "../warehouse/tables.ts";
import { jsonArg, varsArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";

/**
 * `engine load leads|dnc <file>`: load a team's own CSV or Parquet file into the local warehouse.
 * Validation happens before anything is written; a bad file leaves the table as it was.
 */
const sharedArgs = {
  file: {
    type: "positional",
    description: "A .csv (header row, comma/semicolon/tab separated, UTF-8), .tsv or .parquet file",
    required: true,
  },
  append: {
    type: "boolean",
    description: "Add the file's rows to the table instead of replacing its contents",
    default: false,
  },
  format: { type: "string", description: "csv or parquet, when the extension does not tell" },
  "null-bad": {
    type: "string",
    description:
      "Comma list of typed columns whose unreadable values ($1,200,000, n/a, 11-50 in a number column) load as empty, counted per column; without it such a file is refused",
  },
  ...varsArg,
  ...jsonArg("Print the result as JSON (for scripts)"),
} as const;

function loader(which: "leads" | "dnc", description: string) {
  return defineCommand({
    meta: { name: which, description },
    args: sharedArgs,
    async run({ args }) {
      const settings = loadSettings({ overrides: parseVarsOverride(args.vars) });
      const warehouse = await openDuckDb(warehousePath());
      const started = performance.now();
      try {
        const load = which === "leads" ? loadLeads : loadDnc;
        const result = await load(warehouse.conn, settings, String(args.file), {
          append: Boolean(args.append),
          format: args.format,
          nullBad: String(args["null-bad"] ?? "")
            .split(",")
            .map((c) => c.trim().toLowerCase())
            .filter(Boolean),
        });
        const seconds = Math.round((performance.now() - started) / 100) / 10;
        if (args.json) {
          process.stdout.write(`${JSON.stringify({ ...result, seconds, warehouse: warehouse.path })}\n`);
          return;
        }
        console.log(describe(result, seconds, warehouse.path));
      } finally {
        warehouse.close();
      }
    },
  });
}

function describe(r: LoadResult, seconds: number, warehouse: string): string {
  const fmt = (n: number) => n.toLocaleString("en-US");
  const lines = [
    r.mode === "append"
      ? `Appended ${fmt(r.rows)} rows to ${r.table} (now ${fmt(r.totalRows)}) in ${seconds} s`
      : `Loaded ${fmt(r.rows)} rows into ${r.table} (replacing ${fmt(r.previousRows)}) in ${seconds} s`,
    `  file:      ${r.file} (${r.format})`,
  ];
  if (r.skippedRows > 0) {
    const key = r.table.endsWith("leads") ? "email" : "value";
    lines.push(
      `  skipped ${fmt(r.skippedRows)} rows with a blank ${key} (first at data row ${r.firstSkippedRow})`,
    );
  }
  if (r.extraColumns.length > 0) {
    lines.push(
      `  extra columns kept as VARCHAR (sent to Instantly only when custom_variable_columns lists them): ${r.extraColumns.join(", ")}`,
    );
  }
  const nulled = Object.entries(r.nulledValues);
  if (nulled.length > 0) {
    const counts = nulled.map(([column, n]) => `${column} ${fmt(n)}`).join(", ");
    lines.push(`  loaded as empty (--null-bad, unreadable values): ${counts}`);
  }
  if (r.ignoredColumns.length > 0) lines.push(`  columns ignored: ${r.ignoredColumns.join(", ")}`);
  if (r.dnc) {
    const read = Object.entries(r.dnc.notations)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([notation, n]) => `${notation} ${fmt(n)}`);
    lines.push(`  read as:   ${read.join(", ")} (--json lists each row's canonical value and kind)`);
    if (r.dnc.kindMismatches > 0) {
      lines.push(
        `  kind:      ${fmt(r.dnc.kindMismatches)} rows read as another kind than their kind column says; the value decides`,
      );
    }
  }
  lines.push(`  warehouse: ${warehouse}`);
  return lines.join("\n");
}

export default defineCommand({
  meta: commandMeta("load"),
  subCommands: {
    leads: loader(
      "leads",
      `Load leads: \`email\` required; known columns (${leadsTable.columns
        .filter((c) => !c.required)
        .map((c) => c.name)
        .join(", ")}) must cast to their types (README "Columns of leads and dnc_list"); ` +
        "other columns are kept as VARCHAR; the custom_variable_columns var says which go to Instantly as custom_variables.",
    ),
    dnc: loader(
      "dnc",
      "Load the do-not-contact list: `value` and `kind` (email|domain) required; reason, source, added_at optional. " +
        "Each value is read as the rules read it (includes/canonical.js: `*.x.com`, `https://x.com`, `mailto:`, " +
        "`Name <a@b>`, IDN ...) and reported per notation (--json: per row); a value that is neither an email " +
        "nor a domain refuses the file, naming its row.",
    ),
  },
});
