import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A small tmpfs for disk-full tests, or the reason this machine cannot mount one. */
export interface Tmpfs {
  /** The mount point (an empty temp dir when the mount failed). */
  dir: string;
  /** Why the mount failed (not Linux, not root, mount refused); undefined when mounted. */
  skipReason: string | undefined;
  /** Unmount (lazily if DuckDB still holds a file a moment after close) and delete the dir. */
  remove(): void;
}

export function mountTmpfs(prefix: string, size: string): Tmpfs {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    skipReason: tryMount(dir, size),
    remove() {
      if (spawnSync("umount", [dir]).status !== 0) spawnSync("umount", ["-l", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tryMount(dir: string, size: string): string | undefined {
  if (process.platform !== "linux") return `tmpfs mounts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root";
  const result = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], {
    encoding: "utf8",
  });
  if (result.status !== 0) return `mount -t tmpfs failed: ${(result.stderr || String(result.error)).trim()}`;
  return undefined;
}
