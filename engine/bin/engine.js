#!/usr/bin/env node
// The `engine` command. It runs engine/dist, the plain JavaScript `npm ci` builds from engine/src
// (package.json `prepare` → engine/bin/build.js): compiling TypeScript at every start cost ~2 s.
// A build older than its sources is never run: the engine then runs from source through tsx (slower)
// and says how to refresh the build.
import { buildState, entry } from "./build.js";

const state = buildState();
let runCli;
if (state === "fresh") {
  ({ runCli } = await import(entry));
} else {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    console.error("error: the engine is not built and its dependencies are not installed");
    console.error("  hint: run `npm ci` in the repository (it builds engine/dist)");
    process.exit(2);
  }
  console.error(
    state === "missing"
      ? "engine: engine/dist is missing, running from source (slower); `npm run build` (or `npm ci`) builds it"
      : "engine: engine/src changed since the last build, running from source (slower); `npm run build` refreshes engine/dist",
  );
  register();
  ({ runCli } = await import("../src/cli/main.ts"));
}
if (process.env.ENGINE_DEBUG) process.setSourceMapsEnabled(true);
await runCli(process.argv.slice(2));
