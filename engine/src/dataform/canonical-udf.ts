import { readFileSync } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBScalarFunction, VARCHAR } from "@duckdb/node-api";
import { repoRoot } from "../config/paths.ts";

/**
 * The canonical form of emails and do-not-contact values (includes/canonical.js) as DuckDB scalar
 * functions, from the very JavaScript text BigQuery runs as its UDFs
 * (definitions/operations/canonical_functions.sqlx), so both engines give identical results.
 *
 * Registered on every connection the engine opens (engine/src/warehouse/duckdb.ts): views such as
 * outputs/suppressed_now call them when they are read, not only while the transform runs.
 */

export interface CanonicalModule {
  parseContact(raw: unknown): { value: string; kind: "email" | "domain"; notation: string } | null;
  canonicalDnc(raw: unknown): string | null;
  canonicalEmail(raw: unknown): string | null;
  UDFS: Record<string, string>;
  compileUdf(name: string): (value: string | null) => string | null;
}

let loaded: CanonicalModule | undefined;

/** includes/canonical.js, evaluated as the CommonJS module Dataform sees (the package itself is ESM). */
export function canonicalModule(): CanonicalModule {
  if (!loaded) {
    const source = readFileSync(path.join(repoRoot(), "includes", "canonical.js"), "utf8");
    const mod = { exports: {} as CanonicalModule };
    new Function("module", "exports", source)(mod, mod.exports);
    loaded = mod.exports;
  }
  return loaded;
}

/** Register canonical_dnc and canonical_email (VARCHAR -> VARCHAR, NULL in, NULL out) on `conn`. */
export function registerCanonicalFunctions(conn: DuckDBConnection): void {
  const mod = canonicalModule();
  for (const name of Object.keys(mod.UDFS)) {
    const fn = mod.compileUdf(name);
    conn.registerScalarFunction(
      DuckDBScalarFunction.create({
        name,
        mainFunction: (_info, input, output) => {
          const values = input.getColumnVector(0);
          for (let row = 0; row < input.rowCount; row++) {
            const value = values.getItem(row);
            output.setItem(row, value === null ? null : fn(String(value)));
          }
          output.flush();
        },
        returnType: VARCHAR,
        parameterTypes: [VARCHAR],
      }),
    );
  }
}
