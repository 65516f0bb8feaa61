import { escapeTerminal, guardWorkflowCommands } from "./escape.ts";

/**
 * A plain terminal table: a header, a rule, aligned columns (numbers right-aligned), no colours, so it
 * reads the same in a terminal, a CI log and a pasted issue. `null`/`undefined` cells print as `-`.
 * Cells may hold campaign names and error messages from Instantly: their control characters (terminal
 * escape sequences, line breaks) print as visible `\xNN`, and no line can be a GitHub workflow command
 * (core/escape.ts).
 */
export type Cell = string | number | boolean | null | undefined;

export function renderTable(
  headers: string[],
  rows: Cell[][],
  options: { maxWidth?: number } = {},
): string[] {
  const max = options.maxWidth ?? 60;
  const text = (c: Cell) => {
    const s =
      c === null || c === undefined || c === ""
        ? "-"
        : typeof c === "number"
          ? formatNumber(c)
          : escapeTerminal(String(c));
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };
  const cells = rows.map((r) => headers.map((_, i) => text(r[i])));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || r[i] == null),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "─".repeat(w)).join("  "), ...cells.map(line)].map(
    guardWorkflowCommands,
  );
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString("en-US") : (Math.round(n * 10) / 10).toLocaleString("en-US");
}

/** `12 s`, `3 min 4 s`, `1 h 2 min`: a run's duration for a table cell. */
export function formatDuration(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
