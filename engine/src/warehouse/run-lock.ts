import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { ExitCode, UserError } from "../core/errors.ts";

/**
 * One run at a time against one warehouse. Locally this is a lock file next to the DuckDB file,
 * created atomically (`wx`); in production GitHub Actions' concurrency group plays the same role.
 * A lock left by a crashed process (its pid is gone on this host) is taken over, so a kill -9 never
 * blocks the next scheduled run.
 */
export interface RunLock {
  file: string;
  release(): void;
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export function acquireRunLock(file: string, command: string): RunLock {
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      return {
        file,
        release() {
          const current = readLock(file);
          if (current?.pid === info.pid && current.host === info.host) rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readLock(file);
      if (holder && isAlive(holder)) {
        throw new UserError(
          `another run holds the lock (${holder.command}, pid ${holder.pid}, since ${holder.startedAt})`,
          {
            hint: `wait for it to finish; if no such process exists, delete ${file}`,
            exitCode: ExitCode.locked,
          },
        );
      }
      // Stale (crashed holder) or unreadable: remove and try once more.
      rmSync(file, { force: true });
    }
  }
  throw new UserError(`could not take the run lock ${file}`, { exitCode: ExitCode.locked });
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockInfo;
  } catch {
    return undefined;
  }
}

function isAlive(holder: LockInfo): boolean {
  if (holder.host !== hostname()) return true; // cannot check another host: assume it runs
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
