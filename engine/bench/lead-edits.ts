import type { DuckDBConnection } from "@duckdb/node-api";
import type { Settings } from "../src/config/settings.ts";

/**
 * The steady state both transform benches measure: 1 % of the raw leads edited (a deterministic pick),
 * as between two runs of a live pipeline.
 */
export async function editOnePercentOfLeads(conn: DuckDBConnection, settings: Settings): Promise<void> {
  const leadsTable = `"${settings.vars.raw_dataset}"."${settings.vars.leads_table}"`;
  await conn.run(
    `update ${leadsTable} set updated_at = updated_at + interval 1 second where hash(email) % 100 = 0`,
  );
}
