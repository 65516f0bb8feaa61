import { postJson } from "./http.ts";
import type { OutgoingMessage } from "./message.ts";
import type { AdapterConfig, DeliveryResult, Notifier } from "./port.ts";

/**
 * The team's Echo service, through either of its two APIs:
 *
 * - Messages API (the one in use): `POST {base}/api/v1/messages` with
 *   `{title, content, recipients: [channel]}` and `Authorization: Bearer <ECHO_API_TOKEN>`, which
 *   returns the message with its `id`; then `POST {base}/api/v1/messages/{id}/send`. Each step has
 *   its own retries, and a failed send is retried with the SAME id — a retry never creates a second
 *   message.
 * - External endpoint (the older one, still accepted): `POST {base}/api/v1/messages/external` with `X-API-Key` and
 *   `{notification_type, title, channel, notification_data}`; Echo renders the blocks itself.
 */

export interface EchoMessagesConfig extends AdapterConfig {
  baseUrl: string;
  token: string;
  channel: string;
}

export function createEchoMessagesNotifier(config: EchoMessagesConfig): Notifier {
  const headers = { Authorization: `Bearer ${config.token}` };
  return {
    kind: "echo-messages",
    description: `Echo messages API at ${new URL(config.baseUrl).origin} → ${config.channel}`,
    async send(message: OutgoingMessage): Promise<DeliveryResult> {
      const base = { adapter: "echo-messages" as const, message: message.kind };
      const created = await postJson<{ id?: string | number } | undefined>(
        `${config.baseUrl}/api/v1/messages`,
        {
          label: "Echo POST /api/v1/messages",
          headers,
          body: { title: message.title, content: message.text, recipients: [config.channel] },
          policy: config.policy,
          secrets: config.secrets,
        },
      );
      if (!created.ok) {
        return {
          ...base,
          ok: false,
          attempts: created.attempts,
          redactions: created.redactions,
          warning: created.error,
        };
      }
      const id = created.data?.id;
      if (id === undefined || id === null || String(id) === "") {
        return {
          ...base,
          ok: false,
          attempts: created.attempts,
          redactions: created.redactions,
          warning: "Echo POST /api/v1/messages answered without a message id; nothing was sent",
        };
      }
      const sent = await postJson<unknown>(
        `${config.baseUrl}/api/v1/messages/${encodeURIComponent(String(id))}/send`,
        {
          label: "Echo POST /api/v1/messages/{id}/send",
          headers,
          policy: config.policy,
          secrets: config.secrets,
        },
      );
      const attempts = created.attempts + sent.attempts;
      return sent.ok
        ? { ...base, ok: true, attempts, redactions: created.redactions, id: String(id) }
        : {
            ...base,
            ok: false,
            attempts,
            redactions: created.redactions,
            id: String(id),
            warning: sent.error,
          };
    },
  };
}

export interface EchoExternalConfig extends AdapterConfig {
  baseUrl: string;
  apiKey: string;
  channel: string;
}

export function createEchoExternalNotifier(config: EchoExternalConfig): Notifier {
  return {
    kind: "echo-external",
    description: `Echo external endpoint at ${new URL(config.baseUrl).origin} → ${config.channel}`,
    async send(message: OutgoingMessage): Promise<DeliveryResult> {
      const result = await postJson<{ id?: string | number } | undefined>(
        `${config.baseUrl}/api/v1/messages/external`,
        {
          label: "Echo POST /api/v1/messages/external",
          headers: { "X-API-Key": config.apiKey },
          body: {
            notification_type: message.kind,
            title: message.shortTitle,
            channel: config.channel,
            notification_data: message.notificationData,
          },
          policy: config.policy,
          secrets: config.secrets,
        },
      );
      const base = {
        adapter: "echo-external" as const,
        message: message.kind,
        attempts: result.attempts,
        redactions: result.redactions,
      };
      if (!result.ok) return { ...base, ok: false, warning: result.error };
      const id = result.data?.id;
      return { ...base, ok: true, ...(id === undefined || id === null ? {} : { id: String(id) }) };
    },
  };
}
