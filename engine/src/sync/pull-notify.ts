import { createWarehouseAlertStore } from "../notify/alert-store.ts";
import { createNotifier } from "../notify/create-notifier.ts";
import type { Notifier } from "../notify/port.ts";
import { notifyPullCompleteness } from "../notify/pull-alert.ts";
import type { PullCompleteness } from "./pull-completeness.ts";
import type { PullRun } from "./pull-types.ts";
import { ciRunUrl } from "./run-id.ts";

/**
 * The pull's last step: raise or clear the pull_incomplete alert (notify/pull-alert.ts) through the
 * notifier given (default: the one the environment asks for; false: none). Warnings only, never an
 * error.
 */
export async function alertCompleteness(
  run: PullRun,
  notifier: Notifier | false | undefined,
  finishedAt: Date,
  completeness: PullCompleteness,
): Promise<string[]> {
  if (notifier === false) return [];
  try {
    const env = run.env ?? process.env;
    return await notifyPullCompleteness(
      {
        runId: run.runId,
        finishedAt,
        ciRunUrl: ciRunUrl(run.env),
        short: completeness.short,
        measured: completeness.checked > 0,
      },
      {
        notifier: notifier ?? createNotifier(env, { write: (text) => process.stderr.write(text) }),
        alertStore: createWarehouseAlertStore(run.warehouse),
        env,
      },
    );
  } catch (error) {
    return [`pull alert not sent: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`];
  }
}
