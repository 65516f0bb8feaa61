import { STATUS_CODES } from "node:http";

/**
 * An error answered in Instantly's (Fastify's) envelope: `{statusCode, error, message}` where `error`
 * is the HTTP reason phrase, plus `code` for the FST_ERR_* cases Fastify reports. Routes throw it;
 * the server turns it into the response. `body` overrides the envelope for the endpoints the
 * reference documents with non-standard error bodies.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly options: { code?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }

  toBody(): unknown {
    if (this.options.body !== undefined) return this.options.body;
    return envelope(this.statusCode, this.message, this.options.code);
  }
}

export function envelope(statusCode: number, message: string, code?: string): Record<string, unknown> {
  return code === undefined
    ? { statusCode, error: STATUS_CODES[statusCode] ?? "Error", message }
    : { statusCode, code, error: STATUS_CODES[statusCode] ?? "Error", message };
}

export const badRequest = (message: string, code?: string) =>
  new ApiError(400, message, code === undefined ? {} : { code });
export const notFound = (message = "Resource not found") => new ApiError(404, message);
