import { guardOutput } from "../core/escape.ts";

/**
 * In GitHub Actions every line the engine prints is read by the runner, which executes a line starting
 * with `::` as a workflow command (`::add-mask::`, `::warning::`, `::stop-commands::`). Progress lines,
 * warnings and errors can quote Instantly (campaign names, error messages), so in Actions stdout and
 * stderr pass through `guardOutput` (core/escape.ts): only the engine's own annotations stay commands.
 * Outside Actions nothing changes.
 */
let installed = false;

export function guardProcessOutput(env: Record<string, string | undefined> = process.env): void {
  if (env.GITHUB_ACTIONS !== "true" || installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      original(typeof chunk === "string" ? guardOutput(chunk) : chunk, ...rest)) as typeof stream.write;
  }
}
