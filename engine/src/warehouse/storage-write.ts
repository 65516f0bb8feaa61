import { adapt, managedwriter, type protos } from "@google-cloud/bigquery-storage";
import { EMAIL_PATTERN } from "../core/redact.ts";
import { bigQueryFields, toStorageRow } from "./bigquery-schema.ts";
import type { Row } from "./port.ts";
import type { TableDef } from "./tables.ts";

/**
 * Appends through the BigQuery Storage Write API (managedwriter), the way the engine writes its
 * results back in production.
 *
 * Two modes, both checking `result.error` on EVERY append: the client resolves a server-rejected
 * append with `{error}` instead of rejecting the promise, so an unchecked append is a silent loss.
 * - `appendDefault`: the table's `_default` stream. At-least-once: a retried append after a lost ack
 *   may land twice, which is why every changelog row carries a deterministic `action_id` and
 *   reporting keeps the latest state per `action_id`.
 * - `appendAtomic`: a PENDING stream with explicit offsets, finalized and batch-committed. Rows are
 *   invisible until the commit, so the batch lands all-or-nothing; an uncommitted stream is
 *   garbage-collected by BigQuery. ALREADY_EXISTS on an offset means the rows at that offset are
 *   already ours (a retry after a lost ack on a stream only we write), so it counts as written.
 */

export type WriterClientOptions = ConstructorParameters<typeof managedwriter.WriterClient>[0];

export interface StorageWriterOptions {
  projectId: string;
  /** gax client options; tests inject `{apiEndpoint, port, sslCreds}` of a local fake. */
  client?: WriterClientOptions;
  /** Retries of transient append errors (UNAVAILABLE, ABORTED, INTERNAL, …) by the client. Default 4. */
  maxRetries?: number;
  /** At most this many rows per AppendRows request. Default 500. */
  chunkRows?: number;
  /**
   * At most about this many bytes of row data per request (BigQuery refuses requests over 10 MB;
   * estimated from the JSON size, which is larger than the proto encoding). Default 4 MB.
   */
  chunkBytes?: number;
}

/** gRPC status names for the codes the write path reports (no row data ever goes into messages). */
const statusNames: Record<number, string> = {
  1: "CANCELLED",
  2: "UNKNOWN",
  3: "INVALID_ARGUMENT",
  4: "DEADLINE_EXCEEDED",
  5: "NOT_FOUND",
  6: "ALREADY_EXISTS",
  7: "PERMISSION_DENIED",
  8: "RESOURCE_EXHAUSTED",
  9: "FAILED_PRECONDITION",
  10: "ABORTED",
  11: "OUT_OF_RANGE",
  13: "INTERNAL",
  14: "UNAVAILABLE",
  16: "UNAUTHENTICATED",
};
const ALREADY_EXISTS = 6;

/** A write the server refused or that could not be confirmed. Carries codes and row indexes, never values. */
export class StorageWriteError extends Error {
  constructor(
    message: string,
    readonly table: string,
    readonly code: number | undefined,
    readonly rowIndexes: number[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StorageWriteError";
  }
}

/**
 * Server messages about bad data can quote the data (an email in a STRING column, say). Keep the
 * message for diagnosis but blank out anything quoted and any email address (the client's pattern:
 * URL-encoded, escaped and non-ASCII addresses too; then anything else around an `@`).
 */
export function redact(message: string): string {
  return message
    .replace(EMAIL_PATTERN, "<redacted>")
    .replace(/[^\s@'"]+@[^\s@'"]+/g, "<redacted>")
    .replace(/'[^']*'|"[^"]*"/g, "<redacted>")
    .slice(0, 300);
}

type AppendResult = protos.google.cloud.bigquery.storage.v1.IAppendRowsResponse;
type JsonRows = Parameters<managedwriter.JSONWriter["appendRows"]>[0];
type StreamConnection = Awaited<ReturnType<managedwriter.WriterClient["createStreamConnection"]>>;

function checkResult(
  table: string,
  result: AppendResult,
  firstRow: number,
  rowCount: number,
  what: string,
): void {
  const error = result.error;
  const rowErrors = result.rowErrors ?? [];
  if (!error && rowErrors.length === 0) return;
  const code = error?.code ?? undefined;
  const indexes = rowErrors.map((e) => firstRow + Number(e.index ?? 0));
  const name = code !== undefined ? (statusNames[code] ?? `code ${code}`) : "row errors";
  const rows =
    indexes.length > 0
      ? `; rejected rows ${indexes.slice(0, 20).join(", ")}`
      : `; rows ${firstRow}-${firstRow + rowCount - 1} of the batch`;
  const detail = error?.message ? `: ${redact(error.message)}` : "";
  throw new StorageWriteError(
    `${table}: Storage Write ${what} failed (${name})${detail}${rows}`,
    table,
    code,
    indexes,
  );
}

function describeError(table: string, what: string, cause: unknown): StorageWriteError {
  const code = typeof cause === "object" && cause && "code" in cause ? Number(cause.code) : undefined;
  const message = cause instanceof Error ? redact(cause.message) : "unknown error";
  return new StorageWriteError(`${table}: Storage Write ${what} failed: ${message}`, table, code, [], {
    cause,
  });
}

/** `projects/p/datasets/d/tables/t`, the resource name the Storage API speaks. */
export function tablePath(projectId: string, dataset: string, table: string): string {
  return `projects/${projectId}/datasets/${dataset}/tables/${table}`;
}

type Descriptor = protos.google.protobuf.IDescriptorProto;

/** The proto2 descriptor the JSONWriter encodes with, derived from the contract (no round trip). */
export function protoDescriptor(def: TableDef): Descriptor {
  const storageSchema = adapt.convertBigQuerySchemaToStorageTableSchema({ fields: bigQueryFields(def) });
  const descriptor = adapt.convertStorageSchemaToProto2Descriptor(storageSchema, "root");
  if (!descriptor) throw new Error(`${def.name}: cannot derive a Storage Write descriptor`);
  return descriptor;
}

export class StorageWriter {
  private readonly client: managedwriter.WriterClient;
  private readonly chunkRows: number;
  private readonly chunkBytes: number;
  /** One open default-stream writer per destination table, reused across appends. */
  private readonly defaultWriters = new Map<string, Promise<managedwriter.JSONWriter>>();

  constructor(options: StorageWriterOptions) {
    if (!options.projectId) throw new Error("StorageWriter: projectId is required");
    const chunkRows = options.chunkRows ?? 500;
    if (!Number.isInteger(chunkRows) || chunkRows < 1) {
      throw new Error(`StorageWriter: chunkRows must be a positive whole number, got ${chunkRows}`);
    }
    this.chunkRows = chunkRows;
    const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
    if (!Number.isFinite(chunkBytes) || chunkBytes < 1) {
      throw new Error(`StorageWriter: chunkBytes must be a positive number, got ${chunkBytes}`);
    }
    this.chunkBytes = chunkBytes;
    this.client = new managedwriter.WriterClient({ projectId: options.projectId, ...options.client });
    this.client.enableWriteRetries(true);
    this.client.setMaxRetryAttempts(options.maxRetries ?? 4);
  }

  /** Append to the table's default stream (at-least-once). Throws on the first rejected chunk. */
  async appendDefault(destination: string, def: TableDef, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const writer = await this.defaultWriter(destination, def);
    for (const { start, chunk } of this.chunks(def, rows)) {
      let result: AppendResult;
      try {
        result = await writer.appendRows(chunk as JsonRows).getResult();
      } catch (cause) {
        this.dropDefaultWriter(destination);
        throw describeError(def.name, "append", cause);
      }
      checkResult(def.name, result, start, chunk.length, "append");
    }
  }

  /** Append all rows through one PENDING stream and commit them together: all or nothing. */
  async appendAtomic(destination: string, def: TableDef, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    let connection: StreamConnection | undefined;
    let writer: managedwriter.JSONWriter | undefined;
    try {
      const stream = await this.client.createWriteStreamFullResponse({
        streamType: managedwriter.PendingStream,
        destinationTable: destination,
      });
      if (!stream.name) throw new Error("the server returned a write stream without a name");
      connection = await this.client.createStreamConnection({ streamId: stream.name });
      writer = new managedwriter.JSONWriter({ connection, protoDescriptor: protoDescriptor(def) });
      for (const { start, chunk } of this.chunks(def, rows)) {
        const result: AppendResult = await writer.appendRows(chunk as JsonRows, start).getResult();
        if (result.error?.code === ALREADY_EXISTS) continue;
        checkResult(def.name, result, start, chunk.length, "atomic append");
      }
      const finalized = await connection.finalize();
      const count = Number(finalized?.rowCount ?? Number.NaN);
      if (count !== rows.length) {
        throw new StorageWriteError(
          `${def.name}: pending stream finalized with ${count} rows, expected ${rows.length}; nothing was committed`,
          def.name,
          undefined,
        );
      }
      const commit = await this.client.batchCommitWriteStream({
        parent: destination,
        writeStreams: [stream.name],
      });
      const streamErrors = commit.streamErrors ?? [];
      if (streamErrors.length > 0 || !commit.commitTime) {
        const first = streamErrors[0];
        throw new StorageWriteError(
          `${def.name}: batch commit failed${first?.errorMessage ? `: ${redact(first.errorMessage)}` : ""}`,
          def.name,
          undefined,
        );
      }
    } catch (error) {
      if (error instanceof StorageWriteError) throw error;
      throw describeError(def.name, "atomic append", error);
    } finally {
      writer?.close();
      connection?.close();
    }
  }

  /** Rows in request-sized chunks (by count and by estimated size), with each chunk's first row index. */
  private *chunks(
    def: TableDef,
    rows: Row[],
  ): Generator<{ start: number; chunk: Record<string, unknown>[] }> {
    let start = 0;
    let chunk: Record<string, unknown>[] = [];
    let bytes = 0;
    for (const [i, row] of rows.entries()) {
      const encoded = toStorageRow(def, row);
      const size = JSON.stringify(encoded).length;
      if (chunk.length > 0 && (chunk.length >= this.chunkRows || bytes + size > this.chunkBytes)) {
        yield { start, chunk };
        start = i;
        chunk = [];
        bytes = 0;
      }
      chunk.push(encoded);
      bytes += size;
    }
    if (chunk.length > 0) yield { start, chunk };
  }

  private defaultWriter(destination: string, def: TableDef): Promise<managedwriter.JSONWriter> {
    let writer = this.defaultWriters.get(destination);
    if (!writer) {
      writer = (async () => {
        const connection = await this.client.createStreamConnection({
          streamId: managedwriter.DefaultStream,
          destinationTable: destination,
        });
        return new managedwriter.JSONWriter({ connection, protoDescriptor: protoDescriptor(def) });
      })();
      writer.catch(() => this.defaultWriters.delete(destination));
      this.defaultWriters.set(destination, writer);
    }
    return writer;
  }

  private dropDefaultWriter(destination: string): void {
    const writer = this.defaultWriters.get(destination);
    this.defaultWriters.delete(destination);
    writer?.then((w) => w.close()).catch(() => {});
  }

  close(): void {
    for (const destination of [...this.defaultWriters.keys()]) this.dropDefaultWriter(destination);
    this.client.close();
  }
}
