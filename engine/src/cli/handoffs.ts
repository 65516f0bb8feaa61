import { writeFileSync } from "node:fs";
import { defineCommand } from "citty";
import { now } from "../core/clock.ts";
import { UserError } from "../core/errors.ts";
import { escapeTerminal } from "../core/escape.ts";
import { renderTable } from "../core/table.ts";
import { lockLoop } from "../sync/lock.ts";
import { loadLoopSettings } from "../sync/session.ts";
import { openWarehouse } from "../warehouse/open-warehouse.ts";
import type { RelationRef, Row, Warehouse } from "../warehouse/port.ts";
import { jsonArg, varsArg, warehouseArg } from "./args.ts";
import { commandMeta } from "./command-list.ts";

/**
 * `engine handoffs`: who replied, from the reporting view rpt_handoffs (definitions/reporting). The
 * view holds emails and names, so this command prints them only on the terminal or into the file
 * asked for; its own messages say how many, never who.
 */
export default defineCommand({
  meta: commandMeta("handoffs"),
  args: {
    since: {
      type: "string",
      description: "Only hand-offs drained since: 24h, 7d or an ISO date/time (default: all)",
    },
    csv: { type: "string", description: "Write them to this CSV file instead of printing a table" },
    ...warehouseArg,
    ...varsArg,
    ...jsonArg("Print the hand-offs as JSON"),
  },
  async run({ args }) {
    const since = args.since === undefined ? undefined : parseSince(args.since, now());
    const settings = loadLoopSettings({ vars: args.vars, warehouse: args.warehouse });
    const lock = lockLoop(args.warehouse, "handoffs");
    try {
      const warehouse = await openWarehouse(settings, { kind: args.warehouse });
      try {
        const rows = await readHandoffs(warehouse, since);
        const scope = since ? ` since ${since.toISOString()}` : "";
        if (args.csv) {
          writeFileSync(args.csv, toCsv(rows));
          console.error(`${countText(rows.length)}${scope} written to ${args.csv}`);
        } else if (args.json) {
          process.stdout.write(`${JSON.stringify(rows.map(toJsonRow), null, 2)}\n`);
          console.error(`${countText(rows.length)}${scope}`);
        } else {
          for (const line of formatHandoffs(rows)) console.log(line);
          console.log(`${countText(rows.length)}${scope}`);
        }
      } finally {
        await warehouse.close();
      }
    } finally {
      lock.release();
    }
  },
});

const VIEW: RelationRef = { dataset: "reporting", name: "rpt_handoffs" };
const DAY_MS = 86_400_000;

const countText = (n: number) => `${n.toLocaleString("en-US")} hand-off${n === 1 ? "" : "s"}`;

/** `24h`, `7d` (back from `at`) or an ISO date / date-time (a date alone is midnight UTC). */
export function parseSince(raw: string, at: Date): Date {
  const relative = /^(\d+)([hd])$/.exec(raw.trim());
  if (relative) {
    const hours = Number(relative[1]) * (relative[2] === "d" ? 24 : 1);
    return new Date(at.getTime() - (hours * DAY_MS) / 24);
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw.trim())) {
    const text = raw.trim();
    // A date-time without a zone is read as UTC, like every time the engine prints.
    const zoned = text.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text;
    const t = Date.parse(zoned.replace(" ", "T"));
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new UserError(`--since must be like 24h, 7d or an ISO date (2026-06-01), got ${JSON.stringify(raw)}`);
}

/** The hand-offs drained at or after `since` (all when undefined), newest first. */
export async function readHandoffs(warehouse: Warehouse, since?: Date): Promise<Row[]> {
  if (!(await warehouse.exists(VIEW))) {
    throw new UserError("the reporting view rpt_handoffs does not exist yet", {
      hint: "run `engine transform` (after `engine pull`) to create the reporting views",
    });
  }
  const rows: Row[] = [];
  for await (const batch of warehouse.read(VIEW)) {
    for (const row of batch) {
      if (!since || time(row.drained_at) >= since.getTime()) rows.push(row);
    }
  }
  return rows.sort(
    (a, b) =>
      time(b.drained_at) - time(a.drained_at) ||
      String(a.email).localeCompare(String(b.email)) ||
      String(a.campaign_id).localeCompare(String(b.campaign_id)),
  );
}

const time = (v: unknown) => (v instanceof Date ? v.getTime() : v ? Date.parse(String(v)) : -1);
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/** The view's columns in its order; JSON and CSV keep them all, the table a readable subset. */
export const COLUMNS = [
  "email",
  "campaign_id",
  "campaign_name",
  "segment",
  "handoff_reason",
  "interest_status",
  "interest_label",
  "replied_at",
  "drained_at",
  "drain_run_id",
  "lead_id",
  "first_name",
  "last_name",
  "company_name",
  "domain",
  "custom_variables",
] as const;

function toJsonRow(row: Row): Row {
  return Object.fromEntries(COLUMNS.map((c) => [c, iso(row[c] ?? null)]));
}

export function formatHandoffs(rows: Row[]): string[] {
  if (rows.length === 0) return ["no hand-offs (no lead drained as replied, interested or meeting_booked)"];
  // Names and company come from the leads file, campaign names from Instantly: escaped for the terminal.
  const text = (v: unknown) => (v === null || v === undefined ? null : escapeTerminal(String(v)));
  const short = (v: unknown) => (v ? String(iso(v)).slice(0, 16).replace("T", " ") : null);
  return renderTable(
    ["drained (UTC)", "replied (UTC)", "reason", "interest", "campaign", "email", "name", "company"],
    rows.map((r) => [
      short(r.drained_at),
      short(r.replied_at),
      text(r.handoff_reason),
      text(r.interest_label),
      text(r.campaign_name ?? r.campaign_id),
      text(r.email),
      text([r.first_name, r.last_name].filter((n) => n).join(" ") || null),
      text(r.company_name),
    ]),
    { maxWidth: 40 },
  );
}

/**
 * RFC 4180 CSV (CRLF, a field with a comma, quote or line break in quotes, quotes doubled). A text
 * cell a spreadsheet would run as a formula (= + - @, or a tab / carriage return first) gets a leading
 * ' so it opens as text: the names come from a leads file anyone may have written.
 */
export function toCsv(rows: Row[]): string {
  const lines = [COLUMNS.join(","), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === "object") text = JSON.stringify(value);
  else text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
