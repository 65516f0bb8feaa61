import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../engine/src/core/errors.ts";
import { acquireRunLock } from "../../engine/src/warehouse/run-lock.ts";

const lockFile = () => path.join(mkdtempSync(path.join(tmpdir(), "lock-")), "warehouse.duckdb.lock");

describe("run lock", () => {
  it("lets one holder in, refuses a second, and frees on release", () => {
    const file = lockFile();
    const first = acquireRunLock(file, "apply");
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
    let refused: unknown;
    try {
      acquireRunLock(file, "apply");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).exitCode).toBe(4);
    expect((refused as UserError).message).toMatch(/another run holds the lock \(apply, pid \d+/);
    first.release();
    expect(existsSync(file)).toBe(false);
    acquireRunLock(file, "apply").release();
  });

  it("takes over a lock whose process is gone", () => {
    const file = lockFile();
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    writeFileSync(
      file,
      JSON.stringify({ pid: dead, host: hostname(), startedAt: "2026-01-01T00:00:00Z", command: "apply" }),
    );
    const lock = acquireRunLock(file, "run");
    expect(JSON.parse(readFileSync(file, "utf8")).command).toBe("run");
    lock.release();
  });

  it("does not remove a lock someone else took after a takeover", () => {
    const file = lockFile();
    const lock = acquireRunLock(file, "apply");
    writeFileSync(file, JSON.stringify({ pid: 1, host: "other-host", startedAt: "x", command: "apply" }));
    lock.release();
    expect(existsSync(file)).toBe(true);
  });
});
