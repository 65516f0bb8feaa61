#!/usr/bin/env node
// Builds engine/dist (plain JavaScript) from engine/src with the TypeScript compiler, and tells whether a
// build is current. `npm run build` runs this file; `npm ci`/`npm install` run it through `prepare`;
// engine/bin/engine.js and the test setup ask `buildState()` so nothing runs an outdated build.
// Plain JavaScript on purpose: it must work before anything is built.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const distDir = path.join(root, "engine", "dist");
export const entry = path.join(distDir, "cli", "main.js");
const stamp = path.join(distDir, ".built");
const sourceDir = path.join(root, "engine", "src");
const configs = ["tsconfig.json", "tsconfig.build.json", "package.json"].map((f) => path.join(root, f));

/**
 * "fresh" when engine/dist was built after the last change to engine/src (or the tsconfig/package.json),
 * "stale" when a source is newer, "missing" when there is no build. Costs one stat per source file
 * (~120 files, a few ms), cheap enough for every command start.
 */
export function buildState() {
  if (!existsSync(stamp) || !existsSync(entry)) return "missing";
  const built = statSync(stamp).mtimeMs;
  if (configs.some((file) => existsSync(file) && statSync(file).mtimeMs > built)) return "stale";
  for (const name of readdirSync(sourceDir, { recursive: true })) {
    if (!String(name).endsWith(".ts") && !String(name).split(path.sep).includes("assets")) continue;
    if (statSync(path.join(sourceDir, String(name))).mtimeMs > built) return "stale";
  }
  return "fresh";
}

/**
 * Clean build, swapped in whole: compile into a fresh folder next to engine/dist, then rename it into
 * place, so an engine process running meanwhile (a test, `npx`, which runs `prepare`) never finds a
 * half-written or emptied engine/dist, and no output of a deleted source survives.
 */
export function build({ quiet = false } = {}) {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  if (!existsSync(tsc)) {
    throw new Error("typescript is not installed: run `npm ci` first");
  }
  const started = Date.now();
  const next = `${distDir}.next-${process.pid}`;
  const old = `${distDir}.old-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  try {
    const result = spawnSync(
      process.execPath,
      [tsc, "-p", path.join(root, "tsconfig.build.json"), "--outDir", next],
      { cwd: root, stdio: "inherit" },
    );
    if (result.status !== 0) throw new Error(`tsc -p tsconfig.build.json exited with ${result.status}`);
    rewriteDynamicImports(next);
    copyAssets(next);
    // Stamped with the START time: a source saved while tsc ran is newer, so that build counts as stale.
    const stampFile = path.join(next, ".built");
    writeFileSync(stampFile, `${new Date(started).toISOString()}\n`);
    utimesSync(stampFile, started / 1000, started / 1000);
    if (existsSync(distDir)) renameSync(distDir, old);
    renameSync(next, distDir);
  } finally {
    rmSync(next, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
  if (!quiet) console.error(`engine: built engine/dist in ${Date.now() - started} ms`);
}

/**
 * tsc emits only JavaScript; files the code reads at run time next to itself (report/assets/*.css, *.js)
 * are copied as they are, so `new URL("./assets/x", import.meta.url)` resolves in engine/dist too.
 */
function copyAssets(outDir) {
  for (const name of readdirSync(sourceDir, { recursive: true })) {
    const relative = String(name);
    if (!relative.split(path.sep).includes("assets")) continue;
    const from = path.join(sourceDir, relative);
    if (!statSync(from).isFile()) continue;
    const to = path.join(outDir, relative);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
}

/**
 * TypeScript 5.9's `rewriteRelativeImportExtensions` skips dynamic imports inside an `export default`
 * expression (every `export default defineCommand({ async run() { await import("../x.ts") } })` in
 * engine/src/cli), so the built file would ask for a `.ts` that engine/dist does not have. Rewrite
 * those relative `.ts` specifiers to `.js` after compiling.
 */
function rewriteDynamicImports(outDir) {
  const pattern = /\bimport\((["'])(\.{1,2}\/[^"'\n]+?)\.([mc]?)ts\1\)/g;
  for (const name of readdirSync(outDir, { recursive: true })) {
    if (!String(name).endsWith(".js")) continue;
    const file = path.join(outDir, String(name));
    const text = readFileSync(file, "utf8");
    const fixed = text.replace(pattern, (_m, q, spec, m) => `import(${q}${spec}.${m}js${q})`);
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    build();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
