#!/usr/bin/env node
// The `engine` command. The engine is TypeScript run through tsx, so a fresh clone works after
// `npm ci` with no build step and no stale compiled output.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli/main.ts");
await runCli(process.argv.slice(2));
