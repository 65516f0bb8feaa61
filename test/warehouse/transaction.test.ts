import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LocalWarehouse, openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { inTransaction, rollbackKeepingCause } from "../../engine/src/warehouse/transaction.ts";

/** The guard is exercised on a real in-memory DuckDB: the failure is made by ending the transaction early. */
describe("guarded transaction", () => {
  let wh: LocalWarehouse;
  beforeEach(async () => {
    wh = await openDuckDb(":memory:");
    await wh.conn.run("create table t (n integer)");
  });
  afterEach(() => wh.close());

  const count = async () =>
    Number((await wh.conn.runAndReadAll("select count(*)::integer as n from t")).getRowObjectsJS()[0]?.n);

  it("keeps the original error when DuckDB already ended the transaction", async () => {
    const original = new Error("IO Error: No space left on device");
    const failure = inTransaction(wh.conn, async () => {
      await wh.conn.run("insert into t values (1)");
      // What an I/O failure inside a commit does: the transaction is gone before our rollback runs.
      await wh.conn.run("rollback");
      throw original;
    });
    await expect(failure).rejects.toBe(original);
    const rollbackError = (original as Error & { rollbackError?: Error }).rollbackError;
    expect(rollbackError?.message).toMatch(/no transaction is active/);
    expect(await count()).toBe(0);
  });

  it("rolls back a failed body so nothing of it lands", async () => {
    await expect(
      inTransaction(wh.conn, async () => {
        await wh.conn.run("insert into t values (1), (2)");
        await wh.conn.run("insert into t values ('not a number')");
      }),
    ).rejects.toThrow(/Conversion Error|Could not convert/);
    expect(await count()).toBe(0);
    // The connection is usable again (no transaction left open).
    await inTransaction(wh.conn, () => wh.conn.run("insert into t values (3)"));
    expect(await count()).toBe(1);
  });

  it("commits a body that succeeds and returns its value", async () => {
    const value = await inTransaction(wh.conn, async () => {
      await wh.conn.run("insert into t values (1)");
      return "done";
    });
    expect(value).toBe("done");
    expect(await count()).toBe(1);
  });

  it("rethrows a non-Error value unchanged", async () => {
    await wh.conn.run("begin transaction");
    await expect(rollbackKeepingCause(wh.conn, "plain string")).rejects.toBe("plain string");
  });
});
