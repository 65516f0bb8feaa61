import { createConsoleNotifier } from "./console.ts";
import { createEchoExternalNotifier, createEchoMessagesNotifier } from "./echo.ts";
import { defaultRetryPolicy, type RetryPolicy } from "./http.ts";
import { notifySettingsFromEnv } from "./notify-settings.ts";
import type { AdapterConfig, Notifier } from "./port.ts";
import { createSlackNotifier } from "./slack.ts";

/** The one place that picks an adapter (port.ts holds the types, so adapters never import this). */
export interface CreateNotifierOptions {
  /** Override parts of the retry policy (tests use tiny delays). */
  retry?: Partial<RetryPolicy>;
  /** Console output (default: stdout). */
  write?: (text: string) => void;
}

/** The notifier the environment asks for. Throws a UserError naming a bad variable. */
export function createNotifier(
  env: Record<string, string | undefined> = process.env,
  options: CreateNotifierOptions = {},
): Notifier {
  const s = notifySettingsFromEnv(env);
  const config: AdapterConfig = {
    policy: { ...defaultRetryPolicy, ...(options.retry ?? {}) },
    secrets: s.secrets,
  };
  switch (s.kind) {
    case "echo-messages":
      return createEchoMessagesNotifier({
        ...config,
        baseUrl: s.baseUrl!,
        token: s.token!,
        channel: s.channel,
      });
    case "echo-external":
      return createEchoExternalNotifier({
        ...config,
        baseUrl: s.baseUrl!,
        apiKey: s.apiKey!,
        channel: s.channel,
      });
    case "slack":
      return createSlackNotifier({
        ...config,
        webhookUrl: s.webhookUrl!,
        ...(env.SLACK_NOTIFICATION_CHANNEL ? { channel: s.channel } : {}),
      });
    case "disabled":
      return {
        kind: "disabled",
        description: "notifications disabled (SLACK_NOTIFICATIONS_ENABLED=false)",
        send: async (message) => ({
          ok: false,
          skipped: true,
          adapter: "disabled",
          message: message.kind,
          attempts: 0,
          redactions: 0,
        }),
      };
    default:
      return createConsoleNotifier({ ...config, ...(options.write ? { write: options.write } : {}) });
  }
}
