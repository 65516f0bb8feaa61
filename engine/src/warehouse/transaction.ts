/**
 * Transactions on the local DuckDB warehouse that never hide why they failed. When a statement or a
 * commit fails on an I/O error (disk full, permission, a lock), DuckDB has often already ended the
 * transaction, so a plain `ROLLBACK` throws "cannot rollback - no transaction is active" and, if it
 * is not guarded, that message replaces the one that says what went wrong.
 */

/** The one method this module needs from a DuckDB connection (kept minimal so it stays a leaf). */
export interface SqlRunner {
  run(sql: string): Promise<unknown>;
}

/**
 * Roll back after `error` and rethrow `error` itself. A failing rollback is attached to the original
 * error as `rollbackError` (for debugging) but never replaces it.
 */
export async function rollbackKeepingCause(conn: SqlRunner, error: unknown): Promise<never> {
  try {
    await conn.run("ROLLBACK");
  } catch (rollbackError) {
    if (error instanceof Error && !("rollbackError" in error)) {
      Object.defineProperty(error, "rollbackError", { value: rollbackError, enumerable: false });
    }
  }
  throw error;
}

/**
 * Run `fn` inside one transaction on `conn`: every change lands together or not at all. On failure
 * the transaction is rolled back (guarded) and the original error is thrown.
 */
export async function inTransaction<T>(conn: SqlRunner, fn: () => Promise<T>): Promise<T> {
  await conn.run("BEGIN TRANSACTION");
  let value: T;
  try {
    value = await fn();
    await conn.run("COMMIT");
  } catch (error) {
    return rollbackKeepingCause(conn, error);
  }
  return value;
}
