import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { UserError } from "../../engine/src/core/errors.ts";
import { openDuckDb } from "../../engine/src/warehouse/duckdb.ts";
import { currentIdentity, processStartTime } from "../../engine/src/warehouse/process-identity.ts";
import { acquireRunLock, type LockRecord } from "../../engine/src/warehouse/run-lock.ts";

const lockFile = () => path.join(mkdtempSync(path.join(tmpdir(), "lock-")), "warehouse.duckdb.lock");
const linux = existsSync("/proc/self/stat");
const ancient = "2020-01-01T00:00:00.000Z";

function record(overrides: Partial<LockRecord>): LockRecord {
  const now = new Date().toISOString();
  return {
    ...currentIdentity(),
    command: "apply",
    startedAt: now,
    heartbeatAt: now,
    token: "someone-else",
    ...overrides,
  };
}

function refusal(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error("expected the lock to be refused");
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** A live process on this host that is not us (it sleeps until the test kills it). */
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  children.push(child);
  return child;
}

describe("run lock", () => {
  it("lets one holder in, refuses a second, and frees on release", () => {
    const file = lockFile();
    const first = acquireRunLock(file, "apply");
    const written = JSON.parse(readFileSync(file, "utf8")) as LockRecord;
    expect(written.pid).toBe(process.pid);
    expect(written.host).toBe(hostname());
    expect(written.heartbeatAt).toBeTypeOf("string");
    if (linux) expect(written.processStart).toBe(processStartTime(process.pid));
    const refused = refusal(() => acquireRunLock(file, "apply"));
    expect(refused.exitCode).toBe(4);
    expect(refused.message).toMatch(/another run holds the lock \(apply, pid \d+ on host /);
    first.release();
    expect(existsSync(file)).toBe(false);
    acquireRunLock(file, "apply").release();
  });

  it("takes over a lock whose process is gone, with a warning", () => {
    const file = lockFile();
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    writeFileSync(
      file,
      JSON.stringify({ pid: dead, host: hostname(), startedAt: "2026-01-01T00:00:00Z", command: "apply" }),
    );
    const warnings: string[] = [];
    const lock = acquireRunLock(file, "run", { warn: (line) => warnings.push(line) });
    expect(JSON.parse(readFileSync(file, "utf8")).command).toBe("run");
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`pid ${dead} is not running`))]);
    lock.release();
  });

  it.skipIf(!linux)(
    "takes over a lock naming a live pid that is another process (start time differs)",
    () => {
      const file = lockFile();
      const other = sleeper();
      writeFileSync(file, JSON.stringify(record({ pid: other.pid!, processStart: "1" })));
      const warnings: string[] = [];
      const lock = acquireRunLock(file, "apply", { warn: (line) => warnings.push(line) });
      expect((JSON.parse(readFileSync(file, "utf8")) as LockRecord).pid).toBe(process.pid);
      expect(warnings[0]).toMatch(/now belongs to another process \(start time differs\)/);
      lock.release();
    },
  );

  it.skipIf(!linux)(
    "keeps blocking for a live holder whose identity checks out, even with an old heartbeat",
    async () => {
      const file = lockFile();
      const holder = sleeper();
      await vi.waitFor(() => expect(processStartTime(holder.pid!)).toBeDefined());
      writeFileSync(
        file,
        JSON.stringify(
          record({ pid: holder.pid!, processStart: processStartTime(holder.pid!), heartbeatAt: ancient }),
        ),
      );
      const refused = refusal(() => acquireRunLock(file, "apply", { warn: () => {} }));
      expect(refused.exitCode).toBe(4);
      expect(refused.hint).toMatch(new RegExp(`if it hangs, stop pid ${holder.pid}`));
    },
  );

  it("blocks on a lock from another host with a fresh heartbeat, naming the holder", () => {
    const file = lockFile();
    writeFileSync(file, JSON.stringify(record({ host: "ci-runner-7", pid: 4242, processStart: "99" })));
    const refused = refusal(() => acquireRunLock(file, "apply"));
    expect(refused.exitCode).toBe(4);
    expect(refused.message).toContain("apply, pid 4242 on host ci-runner-7");
    expect(refused.hint).toMatch(/heartbeat is 300 s old/);
  });

  it("takes over a lock from another host whose heartbeat is older than the limit", () => {
    const file = lockFile();
    writeFileSync(file, JSON.stringify(record({ host: "ci-runner-7", pid: 4242, heartbeatAt: ancient })));
    const warnings: string[] = [];
    const lock = acquireRunLock(file, "apply", { warn: (line) => warnings.push(line) });
    expect(warnings[0]).toMatch(/pid 4242 on host ci-runner-7.*heartbeat is \d+ s old \(limit 300 s\)/);
    lock.release();
  });

  it("takes over an old-format lock (no start time) naming a live pid once its heartbeat is stale", () => {
    const file = lockFile();
    // pid 1 is always alive; an old lock cannot say whether it is the process that took it.
    writeFileSync(file, JSON.stringify({ pid: 1, host: hostname(), startedAt: ancient, command: "apply" }));
    const warnings: string[] = [];
    acquireRunLock(file, "apply", { warn: (line) => warnings.push(line) }).release();
    expect(warnings).toHaveLength(1);
  });

  it("does not take over a lock that cannot be parsed yet (it may be being written)", () => {
    const file = lockFile();
    writeFileSync(file, "{ half a lo");
    const refused = refusal(() => acquireRunLock(file, "apply", { warn: () => {} }));
    expect(refused.exitCode).toBe(4);
    expect(refused.message).toMatch(/is being written by another run/);
    expect(readFileSync(file, "utf8")).toBe("{ half a lo");
  });

  it("does not take over a lock being written when the process clock runs a year ahead of the file system's", () => {
    const file = lockFile();
    writeFileSync(file, "{ half a lo");
    vi.useFakeTimers({ now: Date.now() + 365 * 86_400_000, toFake: ["Date"] });
    try {
      const refused = refusal(() => acquireRunLock(file, "apply", { warn: () => {} }));
      expect(refused.message).toMatch(/is being written by another run/);
    } finally {
      vi.useRealTimers();
    }
  });

  it("takes over an unreadable lock file once it is a few seconds old", () => {
    const file = lockFile();
    writeFileSync(file, "{ half a lock");
    // Ten seconds before its own mtime: ages are read on the file system's clock, not the process's.
    const old = new Date(statSync(file).mtimeMs - 10_000);
    utimesSync(file, old, old);
    const warnings: string[] = [];
    acquireRunLock(file, "apply", { warn: (line) => warnings.push(line) }).release();
    expect(warnings[0]).toMatch(/unreadable/);
  });

  it("refreshes its heartbeat while held", async () => {
    const file = lockFile();
    writeFileSync(file, JSON.stringify(record({ host: "gone-host", heartbeatAt: ancient })));
    const lock = acquireRunLock(file, "apply", { heartbeatMs: 10, warn: () => {} });
    const first = (JSON.parse(readFileSync(file, "utf8")) as LockRecord).heartbeatAt;
    await vi.waitFor(() => {
      expect((JSON.parse(readFileSync(file, "utf8")) as LockRecord).heartbeatAt).not.toBe(first);
    });
    lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it("does not remove or refresh a lock someone else took after a takeover", async () => {
    const file = lockFile();
    const warnings: string[] = [];
    const lock = acquireRunLock(file, "apply", { heartbeatMs: 10, warn: (line) => warnings.push(line) });
    const theirs = JSON.stringify(record({ pid: 1, host: "other-host", token: "theirs" }));
    writeFileSync(file, theirs);
    await vi.waitFor(() => expect(warnings).toEqual([expect.stringMatching(/no longer holds it/)]));
    lock.release();
    expect(readFileSync(file, "utf8")).toBe(theirs);
  });

  it("lets exactly one of many concurrent runs take over the same stale lock", async () => {
    const file = lockFile();
    writeFileSync(file, JSON.stringify(record({ host: "gone-host", heartbeatAt: ancient })));
    const module = path.join(repoRoot(), "engine/src/warehouse/run-lock.ts");
    const startAt = Date.now() + 4000;
    // Each contender spins until the same instant, then tries; a winner keeps the lock until killed.
    const script = `
      const { acquireRunLock } = await import(${JSON.stringify(module)});
      while (Date.now() < ${startAt}) {}
      try {
        const lock = acquireRunLock(${JSON.stringify(file)}, "apply", { warn: () => {} });
        console.log("won");
        setTimeout(() => lock.release(), 60000);
      } catch (error) { console.log("refused " + error.exitCode); }`;
    const runs = Array.from(
      { length: 6 },
      () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
            cwd: repoRoot(),
            stdio: ["ignore", "pipe", "inherit"],
          });
          children.push(child);
          let out = "";
          child.stdout.on("data", (chunk) => {
            out += chunk;
            if (out.includes("\n")) resolve(out.trim());
          });
          child.on("close", () => resolve(out.trim()));
        }),
    );
    const outcomes = await Promise.all(runs);
    expect(outcomes.filter((o) => o === "won")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "refused 4")).toHaveLength(5);
  }, 60_000);
});

describe("DuckDB file held by another process", () => {
  it("is reported as locked (exit 4) with the holder, never as damaged", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "wh-held-")), "warehouse.duckdb");
    const module = path.join(repoRoot(), "engine/src/warehouse/duckdb.ts");
    const holder = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(module)}); await m.openDuckDb(${JSON.stringify(file)}); console.log("held"); setTimeout(() => {}, 60000);`,
      ],
      { cwd: repoRoot(), stdio: ["ignore", "pipe", "inherit"] },
    );
    children.push(holder);
    await new Promise((resolve) => holder.stdout.once("data", resolve));
    writeFileSync(`${file}.lock`, JSON.stringify(record({ pid: holder.pid!, command: "transform" })));
    const failure = await openDuckDb(file).then(
      () => undefined,
      (error: unknown) => error as UserError,
    );
    expect(failure).toBeInstanceOf(UserError);
    expect(failure?.exitCode).toBe(4);
    expect(failure?.message).toContain(`is locked by another process (`);
    expect(failure?.message).toContain(`pid ${holder.pid}`);
    expect(failure?.message).toContain("run lock: transform");
    expect(`${failure?.message} ${failure?.hint}`).not.toMatch(/damaged|move it away/);
  }, 30_000);
});
