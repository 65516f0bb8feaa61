/**
 * The notification environment (the team's variable names), read and validated once: which adapter,
 * which channel, which time zone, and which values are secrets to scrub from every payload.
 */
import { z } from "zod";
import { UserError } from "../core/errors.ts";
import { assertTimeZone, localTimeZone } from "./format.ts";
import { secretValuesFromEnv } from "./pii.ts";
import type { NotifierKind } from "./port.ts";

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

/** The Echo messages API (the team's live setup) posts to its replies channel; every other adapter to ops. */
const DEFAULT_CHANNEL = { "echo-messages": "#sales-cold-email-replies", other: "#cold-email-ops" } as const;

/**
 * Read and validate the notification settings. Adapter choice, first match wins:
 * ECHO_API_BASE_URL + ECHO_API_TOKEN → Echo messages API (what the team runs today);
 * ECHO_API_BASE_URL + ECHO_API_KEY → Echo external endpoint; SLACK_WEBHOOK_URL → Slack
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
