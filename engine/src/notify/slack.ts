import { postJson } from "./http.ts";
import type { OutgoingMessage } from "./message.ts";
import type { AdapterConfig, DeliveryResult, Notifier } from "./port.ts";

/**
 * Slack directly, through an incoming webhook: `POST <SLACK_WEBHOOK_URL>` with Block Kit `blocks`
 * and a mrkdwn `text` fallback (what notifications and screen readers show). Slack answers "ok" as
 * plain text; an error is a 4xx with a reason word (`invalid_blocks`, `no_service`, …) and is final.
 * The webhook URL is the credential, so it is never printed: warnings say "Slack webhook".
 * `channel` only matters for legacy webhooks; app webhooks post where they were installed.
 */
export interface SlackConfig extends AdapterConfig {
  webhookUrl: string;
  channel?: string;
}

export function createSlackNotifier(config: SlackConfig): Notifier {
  return {
    kind: "slack",
    description: `Slack incoming webhook (${new URL(config.webhookUrl).host})${config.channel ? ` → ${config.channel}` : ""}`,
    async send(message: OutgoingMessage): Promise<DeliveryResult> {
      const result = await postJson<string>(config.webhookUrl, {
        label: "Slack webhook",
        body: {
          text: message.slack.text,
          blocks: message.slack.blocks,
          ...(config.channel ? { channel: config.channel } : {}),
        },
        responseType: "text",
        policy: config.policy,
        secrets: config.secrets,
      });
      const base = {
        adapter: "slack" as const,
        message: message.kind,
        attempts: result.attempts,
        redactions: result.redactions,
      };
      return result.ok ? { ...base, ok: true } : { ...base, ok: false, warning: result.error };
    },
  };
}
