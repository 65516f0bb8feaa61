import type { FaultConfig, LatencyConfig } from "./options.ts";
import type { Prng } from "./prng.ts";

/**
 * Fault decisions for one request, drawn from the sandbox's seeded fault stream. Every request draws
 * the same number of values whatever the outcome, so a given seed produces the same fault sequence.
 */
export type FaultKind = "reset" | "timeout" | "429-burst" | "5xx" | null;

export interface FaultDecision {
  kind: FaultKind;
  /** For 5xx/timeout/reset on a write: whether the write lands before the failure. */
  appliedFirst: boolean;
  partialBulk: boolean;
  status5xx: 500 | 502 | 503;
  latencyMs: number;
}

export function decideFaults(
  faults: FaultConfig,
  prng: Prng,
  burst: { left: number },
  applies: boolean,
): FaultDecision {
  const draws = [
    prng.next(),
    prng.next(),
    prng.next(),
    prng.next(),
    prng.next(),
    prng.next(),
    prng.next(),
  ] as const;
  const latencyMs = sampleLatency(faults.latencyMs, prng);
  const status5xx = ([500, 502, 503] as const)[Math.floor(draws[5] * 3)] ?? 500;
  const none: FaultDecision = { kind: null, appliedFirst: false, partialBulk: false, status5xx, latencyMs };
  if (!applies) return none;
  let kind: FaultKind = null;
  if (burst.left > 0) {
    burst.left--;
    kind = "429-burst";
  } else if (draws[0] < faults.resetRate) kind = "reset";
  else if (draws[1] < faults.timeoutRate) kind = "timeout";
  else if (draws[2] < faults.rate429Burst) {
    burst.left = faults.burst429Length - 1;
    kind = "429-burst";
  } else if (draws[3] < faults.rate5xx) kind = "5xx";
  return {
    kind,
    appliedFirst: kind !== null && kind !== "429-burst" && draws[4] < faults.appliedBeforeFailureRate,
    partialBulk: kind === null && draws[6] < faults.partialBulkRate,
    status5xx,
    latencyMs,
  };
}

export function sampleLatency(config: LatencyConfig, prng: Prng): number {
  if (typeof config === "number") return config;
  if ("distribution" in config) {
    const raw =
      config.distribution === "normal"
        ? config.mean + config.stddev * prng.normal()
        : -config.mean * Math.log(1 - prng.next());
    const min = "min" in config && config.min !== undefined ? config.min : 0;
    return Math.max(min, Math.min(config.max ?? Number.POSITIVE_INFINITY, raw));
  }
  return config.min + prng.next() * (config.max - config.min);
}
