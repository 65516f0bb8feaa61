import { guardWorkflowCommands } from "../core/escape.ts";
import type { OutgoingMessage } from "./message.ts";
import { redactText } from "./pii.ts";
import type { AdapterConfig, DeliveryResult, Notifier } from "./port.ts";

/**
 * The default when no channel is configured (local runs, the demo): the message as it would be
 * posted, for a terminal, framed so it stands apart from progress output. Same PII guard as the
 * network adapters. Written to stderr, like progress, so stdout stays clean for `--json` output. In
 * GitHub Actions that is the job log, where a line starting with `::` is a workflow command: none of
 * the message's lines can be one (engine/src/core/escape.ts).
 */
export interface ConsoleConfig extends AdapterConfig {
  write?: (text: string) => void;
}

export function createConsoleNotifier(config: ConsoleConfig): Notifier {
  const write = config.write ?? ((text: string) => process.stderr.write(text));
  return {
    kind: "console",
    description: "console (set ECHO_API_BASE_URL + ECHO_API_TOKEN, or SLACK_WEBHOOK_URL, to post)",
    async send(message: OutgoingMessage): Promise<DeliveryResult> {
      const guarded = redactText(message.terminalText, config.secrets);
      const rule = "─".repeat(60);
      write(`${rule}\n${guardWorkflowCommands(guarded.value)}\n${rule}\n`);
      return {
        ok: true,
        adapter: "console",
        message: message.kind,
        attempts: 1,
        redactions: guarded.redactions,
      };
    },
  };
}
