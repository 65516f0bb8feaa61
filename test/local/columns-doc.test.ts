import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { dncTable, leadsTable, type TableDef } from "../../engine/src/warehouse/tables.ts";

/**
 * The README's "Columns of leads and dnc_list" tables are rendered from the one place the columns are
 * defined (engine/src/warehouse/tables.ts). `UPDATE_GOLDEN=1` rewrites the README between its markers.
 */
const typeWords: Record<string, string> = {
  STRING: "text",
  INT64: "whole number",
  FLOAT64: "number",
  TIMESTAMP: "timestamp",
  BOOL: "true/false",
  DATE: "date",
  JSON: "JSON",
};

function tableMarkdown(def: TableDef): string {
  return [
    `\`${def.name}\`: ${def.description}`,
    "",
    "| column | type | required | meaning |",
    "| --- | --- | --- | --- |",
    ...def.columns.map(
      (c) =>
        `| \`${c.name}\` | ${typeWords[c.type]} | ${c.required ? "yes" : ""} | ${c.description.replace(/\|/g, "\\|")} |`,
    ),
  ].join("\n");
}

const START =
  "<!-- columns:start (rendered from engine/src/warehouse/tables.ts by test/local/columns-doc.test.ts) -->";
const END = "<!-- columns:end -->";

describe("README columns of leads and dnc_list", () => {
  it("match engine/src/warehouse/tables.ts column by column", () => {
    const file = path.join(repoRoot(), "README.md");
    const readme = readFileSync(file, "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, "README.md lacks the columns:start marker").toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const expected = `\n\n${[leadsTable, dncTable].map(tableMarkdown).join("\n\n")}\n\n`;
    const actual = readme.slice(start + START.length, end);
    if (process.env.UPDATE_GOLDEN && actual !== expected) {
      writeFileSync(file, readme.slice(0, start + START.length) + expected + readme.slice(end));
      return;
    }
    expect(actual).toBe(expected);
  });
});
