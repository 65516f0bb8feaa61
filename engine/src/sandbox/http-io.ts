import type http from "node:http";
import { ApiError } from "./api-error.ts";

/**
 * The sandbox's request and response plumbing, shaped like the Fastify server Instantly runs:
 * JSON-only bodies with Fastify's error codes, a body size limit, repeated query keys as arrays.
 */

const MAX_BODY_BYTES = 20 * 1024 * 1024;

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.destroyed) return;
  const text = JSON.stringify(body === undefined ? null : body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiError(413, "Request body is too large", { code: "FST_ERR_CTP_BODY_TOO_LARGE" });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function drain(req: http.IncomingMessage): Promise<void> {
  try {
    await readBody(req);
  } catch {
    // Ignore: the response is an error anyway.
  }
}

/** Fastify's content-type handling: JSON only, empty JSON bodies rejected, bad JSON a 400. */
export function parseBody(req: http.IncomingMessage, raw: Buffer, rejectEmptyJson: boolean): unknown {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (raw.length === 0) {
    if (type === "application/json" && rejectEmptyJson) {
      throw new ApiError(400, "Body cannot be empty when content-type is set to 'application/json'", {
        code: "FST_ERR_CTP_EMPTY_JSON_BODY",
      });
    }
    return undefined;
  }
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new ApiError(415, `Unsupported Media Type: ${type || "undefined"}`, {
      code: "FST_ERR_CTP_INVALID_MEDIA_TYPE",
    });
  }
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ApiError(400, "Body is not valid JSON but content-type is set to 'application/json'", {
      code: "FST_ERR_CTP_INVALID_JSON_BODY",
    });
  }
}

export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of params) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
