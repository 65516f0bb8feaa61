import type { RetryPolicy } from "./http.ts";
import type { MessageKind, OutgoingMessage } from "./message.ts";

/**
 * Where run messages go: the types every adapter implements (a leaf module, so adapters and the
 * factory in create-notifier.ts depend on it and never on each other). One adapter per channel the
 * team uses (Echo messages API, Echo external endpoint, Slack webhook, console); every adapter
 * returns a result instead of throwing, because a notification must never fail a run.
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
