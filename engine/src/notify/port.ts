import { z } from "zod";
import { UserError } from "../core/errors.ts";
import { createConsoleNotifier } from "./console.ts";
import { createEchoExternalNotifier, createEchoMessagesNotifier } from "./echo.ts";
import { assertTimeZone, localTimeZone } from "./format.ts";
import { defaultRetryPolicy, type RetryPolicy } from "./http.ts";
import type { MessageKind, OutgoingMessage } from "./message.ts";
import { secretValuesFromEnv } from "./pii.ts";
import { createSlackNotifier } from "./slack.ts";

/**
 * Where run messages go. One adapter per channel the seeds describe, picked from the environment
 * with the seeds' variable names; every adapter returns a result instead of throwing, because a
 * notification must never fail a run.
 */
export type NotifierKind = "echo-messages" | "echo-external" | "slack" | "console" | "disabled";

export interface DeliveryResult {
  ok: boolean;
  adapter: NotifierKind;
  message: MessageKind;
  /** HTTP requests made (all steps and retries). */
  attempts: number;
  /** Emails or secrets the PII guard removed from the payload. */
  redactions: number;
  /** Why it was not delivered (no secrets, no PII). */
  warning?: string;
  /** True when notifications are switched off (not a failure). */
  skipped?: boolean;
  /** Echo message id, when Echo returned one. */
  id?: string;
}

export interface Notifier {
  readonly kind: NotifierKind;
  /** Where messages go, without secrets ("Echo messages API at https://echo.example.com → #ops"). */
  readonly description: string;
  send(message: OutgoingMessage): Promise<DeliveryResult>;
}

/** Shared by the adapters. */
export interface AdapterConfig {
  policy: RetryPolicy;
  secrets: readonly string[];
}

const emptyAsUnset = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUnset, schema.optional());
const httpUrl = (name: string) =>
  z.string().refine((v) => /^https?:\/\/[^\s/]+/.test(v) && !/\s/.test(v) && URL.canParse(v), {
    message: `${name} must be an http(s) URL`,
  });

/**
 * The notification environment. Secret values (tokens, keys, the webhook URL) never appear in an
 * error: messages name the variable only.
 */
export const notifyEnvSchema = z.object({
  ECHO_API_BASE_URL: optional(httpUrl("ECHO_API_BASE_URL")),
  ECHO_API_TOKEN: optional(z.string()),
  ECHO_API_KEY: optional(z.string()),
  SLACK_WEBHOOK_URL: optional(httpUrl("SLACK_WEBHOOK_URL")),
  SLACK_NOTIFICATION_CHANNEL: optional(
    z.string().regex(/^[#@]?[A-Za-z0-9._-]{1,80}$/, {
      message: "SLACK_NOTIFICATION_CHANNEL must be a channel name like #cold-email-ops",
    }),
  ),
  SLACK_NOTIFICATIONS_ENABLED: optional(
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => ["true", "false", "1", "0", "yes", "no", "on", "off"].includes(v), {
        message: "SLACK_NOTIFICATIONS_ENABLED must be true or false",
      })
      .transform((v) => ["true", "1", "yes", "on"].includes(v)),
  ),
  NOTIFY_TIME_ZONE: optional(
    z.string().refine(
      (v) => {
        try {
          assertTimeZone(v);
          return true;
        } catch {
          return false;
        }
      },
      { message: "NOTIFY_TIME_ZONE must be an IANA time zone like America/New_York" },
    ),
  ),
});

export interface NotifySettings {
  kind: NotifierKind;
  enabled: boolean;
  channel: string;
  timeZone: string;
  baseUrl?: string;
  token?: string;
  apiKey?: string;
  webhookUrl?: string;
  secrets: string[];
}

/** Seed 001 (the live setup) defaults to its channel; seed 000 (the external endpoint) to its own. */
const DEFAULT_CHANNEL = { "echo-messages": "#sales-cold-email-replies", other: "#cold-email-ops" } as const;

/**
 * Read and validate the notification settings. Adapter choice, first match wins:
 * ECHO_API_BASE_URL + ECHO_API_TOKEN → Echo messages API (seed 001, what the team runs today);
 * ECHO_API_BASE_URL + ECHO_API_KEY → Echo external endpoint (seed 000); SLACK_WEBHOOK_URL → Slack
 * incoming webhook; otherwise the console. SLACK_NOTIFICATIONS_ENABLED=false turns all off.
 */
export function notifySettingsFromEnv(env: Record<string, string | undefined> = process.env): NotifySettings {
  const parsed = notifyEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => i.message).join("; ");
    throw new UserError(`notification settings: ${problems}`, {
      hint: "fix or unset the variable (values are not printed because some are secrets)",
    });
  }
  const e = parsed.data;
  if ((e.ECHO_API_TOKEN || e.ECHO_API_KEY) && !e.ECHO_API_BASE_URL) {
    throw new UserError(
      `notification settings: ${e.ECHO_API_TOKEN ? "ECHO_API_TOKEN" : "ECHO_API_KEY"} is set but ECHO_API_BASE_URL is not`,
      { hint: "set ECHO_API_BASE_URL to your Echo API (e.g. https://echo.example.com)" },
    );
  }
  if (e.ECHO_API_BASE_URL && !e.ECHO_API_TOKEN && !e.ECHO_API_KEY) {
    throw new UserError(
      "notification settings: ECHO_API_BASE_URL is set but neither ECHO_API_TOKEN nor ECHO_API_KEY",
      {
        hint: "set ECHO_API_TOKEN (Echo messages API) or ECHO_API_KEY (Echo external endpoint)",
      },
    );
  }
  const kind: NotifierKind =
    e.SLACK_NOTIFICATIONS_ENABLED === false
      ? "disabled"
      : e.ECHO_API_BASE_URL && e.ECHO_API_TOKEN
        ? "echo-messages"
        : e.ECHO_API_BASE_URL && e.ECHO_API_KEY
          ? "echo-external"
          : e.SLACK_WEBHOOK_URL
            ? "slack"
            : "console";
  return {
    kind,
    enabled: kind !== "disabled",
    channel:
      e.SLACK_NOTIFICATION_CHANNEL ??
      (kind === "echo-messages" ? DEFAULT_CHANNEL["echo-messages"] : DEFAULT_CHANNEL.other),
    timeZone: e.NOTIFY_TIME_ZONE ?? localTimeZone(),
    ...(e.ECHO_API_BASE_URL ? { baseUrl: e.ECHO_API_BASE_URL.replace(/\/+$/, "") } : {}),
    ...(e.ECHO_API_TOKEN ? { token: e.ECHO_API_TOKEN } : {}),
    ...(e.ECHO_API_KEY ? { apiKey: e.ECHO_API_KEY } : {}),
    ...(e.SLACK_WEBHOOK_URL ? { webhookUrl: e.SLACK_WEBHOOK_URL } : {}),
    secrets: secretValuesFromEnv(env),
  };
}

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
