import type { FaultConfig } from "./options.ts";
import type { AdvanceSummary } from "./simulation.ts";
import type { SandboxState } from "./state.ts";
import type { SandboxStats } from "./stats.ts";

/** What `startSandbox` returns: the running simulator, for tests, benchmarks and the CLI. */
export interface Sandbox {
  /** "http://127.0.0.1:<port>/api/v2" - what INSTANTLY_BASE_URL should be. */
  url: string;
  port: number;
  /** A valid full-scope key for the workspace. */
  apiKey: string;
  stats(): SandboxStats;
  setFaults(faults: Partial<FaultConfig>): void;
  /** Move the simulated clock; leads progress through their sequences. */
  advance(days: number): AdvanceSummary;
  /** Direct access for tests (replaced by reset()). */
  readonly state: SandboxState;
  /** Back to the initial world: state, faults, keys, rate limiter and stats. */
  reset(): void;
  close(): Promise<void>;
}
