import { build, buildState } from "../../engine/bin/build.js";

/**
 * Vitest global setup: tests spawn `engine/bin/engine.js`, which runs engine/dist. Rebuild it first when
 * engine/src changed, so a test never exercises an outdated build (nor the slow run-from-source path).
 */
export default function setup(): void {
  if (buildState() !== "fresh") build({ quiet: true });
}
