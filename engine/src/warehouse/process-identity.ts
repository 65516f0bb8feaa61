import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Who a process is, precisely enough to tell it apart from a later process that got the same pid
 * (pids are reused, and a restarted container starts counting again from 1). On Linux the kernel's
 * boot id plus the process start time (`/proc/PID/stat` field 22, clock ticks since boot) identify a
 * process uniquely; elsewhere only host and pid are known and the start time is left out.
 */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** `/proc/PID/stat` start time in clock ticks since boot; absent where /proc does not exist. */
  processStart?: string;
  /** `/proc/sys/kernel/random/boot_id`; a different one means the machine rebooted since. */
  bootId?: string;
}

export function currentIdentity(): ProcessIdentity {
  return withOptional({ host: hostname(), pid: process.pid }, processStartTime(process.pid), bootId());
}

function withOptional(base: ProcessIdentity, processStart?: string, boot?: string): ProcessIdentity {
  const out: ProcessIdentity = { ...base };
  if (processStart !== undefined) out.processStart = processStart;
  if (boot !== undefined) out.bootId = boot;
  return out;
}

/**
 * The start time of `pid` from `/proc/PID/stat`, or undefined when the process does not exist or
 * /proc is not there. The command name (field 2) may contain spaces and parentheses, so fields are
 * counted after the last ")".
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
    return fields[19];
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists on this machine (EPERM: it exists but is not ours to signal). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** What can be said about a recorded process from this machine. */
export type Liveness = { state: "alive" } | { state: "gone"; why: string } | { state: "other-host" };

/**
 * Is the process recorded in `holder` still running? Only answerable on the same host: a dead pid,
 * a different boot, or a live pid with another start time (a different process that reused the pid)
 * all mean the recorded process is gone.
 */
export function liveness(holder: ProcessIdentity, here: ProcessIdentity = currentIdentity()): Liveness {
  if (holder.host !== here.host) return { state: "other-host" };
  if (holder.bootId && here.bootId && holder.bootId !== here.bootId) {
    return { state: "gone", why: "the machine rebooted since it was taken" };
  }
  if (!pidExists(holder.pid)) return { state: "gone", why: `pid ${holder.pid} is not running` };
  if (holder.processStart !== undefined) {
    const now = processStartTime(holder.pid);
    if (now !== undefined && now !== holder.processStart) {
      return { state: "gone", why: `pid ${holder.pid} now belongs to another process (start time differs)` };
    }
  }
  return { state: "alive" };
}
