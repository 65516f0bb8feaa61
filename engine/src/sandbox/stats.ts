/**
 * Counters and a request log, so tests and benchmarks can see every call the client made (requests
 * per lead, 429s served, retries). The log records the route pattern, never the raw path: paths like
 * /email-verification/{email} carry lead PII.
 */
export interface RequestLogEntry {
  seq: number;
  /** Wall-clock ms since the sandbox started. */
  atMs: number;
  method: string;
  /** Route pattern (e.g. `/leads/:id`), or the literal path for admin and unknown routes. */
  route: string;
  /** HTTP status, or `reset` / `timeout` for connection faults. */
  status: number | "reset" | "timeout";
  /** Key label (primary, key1…), never the key. */
  key: string | null;
  fault: "5xx" | "429-burst" | "timeout" | "reset" | "partial-bulk" | "rate-limit" | null;
  durationMs: number;
}

export interface SandboxStats {
  totalRequests: number;
  apiRequests: number;
  /** Counts by `METHOD /route STATUS`. */
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  /** Successful state-changing API calls. */
  writes: number;
  /** 429s served: by the rate limiter, by injected bursts, and both. */
  rateLimited: number;
  injected429: number;
  served429: number;
  faults: { "5xx": number; timeout: number; reset: number; "partial-bulk": number };
  log: RequestLogEntry[];
}

export class StatsRecorder {
  private seq = 0;
  private readonly started = Date.now();
  private data: Omit<SandboxStats, "log"> = StatsRecorder.empty();
  private log: RequestLogEntry[] = [];

  constructor(private readonly maxLog: number) {}

  private static empty(): Omit<SandboxStats, "log"> {
    return {
      totalRequests: 0,
      apiRequests: 0,
      byRoute: {},
      byStatus: {},
      writes: 0,
      rateLimited: 0,
      injected429: 0,
      served429: 0,
      faults: { "5xx": 0, timeout: 0, reset: 0, "partial-bulk": 0 },
    };
  }

  elapsed(): number {
    return Date.now() - this.started;
  }

  record(
    entry: Omit<RequestLogEntry, "seq" | "atMs">,
    opts: { api: boolean; write: boolean; startedMs: number },
  ): void {
    const d = this.data;
    d.totalRequests++;
    if (opts.api) d.apiRequests++;
    const routeKey = `${entry.method} ${entry.route} ${entry.status}`;
    d.byRoute[routeKey] = (d.byRoute[routeKey] ?? 0) + 1;
    d.byStatus[String(entry.status)] = (d.byStatus[String(entry.status)] ?? 0) + 1;
    if (opts.write && typeof entry.status === "number" && entry.status < 300) d.writes++;
    if (entry.status === 429) d.served429++;
    if (entry.fault === "rate-limit") d.rateLimited++;
    if (entry.fault === "429-burst") d.injected429++;
    if (entry.fault && entry.fault in d.faults) d.faults[entry.fault as keyof SandboxStats["faults"]]++;
    if (this.maxLog > 0) {
      this.log.push({ ...entry, seq: ++this.seq, atMs: opts.startedMs - this.started });
      if (this.log.length > this.maxLog * 1.25) this.log = this.log.slice(-this.maxLog);
    }
  }

  snapshot(): SandboxStats {
    const d = this.data;
    return {
      ...d,
      byRoute: { ...d.byRoute },
      byStatus: { ...d.byStatus },
      faults: { ...d.faults },
      log: this.log.slice(-this.maxLog),
    };
  }

  reset(): void {
    this.data = StatsRecorder.empty();
    this.log = [];
  }
}
