/**
 * Request counters for benchmarks and run summaries: per operation, how many HTTP attempts were sent,
 * how each ended (HTTP status or `timeout` / `connection_reset` / `network_error`), how many were
 * retries, how many were 429s, and how many calls failed fast on the open circuit breaker.
 */
export interface OperationStats {
  /** Calls made (one per client method invocation / page). */
  calls: number;
  /** HTTP attempts sent (calls + retries). */
  requests: number;
  retries: number;
  rateLimited: number;
  circuitRejected: number;
  /** Attempt endings by HTTP status or transport failure code. */
  byStatus: Record<string, number>;
}

export interface ClientStatsSnapshot {
  totals: OperationStats;
  operations: Record<string, OperationStats>;
}

function empty(): OperationStats {
  return { calls: 0, requests: 0, retries: 0, rateLimited: 0, circuitRejected: 0, byStatus: {} };
}

export class ClientStats {
  #ops = new Map<string, OperationStats>();

  #op(operation: string): OperationStats {
    let s = this.#ops.get(operation);
    if (!s) {
      s = empty();
      this.#ops.set(operation, s);
    }
    return s;
  }

  call(operation: string): void {
    this.#op(operation).calls++;
  }

  attempt(operation: string, outcome: string, retry: boolean): void {
    const s = this.#op(operation);
    s.requests++;
    if (retry) s.retries++;
    if (outcome === "429") s.rateLimited++;
    s.byStatus[outcome] = (s.byStatus[outcome] ?? 0) + 1;
  }

  circuitRejected(operation: string): void {
    this.#op(operation).circuitRejected++;
  }

  reset(): void {
    this.#ops.clear();
  }

  snapshot(): ClientStatsSnapshot {
    const totals = empty();
    const operations: Record<string, OperationStats> = {};
    for (const [name, s] of this.#ops) {
      operations[name] = { ...s, byStatus: { ...s.byStatus } };
      totals.calls += s.calls;
      totals.requests += s.requests;
      totals.retries += s.retries;
      totals.rateLimited += s.rateLimited;
      totals.circuitRejected += s.circuitRejected;
      for (const [k, v] of Object.entries(s.byStatus)) totals.byStatus[k] = (totals.byStatus[k] ?? 0) + v;
    }
    return { totals, operations };
  }
}
