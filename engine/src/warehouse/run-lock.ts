import { randomUUID } from "node:crypto";
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { ExitCode, UserError } from "../core/errors.ts";
import { currentIdentity, liveness, type ProcessIdentity } from "./process-identity.ts";

/**
 * One run at a time against one warehouse. Locally this is a lock file next to the DuckDB file; in
 * production GitHub Actions' concurrency group plays the same role.
 *
 * The lock records who holds it (host, pid, process start time, boot id) and a heartbeat the holder
 * refreshes every {@link LOCK_HEARTBEAT_MS}. Another run takes it over, with a warning, when
 * - the holder is on this host and is provably gone: its pid is not running, the pid now belongs to a
 *   different process (start time differs: pid reuse after a container restart), or the machine
 *   rebooted; or
 * - the holder cannot be verified (another host, or a lock without a start time) and its heartbeat is
 *   older than {@link LOCK_STALE_AFTER_MS}.
 * A holder on this host whose identity checks out keeps the lock even with an old heartbeat: it is
 * running (maybe hung), and two runs at once is the one thing this lock exists to prevent.
 *
 * Creation is atomic (the record is written to a temporary file and hard-linked into place, so a
 * reader never sees a half-written lock), and a takeover happens only while holding a second,
 * exclusive `<lock>.takeover` file and only if the lock still has the content that was judged stale,
 * so two runs taking over the same stale lock cannot both win.
 */
export interface RunLock {
  file: string;
  release(): void;
}

/** How often the holder refreshes its heartbeat. */
export const LOCK_HEARTBEAT_MS = 30_000;
/** A heartbeat older than this marks an unverifiable holder (another host) as gone: ten missed beats. */
export const LOCK_STALE_AFTER_MS = 5 * 60_000;
/** A takeover takes milliseconds; a `.takeover` file older than this was left by a crash. */
const TAKEOVER_ABANDONED_MS = 30_000;
/**
 * Where hard links are missing the lock is written in place (create + write), so a lock that cannot be
 * parsed may be one being written right now: it is only judged abandoned once it is this old.
 */
const UNREADABLE_GRACE_MS = 2_000;

export interface RunLockOptions {
  staleAfterMs?: number;
  heartbeatMs?: number;
  /** Where takeover and lost-lock warnings go (default: stderr). */
  warn?: (line: string) => void;
}

export interface LockRecord extends ProcessIdentity {
  command: string;
  startedAt: string;
  heartbeatAt: string;
  /** Unique per acquisition, so a holder never releases or refreshes a lock that is no longer its own. */
  token: string;
}

export function acquireRunLock(file: string, command: string, options: RunLockOptions = {}): RunLock {
  const staleAfterMs = options.staleAfterMs ?? LOCK_STALE_AFTER_MS;
  const warn = options.warn ?? ((line: string) => process.stderr.write(`warning: ${line}\n`));
  const now = new Date().toISOString();
  const me: LockRecord = {
    ...currentIdentity(),
    command,
    startedAt: now,
    heartbeatAt: now,
    token: randomUUID(),
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    if (createExclusive(file, me)) return hold(file, me, options.heartbeatMs ?? LOCK_HEARTBEAT_MS, warn);
    const seen = readRaw(file);
    if (seen === undefined) continue; // released between our create and our read
    const holder = parseRecord(seen);
    if (!holder && ageMs(file) < UNREADABLE_GRACE_MS) {
      if (attempt === 19) {
        throw new UserError(`the run lock ${file} is being written by another run`, {
          hint: "wait for it to finish, then run again",
          exitCode: ExitCode.locked,
        });
      }
      pause(50);
      continue;
    }
    const verdict = judge(holder, staleAfterMs);
    if (verdict.holds) {
      throw new UserError(`another run holds the lock (${describeHolder(holder)})`, {
        hint: verdict.note
          ? `wait for it to finish (${verdict.note}); the lock is ${file}`
          : `wait for it to finish; a run that is gone loses the lock once its heartbeat is ${Math.round(staleAfterMs / 1000)} s old (or delete ${file})`,
        exitCode: ExitCode.locked,
      });
    }
    const taken = takeOver(file, seen, me);
    if (taken === "taken") {
      warn(
        `took over the run lock ${file} from ${holder ? describeHolder(holder) : "an unreadable lock file"}: ${verdict.why}`,
      );
      return hold(file, me, options.heartbeatMs ?? LOCK_HEARTBEAT_MS, warn);
    }
    if (taken === "busy") pause(25);
  }
  throw new UserError(`could not take the run lock ${file}: other runs keep taking it`, {
    exitCode: ExitCode.locked,
  });
}

type Verdict = { holds: true; note?: string } | { holds: false; why: string };

/** Whether the recorded holder still owns the lock (see the module comment for the rule). */
export function judge(holder: LockRecord | undefined, staleAfterMs: number): Verdict {
  if (!holder) return { holds: false, why: "the lock file is unreadable" };
  const alive = liveness(holder);
  if (alive.state === "gone") return { holds: false, why: alive.why };
  const verified = alive.state === "alive" && holder.processStart !== undefined;
  const age = heartbeatAgeMs(holder);
  if (verified) {
    return age > staleAfterMs
      ? {
          holds: true,
          note: `its heartbeat is ${Math.round(age / 1000)} s old: if it hangs, stop pid ${holder.pid}`,
        }
      : { holds: true };
  }
  if (age > staleAfterMs) {
    return {
      holds: false,
      why: `its heartbeat is ${Math.round(age / 1000)} s old (limit ${Math.round(staleAfterMs / 1000)} s)`,
    };
  }
  return { holds: true };
}

function heartbeatAgeMs(holder: LockRecord): number {
  const beat = Date.parse(holder.heartbeatAt ?? holder.startedAt);
  if (Number.isNaN(beat)) return Number.POSITIVE_INFINITY;
  return Math.max(0, Date.now() - beat);
}

/** Who holds the run lock `file`, in words, or undefined when there is no readable lock. */
export function describeLockHolder(file: string): string | undefined {
  const holder = parseRecord(readRaw(file));
  return holder ? describeHolder(holder) : undefined;
}

function describeHolder(holder: LockRecord | undefined): string {
  if (!holder) return "unknown holder";
  const beat = holder.heartbeatAt ? `, last heartbeat ${holder.heartbeatAt}` : "";
  return `${holder.command}, pid ${holder.pid} on host ${holder.host}, since ${holder.startedAt}${beat}`;
}

/**
 * Remove the stale lock whose content is `seen` and create ours, under the exclusive takeover file.
 * "changed": the lock is no longer what was judged (judge again); "busy": another run is taking over.
 */
function takeOver(file: string, seen: string, me: LockRecord): "taken" | "changed" | "busy" {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, me)) {
    if (ageMs(guard) > TAKEOVER_ABANDONED_MS) rmSync(guard, { force: true });
    return "busy";
  }
  try {
    if (readRaw(file) !== seen) return "changed";
    const aside = `${file}.stale-${me.token}`;
    try {
      renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "changed";
      throw error;
    }
    if (readRaw(aside) !== seen) {
      // The holder refreshed it in between: it is alive after all, put its lock back.
      restore(aside, file);
      return "changed";
    }
    rmSync(aside, { force: true });
    return createExclusive(file, me) ? "taken" : "changed";
  } finally {
    rmSync(guard, { force: true });
  }
}

function restore(aside: string, file: string): void {
  try {
    linkSync(aside, file);
  } catch {
    // Someone created a new lock meanwhile; theirs stands.
  }
  rmSync(aside, { force: true });
}

function hold(file: string, me: LockRecord, heartbeatMs: number, warn: (line: string) => void): RunLock {
  let lost = false;
  const timer = setInterval(() => {
    if (lost) return;
    if (parseRecord(readRaw(file))?.token !== me.token) {
      lost = true;
      warn(`the run lock ${file} was taken by another run; this run no longer holds it`);
      clearInterval(timer);
      return;
    }
    me.heartbeatAt = new Date().toISOString();
    replaceAtomically(file, me);
  }, heartbeatMs);
  timer.unref();
  return {
    file,
    release() {
      clearInterval(timer);
      if (parseRecord(readRaw(file))?.token === me.token) rmSync(file, { force: true });
    },
  };
}

/** Create `file` holding `record` only if it does not exist; never leaves a partly written file. */
function createExclusive(file: string, record: LockRecord): boolean {
  const temp = `${file}.${record.token}.tmp`;
  writeFileSync(temp, JSON.stringify(record));
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw error;
    // A filesystem without hard links: fall back to exclusive create + write.
    try {
      writeFileSync(file, JSON.stringify(record), { flag: "wx" });
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw fallback;
    }
  } finally {
    rmSync(temp, { force: true });
  }
}

function replaceAtomically(file: string, record: LockRecord): void {
  const temp = `${file}.${record.token}.beat`;
  writeFileSync(temp, JSON.stringify(record));
  renameSync(temp, file);
}

function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function parseRecord(raw: string | undefined): LockRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<LockRecord>;
    if (typeof value.pid !== "number" || typeof value.host !== "string") return undefined;
    return { command: "unknown", startedAt: "unknown", ...value } as LockRecord;
  } catch {
    return undefined;
  }
}

/**
 * A file's age on the file system's own clock: its mtime against that of a probe file written now
 * beside it. The process clock may disagree with the one that stamps files (a network file system's
 * server, a faked or skewed process clock), and then a lock written a moment ago would look old.
 */
function ageMs(file: string): number {
  try {
    const mtime = statSync(file).mtimeMs;
    const probe = `${file}.age-probe-${process.pid}`;
    try {
      writeFileSync(probe, "");
      return statSync(probe).mtimeMs - mtime;
    } catch {
      return Date.now() - mtime;
    } finally {
      rmSync(probe, { force: true });
    }
  } catch {
    return 0;
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
