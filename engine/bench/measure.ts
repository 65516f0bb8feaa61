/**
 * Helpers for benchmark scripts: wall time and peak resident memory of a phase, and the BENCH line
 * format engine/bench/run.ts collects. Peak RSS is sampled every 20 ms (Node has no per-phase peak).
 */
export interface Measured<T> {
  value: T;
  wallMs: number;
  peakRssMb: number;
}

export async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const start = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, wallMs: Math.round(performance.now() - start), peakRssMb: Math.round(peak / 1048576) };
  } finally {
    clearInterval(timer);
  }
}

export function report(bench: string, caseName: string, metrics: Record<string, number | string>): void {
  console.log(`BENCH ${JSON.stringify({ bench, case: caseName, metrics })}`);
}

/** CPU time in ms since `before` (process.cpuUsage; DuckDB's threads included): steadier than wall time on a shared machine. */
export function cpuMsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return Math.round((used.user + used.system) / 1000);
}
