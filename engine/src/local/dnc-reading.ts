import type { DuckDBConnection } from "@duckdb/node-api";
import { UserError } from "../core/errors.ts";
import { canonicalModule } from "../dataform/canonical-udf.ts";
import { quoteIdent } from "./source-file.ts";

/**
 * How `engine load dnc` reads each entry: the same canonical form the rules use
 * (includes/canonical.js, also the stg_dnc_list UDF), so the report says exactly what will match.
 */

export interface DncEntryReading {
  /** Data row number (1 = first row after the header). */
  row: number;
  /** The canonical email or domain the rules match on. */
  value: string;
  kind: "email" | "domain";
  /** How the value was written: email, domain, name_address, mailto, url, wildcard, leading_dot, at_domain, www. */
  notation: string;
  /** The file's kind column says otherwise (the value decides). */
  kindMismatch: boolean;
}

export interface DncReading {
  /** Entries per notation. */
  notations: Record<string, number>;
  /** Entries whose kind column disagrees with what the value reads as. */
  kindMismatches: number;
  entries: DncEntryReading[];
}

/** How many unreadable entries an error lists. */
const LISTED = 5;

/**
 * Read every non-blank value of the staged DNC file. Throws a UserError naming the row number and the
 * value of each entry that reads as neither an email nor a domain: then nothing is loaded.
 */
export async function readDncEntries(
  conn: DuckDBConnection,
  staged: string,
  skipBlank: string,
  label: string,
): Promise<DncReading> {
  const { parseContact } = canonicalModule();
  const reader = await conn.runAndReadAll(
    `SELECT rowid AS r, CAST(value AS VARCHAR) AS v, lower(trim(CAST(kind AS VARCHAR))) AS k ` +
      `FROM ${quoteIdent(staged)} WHERE NOT (${skipBlank}) ORDER BY rowid`,
  );
  const notations: Record<string, number> = {};
  const entries: DncEntryReading[] = [];
  const unreadable: string[] = [];
  let bad = 0;
  for (const r of reader.getRowObjectsJS()) {
    const row = Number(r.r) + 1;
    const read = parseContact(r.v);
    if (read === null) {
      bad++;
      if (unreadable.length < LISTED)
        unreadable.push(`row ${row}: ${JSON.stringify(String(r.v).slice(0, 80))}`);
      continue;
    }
    notations[read.notation] = (notations[read.notation] ?? 0) + 1;
    entries.push({ row, ...read, kindMismatch: r.k !== read.kind });
  }
  if (bad > 0) {
    throw new UserError(
      `${label} was not loaded: ${bad} value${bad === 1 ? "" : "s"} cannot be read as an email or a domain (${unreadable.join("; ")}${bad > LISTED ? "; …" : ""})`,
      {
        hint:
          "write each entry as an email (jane@x.com, Jane <jane@x.com>, mailto:jane@x.com) or a domain " +
          "(x.com, *.x.com, .x.com, @x.com, https://x.com); data row 1 is the first row after the header. " +
          "The table keeps its previous rows",
      },
    );
  }
  return { notations, kindMismatches: entries.filter((e) => e.kindMismatch).length, entries };
}
