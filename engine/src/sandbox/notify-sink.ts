import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { validateSlackPayload } from "../notify/slack-limits.ts";

/**
 * A local stand-in for the two places run messages go: the team's Echo API (both its messages API
 * and its older external endpoint, notify/echo.ts) and a Slack incoming webhook. It answers like
 * them (ids, "ok", FastAPI-style 401/404/422 bodies, Slack's `invalid_blocks`), records every
 * request so the demo can show what was posted and tests can assert on it, and fails on demand.
 * Loopback only; nothing here talks to the network.
 */

export type SinkTarget = "echo-create" | "echo-send" | "echo-external" | "slack" | "unknown";

export interface Delivery {
  seq: number;
  target: SinkTarget;
  method: string;
  path: string;
  /** Lower-cased request headers. */
  headers: Record<string, string>;
  /** Parsed JSON body (undefined when there was none or it was not JSON). */
  body: unknown;
  rawBody: string;
  /** What the sink answered. */
  status: number;
  at: Date;
}

export interface EchoMessageRecord {
  id: number;
  title: string;
  content: unknown;
  recipients: string[];
  status: "draft" | "sent";
  source: "messages" | "external";
  notificationType?: string;
}

export interface NotifySinkOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Bearer token the Echo messages API requires; unset = any (the messages API may run without authentication on a private network). */
  echoToken?: string;
  /** X-API-Key the external endpoint requires; unset = any non-empty key. */
  echoApiKey?: string;
  /** Path of the Slack webhook. */
  slackPath?: string;
}

export interface NotifySink {
  url: string;
  port: number;
  slackWebhookUrl: string;
  /** Every request so far, in arrival order (copies). */
  received(): Delivery[];
  /** Messages Echo holds, with their draft/sent status. */
  echoMessages(): EchoMessageRecord[];
  /**
   * The next `n` requests get `status` (default 500) and are not processed. With `target`, only
   * requests to that endpoint count (e.g. fail the Echo send step but not the create).
   */
  failNext(n: number, status?: number, target?: SinkTarget): void;
  /** Environment for one notifier variant pointed at this sink. */
  env(kind: "echo-messages" | "echo-external" | "slack"): Record<string, string>;
  close(): Promise<void>;
}

const DEFAULT_SLACK_PATH = "/services/T0SANDBOX/B0SANDBOX/sandboxwebhooksecret0001";
const MAX_BODY = 1_000_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): number {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json" });
  res.end(text);
  return status;
}

const fastApiMissing = (field: string) => ({
  detail: [{ type: "missing", loc: ["body", field], msg: "Field required" }],
});

export async function startNotifySink(options: NotifySinkOptions = {}): Promise<NotifySink> {
  const slackPath = options.slackPath ?? DEFAULT_SLACK_PATH;
  const deliveries: Delivery[] = [];
  const messages = new Map<number, EchoMessageRecord>();
  let nextId = 1;
  let failures: { left: number; status: number; target?: SinkTarget } = { left: 0, status: 500 };

  const handle = (
    req: IncomingMessage,
    res: ServerResponse,
    raw: string,
  ): { target: SinkTarget; status: number } => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const post = req.method === "POST";
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const obj = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    const target: SinkTarget =
      path === slackPath
        ? "slack"
        : path === "/api/v1/messages/external"
          ? "echo-external"
          : path === "/api/v1/messages"
            ? "echo-create"
            : /^\/api\/v1\/messages\/[^/]+\/send$/.test(path)
              ? "echo-send"
              : "unknown";

    if (failures.left > 0 && (failures.target === undefined || failures.target === target)) {
      failures.left--;
      return {
        target,
        status: send(
          res,
          failures.status,
          target === "slack" ? "rollup_error" : { detail: "injected failure" },
        ),
      };
    }
    if (!post) return { target, status: send(res, 405, { detail: "Method Not Allowed" }) };

    const bearerOk = () =>
      options.echoToken === undefined || req.headers.authorization === `Bearer ${options.echoToken}`;
    switch (target) {
      case "echo-create": {
        if (!bearerOk()) return { target, status: send(res, 401, { detail: "Not authenticated" }) };
        for (const field of ["title", "content", "recipients"]) {
          if (obj[field] === undefined) return { target, status: send(res, 422, fastApiMissing(field)) };
        }
        if (typeof obj.title !== "string" || !Array.isArray(obj.recipients) || obj.recipients.length === 0) {
          return {
            target,
            status: send(res, 422, { detail: [{ type: "value_error", msg: "bad title or recipients" }] }),
          };
        }
        const record: EchoMessageRecord = {
          id: nextId++,
          title: obj.title,
          content: obj.content,
          recipients: obj.recipients.map(String),
          status: "draft",
          source: "messages",
        };
        messages.set(record.id, record);
        return {
          target,
          status: send(res, 200, { ...record, created_at: new Date().toISOString() }),
        };
      }
      case "echo-send": {
        if (!bearerOk()) return { target, status: send(res, 401, { detail: "Not authenticated" }) };
        const id = Number(path.split("/")[4]);
        const record = messages.get(id);
        if (!record) return { target, status: send(res, 404, { detail: "Message not found" }) };
        record.status = "sent";
        return { target, status: send(res, 200, { id, status: "sent" }) };
      }
      case "echo-external": {
        const key = req.headers["x-api-key"];
        if (!key || (options.echoApiKey !== undefined && key !== options.echoApiKey)) {
          return { target, status: send(res, 401, { detail: "Invalid API key" }) };
        }
        for (const field of ["notification_type", "title", "channel", "notification_data"]) {
          if (obj[field] === undefined) return { target, status: send(res, 422, fastApiMissing(field)) };
        }
        const record: EchoMessageRecord = {
          id: nextId++,
          title: String(obj.title),
          content: obj.notification_data,
          recipients: [String(obj.channel)],
          status: "sent",
          source: "external",
          notificationType: String(obj.notification_type),
        };
        messages.set(record.id, record);
        return { target, status: send(res, 200, record) };
      }
      case "slack": {
        if (body === undefined) return { target, status: send(res, 400, "invalid_payload") };
        if (obj.text === undefined && obj.blocks === undefined)
          return { target, status: send(res, 400, "no_text") };
        if (validateSlackPayload(obj).length > 0) return { target, status: send(res, 400, "invalid_blocks") };
        return { target, status: send(res, 200, "ok") };
      }
      default:
        return {
          target,
          status: send(res, 404, target === "unknown" ? "no_service" : { detail: "Not Found" }),
        };
    }
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const { target, status } = handle(req, res, raw);
        let body: unknown;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          body = undefined;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
        deliveries.push({
          seq: deliveries.length + 1,
          target,
          method: req.method ?? "",
          path: (req.url ?? "/").split("?")[0] ?? "/",
          headers,
          body,
          rawBody: raw,
          status,
          at: new Date(),
        });
      })
      .catch(() => {
        if (!res.headersSent) send(res, 413, { detail: "Request body too large" });
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;

  return {
    url,
    port,
    slackWebhookUrl: `${url}${slackPath}`,
    received: () => deliveries.map((d) => ({ ...d, headers: { ...d.headers } })),
    echoMessages: () => [...messages.values()].map((m) => ({ ...m })),
    failNext(n, status = 500, target) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`failNext: n must be a whole number >= 0, got ${n}`);
      if (!Number.isInteger(status) || status < 400 || status > 599)
        throw new Error(`failNext: status must be an HTTP error status (400-599), got ${status}`);
      failures = { left: n, status, ...(target ? { target } : {}) };
    },
    env(kind): Record<string, string> {
      if (kind === "echo-messages")
        return { ECHO_API_BASE_URL: url, ECHO_API_TOKEN: options.echoToken ?? "sandbox-echo-token-0001" };
      if (kind === "echo-external")
        return { ECHO_API_BASE_URL: url, ECHO_API_KEY: options.echoApiKey ?? "sandbox-echo-api-key-0001" };
      return { SLACK_WEBHOOK_URL: `${url}${slackPath}` };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * One line per recorded request for the demo and logs: endpoint, status and the message title.
 * Never prints headers (they carry the token) or the Slack webhook path (it is the secret).
 */
export function describeDelivery(d: Delivery): string {
  const body = (d.body && typeof d.body === "object" ? d.body : {}) as Record<string, unknown>;
  const header = Array.isArray(body.blocks)
    ? (body.blocks as Array<{ type?: string; text?: { text?: string } }>).find((b) => b.type === "header")
        ?.text?.text
    : undefined;
  const title = typeof body.title === "string" ? body.title : header;
  const where = d.target === "slack" ? "Slack webhook" : `${d.method} ${d.path}`;
  return `#${d.seq} ${where} → ${d.status}${title ? ` "${title}"` : ""}`;
}
