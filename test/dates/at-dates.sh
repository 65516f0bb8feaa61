#!/usr/bin/env bash
# Run the tests at five pinned dates: two month ends (one a year end), a leap day, and the two DST
# changes in zones that have them. With no arguments it runs `npm test` itself (`npm run test:dates`,
# ~15 min a date on 2 cores); with test files, `vitest run` of those (.ci/run passes the date-sensitive
# suites).
#
# The clock is faked with libfaketime (Debian's `faketime`) as an OFFSET from the real time: every
# process of the run (vitest's workers, the engine's children, DuckDB, Chromium) sees the same pinned
# date moving forward together, as on a machine whose date is that day. Monotonic clocks stay real
# (DONT_FAKE_MONOTONIC), so timeouts and durations still work; files keep the kernel's real mtimes
# (the run lock measures ages on the file system's own clock, engine/src/warehouse/run-lock.ts).
set -uo pipefail
cd "$(dirname "$0")/../.."

PINNED_DATES=(
  "2026-01-31 23:30:00|UTC"
  "2028-02-29 12:00:00|UTC"
  "2026-03-08 06:30:00|America/New_York"
  "2026-10-25 00:30:00|Europe/Berlin"
  "2026-12-31 23:30:00|UTC"
)

if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime is not installed (Debian: apt-get install faketime): the pinned-date runs skip" >&2
  exit 0
fi

failed_dates=()
for pinned in "${PINNED_DATES[@]}"; do
  when="${pinned%|*}"
  zone="${pinned#*|}"
  offset=$(($(TZ="$zone" date -d "$when" +%s) - $(date +%s)))
  command=(npx vitest run "$@")
  [ "$#" -gt 0 ] || command=(npm test)
  echo "== $when ($zone): ${command[*]}"
  started=$(date +%s)
  sign=$([ "$offset" -ge 0 ] && echo "+" || echo "")
  if ! TZ="$zone" DONT_FAKE_MONOTONIC=1 faketime -f "${sign}${offset}" "${command[@]}"; then
    failed_dates+=("$when ($zone)")
  fi
  echo "== $when ($zone): $(($(date +%s) - started)) s"
done
if [ "${#failed_dates[@]}" -gt 0 ]; then
  printf 'the tests failed at: %s\n' "${failed_dates[@]}" >&2
  exit 1
fi
echo "passed at all ${#PINNED_DATES[@]} pinned dates"
