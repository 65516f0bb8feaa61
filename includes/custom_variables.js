/**
 * What leaves the warehouse as a lead's Instantly custom variables: only the columns listed in the
 * `custom_variable_columns` var (includes/config.js customVariableColumns). stg_leads packs every
 * lead column into its `custom_variables` JSON; definitions/outputs/push_queue.sqlx keeps the listed
 * keys here, so an internal column (an owner, a CRM note) stays in the warehouse.
 *
 * CommonJS on purpose: Dataform evaluates includes in its own sandbox with `require`/`module.exports`.
 */

const sql = require("./sql");
const config = require("./config");

/**
 * A JSON object holding only the allowed keys of the JSON value `expr` (a key missing from the lead's
 * columns is null, as an empty column is). BigQuery JSON_QUERY and DuckDB json_extract both return the
 * key's JSON value, so numbers stay numbers.
 */
function allowed(expr, columns = config.customVariableColumns) {
  const pairs = columns.map((name) => [
    sql.str(name),
    sql.pick(
      `JSON_QUERY(${expr}, ${sql.str(`$.${name}`)})`,
      `json_extract(${expr}, ${sql.str(`$.${name}`)})`,
    ),
  ]);
  return sql.jsonObject(pairs);
}

module.exports = { allowed };
