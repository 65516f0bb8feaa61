import { repoRoot } from "../../engine/src/config/paths.ts";
import { compileCached } from "../../engine/src/dataform/compile-cache.ts";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";

/**
 * The project's compiled graph for these vars, through the engine's compile cache
 * (`.engine/compile-cache/`, keyed on the rules' files, the vars and the Dataform versions): every test
 * file that asks for the same vars shares one Dataform compile instead of paying its own. Tests of the
 * compile itself call `compileProject` directly.
 */
export async function compiledGraph(
  vars: Record<string, string>,
  projectDir: string = repoRoot(),
): Promise<CompiledGraph> {
  return (await compileCached({ projectDir, vars })).graph;
}
