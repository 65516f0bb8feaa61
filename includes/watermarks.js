/**
 * Watermarks for the incremental state tables (definitions/staging/stg_instantly_pulls,
 * stg_instantly_lead_state, stg_instantly_pull_campaigns, stg_sync_actions and
 * definitions/intermediate/int_contact_history): the newest time a target already holds, read from the
 * target itself before it is merged into, so a run reads only what is newer than that.
 *
 * The watermark is a script variable set in `pre_operations`, not a scalar subquery in the WHERE:
 * - BigQuery prunes day partitions (and accepts `requirePartitionFilter`) only for a filter on a
 *   constant or a script variable (DECLARE), never for a subquery;
 * - DuckDB folds `getvariable()` to a constant, so its zone maps skip the older row groups (a subquery
 *   makes it scan the whole table).
 *
 * CommonJS on purpose: Dataform evaluates includes in its own sandbox with `require`/`module.exports`.
 */

const sql = require("./sql");
const config = require("./config");

/** Before any data: the watermark of an empty or not-yet-built target. */
const EPOCH = sql.cast(sql.str("1970-01-01 00:00:00+00"), "TIMESTAMP");

/** After all data: a window start that selects nothing (no new pull to read). */
const NEVER = sql.cast(sql.str("9999-12-31 00:00:00+00"), "TIMESTAMP");

/**
 * The statement that sets the script variable `name` (BigQuery type `bigqueryType`) to the scalar query
 * or expression `valueSql`, or to `fallbackSql` when that is NULL (or not given). Put it in
 * `pre_operations`; read it with `watermarks.get(name)`.
 */
function declareVariable(name, bigqueryType, valueSql, fallbackSql) {
  const value = valueSql ? `coalesce((${valueSql}), ${fallbackSql})` : fallbackSql;
  return sql.isDuck()
    ? `set variable ${name} = ${value}`
    : `declare ${name} ${sql.type(bigqueryType)} default ${value}`;
}

/** The variable `name` set by `declareVariable`, as an expression. */
function get(name) {
  return sql.isDuck() ? `getvariable(${sql.str(name)})` : name;
}

/** `snapshot_retention_days` (includes/config.js), for definitions/operations/prune_snapshots.sqlx. */
const retentionDays = config.retention.snapshotRetentionDays;

module.exports = { EPOCH, NEVER, declareVariable, get, retentionDays };
