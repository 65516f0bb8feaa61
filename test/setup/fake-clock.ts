/**
 * libfaketime's variables (test/dates/at-dates.sh runs the suite under it): its preload and settings.
 * One list for both uses: processes that must see the pinned date get them, Chromium does not.
 */
function isFakeClockVar(name: string, value: string | undefined): boolean {
  if (name === "LD_PRELOAD") return value?.includes("faketime") ?? false;
  return name === "FAKETIME" || name.startsWith("FAKETIME_") || name === "DONT_FAKE_MONOTONIC";
}

/** TZ and libfaketime's variables, when set: what makes a child see the same date as this process. */
export function machineClockEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).filter(([name, value]) => name === "TZ" || isFakeClockVar(name, value)),
  );
}

/** The environment minus libfaketime's preload and settings. */
export function withoutFakeClock(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => !isFakeClockVar(name, value)));
}
