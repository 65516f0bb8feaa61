import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { projectDir as defaultProjectDir, repoRoot } from "../config/paths.ts";
import { type CompileOptions, compileProject, effectiveVars } from "./compile.ts";
import { type CompiledGraph, compiledGraphSchema } from "./graph.ts";

/**
 * The compiled graph cached under `<project>/.engine/compile-cache/`, so `engine transform` pays the
 * Dataform compile (6–15 s) only when the rules changed. The key is a hash of everything the compile
 * reads: every file under definitions/ and includes/, workflow_settings.yaml, the effective vars (file
 * vars with the overrides on top) and the Dataform versions (the project's @dataform/core and the pinned
 * CLI). Any change to one of them is a new key, so a stale graph is never served; entries are written
 * atomically (temp file + rename) so parallel runs never read a half-written graph.
 */
export type CompileCacheStatus = "hit" | "miss" | "off";

export interface CachedCompileOptions extends CompileOptions {
  /** false: compile and do not touch the cache (`--no-cache`). Default true. */
  cache?: boolean;
  /** Default `<projectDir>/.engine/compile-cache`. */
  cacheDir?: string;
}

export interface CachedCompile {
  graph: CompiledGraph;
  cache: CompileCacheStatus;
  /** The cache key (hex), also the entry's file name. */
  key: string;
  /** Milliseconds spent: the compile on a miss or with the cache off, reading the entry on a hit. */
  ms: number;
}

/** Bump when the entry format or the key's inputs change, so old entries are never read. */
const FORMAT = "compile-cache-v1";
/** Entries kept per project (~0.5 MB each): a person's few var sets, and the test suite's (test/setup/compiled-graph.ts). */
const KEEP = 32;

export interface CompileKeyInput {
  projectDir: string;
  vars: Record<string, string>;
  /** Dataform versions; default: read from the installed packages. */
  versions?: { core: string; cli: string };
}

/** The hash of everything a compile depends on (see the file comment). */
export function compileCacheKey(input: CompileKeyInput): string {
  const dir = path.resolve(input.projectDir);
  const hash = createHash("sha256");
  const versions = input.versions ?? dataformVersions(dir);
  hash.update(`${FORMAT}\0core=${versions.core}\0cli=${versions.cli}\0`);
  const vars = Object.entries(input.vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  hash.update(`vars=${JSON.stringify(vars)}\0`);
  const settings = path.join(dir, "workflow_settings.yaml");
  hash.update("workflow_settings.yaml\0");
  if (existsSync(settings)) hash.update(readFileSync(settings));
  for (const folder of ["definitions", "includes"]) {
    for (const file of listFiles(path.join(dir, folder))) {
      // Path and length before the bytes: moving content between files is a different key.
      const bytes = readFileSync(path.join(dir, folder, file));
      hash.update(`\0${folder}/${file}\0${bytes.length}\0`);
      hash.update(bytes);
    }
  }
  return hash.digest("hex");
}

/** Compile through the cache: a hit reads the stored graph, a miss compiles and stores it. */
export async function compileCached(options: CachedCompileOptions = {}): Promise<CachedCompile> {
  const t0 = performance.now();
  const { cache = true, cacheDir: dirOption, ...compileOptions } = options;
  const projectDir = path.resolve(compileOptions.projectDir ?? defaultProjectDir());
  const key = compileCacheKey({ projectDir, vars: effectiveVars(projectDir, compileOptions.vars ?? {}) });
  const ms = () => Math.round(performance.now() - t0);
  if (!cache) {
    const graph = await compileProject({ ...compileOptions, projectDir });
    return { graph, cache: "off", key, ms: ms() };
  }
  const cacheDir = dirOption ?? path.join(projectDir, ".engine", "compile-cache");
  const entry = path.join(cacheDir, `${key}.json`);
  const stored = readEntry(entry);
  if (stored) return { graph: stored, cache: "hit", key, ms: ms() };
  const graph = await compileProject({ ...compileOptions, projectDir });
  writeEntry(cacheDir, entry, graph);
  return { graph, cache: "miss", key, ms: ms() };
}

/** The installed Dataform versions: the project's own core (what compiles) and the pinned CLI. */
export function dataformVersions(projectDir: string): { core: string; cli: string } {
  const version = (file: string) => {
    try {
      return String((JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }).version ?? "?");
    } catch {
      return "missing";
    }
  };
  return {
    core: version(path.join(projectDir, "node_modules", "@dataform", "core", "package.json")),
    cli: version(path.join(repoRoot(), "node_modules", "@dataform", "cli", "package.json")),
  };
}

/** Files under `dir`, relative, sorted (so the key does not depend on directory order). */
function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${d.name}` : d.name;
    if (d.isDirectory()) files.push(...listFiles(path.join(dir, d.name), relative));
    else if (d.isFile()) files.push(relative);
  }
  return files.sort();
}

/** The stored graph, or undefined when absent or unreadable (a damaged entry is a miss, never an error). */
function readEntry(file: string): CompiledGraph | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const checked = compiledGraphSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return checked.success ? checked.data : undefined;
  } catch {
    return undefined;
  }
}

function writeEntry(cacheDir: string, file: string, graph: CompiledGraph): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(graph));
    renameSync(temp, file);
    prune(cacheDir);
  } catch {
    // A read-only checkout still transforms; it just compiles every time.
  }
}

/** Keep the KEEP most recently written entries. */
function prune(cacheDir: string): void {
  const entries = readdirSync(cacheDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({ file: path.join(cacheDir, f), at: statSync(path.join(cacheDir, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of entries.slice(KEEP)) rmSync(old.file, { force: true });
}
