import type { ProgressEvent } from "./run-types.ts";

/**
 * A heartbeat for long actions on a terminal: once an action has run for `afterMs`, one status line
 * (`… cold_email_staging.stg_leads running 12 s`) is redrawn in place every `everyMs` and erased when
 * the action ends, so a 60-second `stg_leads` never looks like a hang. Only for a TTY: the caller
 * leaves it off for `--json` and for piped output, where a redrawn line would be noise in a log.
 * The clock and the timer are injectable so tests drive it without waiting.
 */
export interface HeartbeatOptions {
  /** Writes to the terminal (no newline is added). */
  write: (text: string) => void;
  /** Quiet for this long after an action starts. Default 3000 ms. */
  afterMs?: number;
  /** Redraw interval. Default 1000 ms. */
  everyMs?: number;
  now?: () => number;
  setInterval?: (tick: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

export interface Heartbeat {
  /** Feed every progress event of the run (start arms the heartbeat, done disarms and erases it). */
  onProgress(event: ProgressEvent): void;
  /** Stop the timer (end of the run, or an error). */
  stop(): void;
}

/** Erase the current terminal line and return to its start. */
const ERASE_LINE = "\r\u001b[2K";

export function createHeartbeat(options: HeartbeatOptions): Heartbeat {
  const afterMs = options.afterMs ?? 3000;
  const everyMs = options.everyMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  const arm =
    options.setInterval ??
    ((tick: () => void, ms: number) => {
      const handle = setInterval(tick, ms);
      handle.unref(); // never keeps the process alive
      return handle;
    });
  const disarm = options.clearInterval ?? ((handle: unknown) => clearInterval(handle as NodeJS.Timeout));
  let timer: unknown;
  let shown = false;

  const stop = () => {
    if (timer !== undefined) disarm(timer);
    timer = undefined;
    if (shown) options.write(ERASE_LINE);
    shown = false;
  };

  return {
    onProgress(event) {
      stop();
      if (event.kind !== "start") return;
      const started = now();
      const label = `[${event.index + 1}/${event.total}] … ${event.name}`;
      timer = arm(() => {
        const ms = now() - started;
        if (ms < afterMs) return;
        options.write(`${ERASE_LINE}${label} running ${formatElapsed(ms)}`);
        shown = true;
      }, everyMs);
    },
    stop,
  };
}

/** `7 s`, `1 min 05 s`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
}
