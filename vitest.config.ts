import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests spawn engine/bin/engine.js, which runs engine/dist: rebuild it first when engine/src changed.
    globalSetup: ["test/setup/build-engine.ts"],
    // Forks keep DuckDB's native handles and sandboxes isolated per file. Vitest's default on 2 cores is
    // ONE worker (cores − 1), which runs every file in series; most files wait on child processes, the
    // sandbox's simulated latency or DuckDB's own threads, so one worker per core keeps both cores busy.
    pool: "forks",
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
