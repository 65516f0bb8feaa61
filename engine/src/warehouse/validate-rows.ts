import type { Row } from "./port.ts";
import type { Column, TableDef } from "./tables.ts";

/**
 * Check rows against a table definition before they leave the engine, so a bad row is a clear
 * error here instead of a half-written batch in the warehouse. Messages name table, column and row
 * index, never the value (it may be an email).
 */
export function validateRows(table: TableDef, rows: Row[]): void {
  const known = new Set(table.columns.map((c) => c.name));
  rows.forEach((row, index) => {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) throw new Error(`${table.name}: row ${index} has unknown column ${key}`);
    }
    for (const column of table.columns) {
      const value = row[column.name];
      if (value === undefined || value === null) {
        if (column.required)
          throw new Error(`${table.name}: row ${index} is missing required ${column.name}`);
        continue;
      }
      if (!fits(column, value)) {
        throw new Error(
          `${table.name}: row ${index} column ${column.name} is not a ${column.type} (got ${typeof value})`,
        );
      }
    }
  });
}

function fits(column: Column, value: unknown): boolean {
  switch (column.type) {
    case "STRING":
      return typeof value === "string";
    case "INT64":
      return (typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint";
    case "FLOAT64":
      return typeof value === "number" && !Number.isNaN(value);
    case "BOOL":
      return typeof value === "boolean";
    case "TIMESTAMP":
    case "DATE":
      return (
        (value instanceof Date && !Number.isNaN(value.getTime())) ||
        (typeof value === "string" && !Number.isNaN(Date.parse(value)))
      );
    case "JSON":
      return true;
  }
}
