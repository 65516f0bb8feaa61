import type { InstantlyClient } from "../instantly/index.ts";

/**
 * Ctrl-C during a run that writes to Instantly: say what was done and what happens next, then exit
 * 130 (the shell's code for SIGINT). Nothing more is needed to recover: every batch that went out has
 * an intent row in sync_changelog first, and the next `engine pull` settles it against Instantly.
 * Returns the function that removes the handler when the run ends normally.
 */
export function announceInterrupt(
  command: string,
  client: InstantlyClient,
  phases: () => string[],
): () => void {
  const onSignal = () => {
    const ops = Object.entries(client.stats().operations)
      .filter(([, s]) => s.calls > 0)
      .map(([op, s]) => `${op} ${s.calls}`);
    const seen = phases();
    const lines = [
      "",
      `${command} interrupted (Ctrl-C).`,
      `  done so far: ${seen.length > 0 ? seen.join(" → ") : "preflight only"}; Instantly calls: ${ops.length > 0 ? ops.join(", ") : "none"}`,
      "  every batch sent was written ahead to sync_changelog: the next `engine pull` settles the rest",
      "  (then transform and apply again; nothing is sent twice).",
    ];
    process.stderr.write(`${lines.join("\n")}\n`);
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  return () => process.off("SIGINT", onSignal);
}
