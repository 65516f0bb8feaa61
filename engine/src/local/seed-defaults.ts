/**
 * The seed generator's defaults, in their own file so `engine seed --help` can show them without
 * loading the generator and DuckDB.
 */
export const defaultSeed = 1;
export const dncPerLead = 0.04;

/** Today 00:00 UTC: the default generation clock. */
export function startOfUtcDay(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
