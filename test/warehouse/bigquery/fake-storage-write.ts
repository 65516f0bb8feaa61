import { createRequire } from "node:module";
import path from "node:path";
import { adapt, protos } from "@google-cloud/bigquery-storage";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import protobuf from "protobufjs";

/**
 * An in-process fake of the BigQuery Storage Write gRPC service (`BigQueryWrite`), loaded from the
 * protos shipped with @google-cloud/bigquery-storage, so the REAL WriterClient/JSONWriter talk to it
 * over real gRPC on 127.0.0.1.
 *
 * It honours the documented rules (https://cloud.google.com/bigquery/docs/write-api):
 * - explicit streams (COMMITTED, PENDING): an append's offset must equal the stream's current end;
 *   below it → ALREADY_EXISTS (6), beyond it → OUT_OF_RANGE (11); an append without offset goes to the end;
 * - the `_default` stream takes no offsets, is committed and at-least-once;
 * - PENDING rows are invisible until the stream is finalized and BatchCommitWriteStreams commits it;
 *   a finalized stream refuses appends; committing an unfinalized stream is a stream error;
 * plus fault injection: transient errors (optionally AFTER the rows were written, i.e. a lost ack,
 * which is what makes the default stream at-least-once) and a rejecting mode (INVALID_ARGUMENT with
 * row errors, what BigQuery answers for rows it cannot accept).
 */

const require = createRequire(import.meta.url);
const storageRoot = path.resolve(path.dirname(require.resolve("@google-cloud/bigquery-storage")), "../..");
const gaxRoot = path.resolve(path.dirname(require.resolve("google-gax")), "../..");

const Status = grpc.status;

export type StoredRow = Record<string, unknown>;

interface Stream {
  name: string;
  table: string;
  type: "COMMITTED" | "PENDING" | "BUFFERED";
  rows: StoredRow[];
  finalized: boolean;
  committed: boolean;
}

export interface Fault {
  /** Let this append through untouched (to aim a later fault at a later append). */
  pass?: boolean;
  /** gRPC status code the append answers with (14 UNAVAILABLE, 10 ABORTED, 13 INTERNAL are retried). */
  code: number;
  /** Write the rows first, then answer with the error (the ack is "lost"): at-least-once in action. */
  afterWrite?: boolean;
  message?: string;
}

export interface AppendLogEntry {
  stream: string;
  offset: number | undefined;
  rows: number;
  outcome: "ok" | "error";
  code?: number;
}

export class FakeStorageWrite {
  private readonly server = new grpc.Server();
  private readonly streams = new Map<string, Stream>();
  /** Committed, visible rows per table path. */
  private readonly tables = new Map<string, StoredRow[]>();
  private readonly faults: Fault[] = [];
  private streamSeq = 0;
  /** When set, every append is rejected with INVALID_ARGUMENT and one row error per row. */
  rejecting = false;
  readonly appends: AppendLogEntry[] = [];
  /**
   * Called with every batch of rows that becomes visible (committed), in order, so a REST stub can
   * serve them to queries. Awaited before the append is acknowledged.
   */
  onVisible: ((table: string, rows: StoredRow[]) => Promise<void>) | undefined;
  port = 0;

  /** The rows a query on the table would see now (committed only). */
  visibleRows(table: string): StoredRow[] {
    return [...(this.tables.get(table) ?? [])];
  }

  /** Make the next appends fail, one fault per append, in order. */
  injectFaults(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  streamState(name: string): Stream | undefined {
    return this.streams.get(name);
  }

  async start(): Promise<number> {
    const definition = protoLoader.loadSync("google/cloud/bigquery/storage/v1/storage.proto", {
      includeDirs: [path.join(storageRoot, "build/protos"), path.join(gaxRoot, "build/protos")],
      longs: String,
      enums: String,
      defaults: false,
      oneofs: true,
    });
    // biome-ignore lint/suspicious/noExplicitAny: the loaded package is untyped by nature
    const pkg = grpc.loadPackageDefinition(definition) as any;
    const service = pkg.google.cloud.bigquery.storage.v1.BigQueryWrite.service;
    this.server.addService(service, {
      CreateWriteStream: this.createWriteStream,
      GetWriteStream: this.getWriteStream,
      AppendRows: this.appendRows,
      FinalizeWriteStream: this.finalizeWriteStream,
      BatchCommitWriteStreams: this.batchCommit,
      FlushRows: (_call: unknown, cb: grpc.sendUnaryData<unknown>) =>
        cb({ code: Status.UNIMPLEMENTED, message: "FlushRows is only for BUFFERED streams" }),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      ),
    );
    return this.port;
  }

  /** Client options that point the real WriterClient at this fake (no credentials involved). */
  clientOptions() {
    return { apiEndpoint: "127.0.0.1", port: this.port, sslCreds: grpc.credentials.createInsecure() };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }

  private createWriteStream = (
    call: grpc.ServerUnaryCall<{ parent: string; writeStream?: { type?: string } }, unknown>,
    cb: grpc.sendUnaryData<unknown>,
  ) => {
    const { parent, writeStream } = call.request;
    const type = (writeStream?.type ?? "COMMITTED") as Stream["type"];
    const name = `${parent}/streams/s${++this.streamSeq}`;
    this.streams.set(name, { name, table: parent, type, rows: [], finalized: false, committed: false });
    cb(null, { name, type, createTime: now() });
  };

  private getWriteStream = (
    call: grpc.ServerUnaryCall<{ name: string }, unknown>,
    cb: grpc.sendUnaryData<unknown>,
  ) => {
    const name = call.request.name;
    if (name.endsWith("/_default")) {
      cb(null, { name, type: "COMMITTED", createTime: now() });
      return;
    }
    const stream = this.streams.get(name);
    if (!stream) cb({ code: Status.NOT_FOUND, message: `stream ${name} not found` });
    else cb(null, { name, type: stream.type, createTime: now() });
  };

  private finalizeWriteStream = (
    call: grpc.ServerUnaryCall<{ name: string }, unknown>,
    cb: grpc.sendUnaryData<unknown>,
  ) => {
    const stream = this.streams.get(call.request.name);
    if (!stream) {
      cb({ code: Status.NOT_FOUND, message: "stream not found" });
      return;
    }
    stream.finalized = true;
    cb(null, { rowCount: String(stream.rows.length) });
  };

  private batchCommit = (
    call: grpc.ServerUnaryCall<{ parent: string; writeStreams: string[] }, unknown>,
    cb: grpc.sendUnaryData<unknown>,
  ) => {
    const { parent, writeStreams } = call.request;
    const streams = writeStreams.map((n) => this.streams.get(n));
    const bad = writeStreams.filter((_, i) => {
      const s = streams[i];
      return !s || s.table !== parent || s.type !== "PENDING" || !s.finalized || s.committed;
    });
    if (bad.length > 0) {
      // Documented: on a stream error nothing is committed and commit_time is unset.
      cb(null, {
        streamErrors: bad.map((entity) => ({
          code: "STREAM_NOT_COMMITTABLE",
          entity,
          errorMessage: "not finalized",
        })),
      });
      return;
    }
    void (async () => {
      for (const s of streams as Stream[]) {
        s.committed = true;
        await this.publish(s.table, s.rows);
      }
      cb(null, { commitTime: now() });
    })().catch((error: Error) => cb({ code: Status.INTERNAL, message: error.message }));
  };

  private async publish(table: string, rows: StoredRow[]): Promise<void> {
    this.visible(table).push(...rows);
    await this.onVisible?.(table, rows);
  }

  private visible(table: string): StoredRow[] {
    let rows = this.tables.get(table);
    if (!rows) {
      rows = [];
      this.tables.set(table, rows);
    }
    return rows;
  }

  // biome-ignore lint/suspicious/noExplicitAny: proto-loader messages are plain objects
  private appendRows = (call: grpc.ServerDuplexStream<any, any>) => {
    let streamName = "";
    let type: protobuf.Type | undefined;
    let queue = Promise.resolve();
    // biome-ignore lint/suspicious/noExplicitAny: see above
    call.on("data", (request: any) => {
      // one request at a time, in order, like the real stream
      queue = queue.then(() =>
        handle(request).catch((error: Error) => {
          // A fake that crashes hangs the client; answer like a server that could not take the request.
          call.write({ error: { code: Status.INVALID_ARGUMENT, message: `fake: ${error.message}` } });
        }),
      );
    });
    // biome-ignore lint/suspicious/noExplicitAny: see above
    const handle = async (request: any) => {
      if (request.writeStream) streamName = request.writeStream;
      const descriptor = request.protoRows?.writerSchema?.protoDescriptor;
      if (descriptor) {
        const normalized = adapt.normalizeDescriptor(
          protos.google.protobuf.DescriptorProto.fromObject(descriptor),
        );
        type = (protobuf.Type as unknown as { fromDescriptor(d: unknown): protobuf.Type }).fromDescriptor(
          normalized,
        );
      }
      const serialized: Buffer[] = request.protoRows?.rows?.serializedRows ?? [];
      const offset = request.offset?.value === undefined ? undefined : Number(request.offset.value);
      const answer = (response: Record<string, unknown>, outcome: "ok" | "error", code?: number) => {
        this.appends.push({ stream: streamName, offset, rows: serialized.length, outcome, code });
        call.write({ ...response, writeStream: streamName });
      };
      if (!type) {
        answer({ error: { code: Status.INVALID_ARGUMENT, message: "missing writer schema" } }, "error", 3);
        return;
      }
      const decoder = type;
      const rows = serialized.map((b) =>
        decoder.toObject(decoder.decode(b), { longs: String, defaults: false }),
      ) as StoredRow[];

      if (this.rejecting) {
        answer(
          {
            error: { code: Status.INVALID_ARGUMENT, message: "Errors found while processing rows" },
            rowErrors: rows.map((_, index) => ({ index, code: "FIELDS_ERROR", message: "bad value" })),
          },
          "error",
          Status.INVALID_ARGUMENT,
        );
        return;
      }
      const queued = this.faults.shift();
      const fault = queued?.pass ? undefined : queued;
      const write = async (): Promise<{ offset: number } | { code: number; message: string }> => {
        if (streamName.endsWith("/_default")) {
          if (offset !== undefined) {
            return {
              code: Status.INVALID_ARGUMENT,
              message: "offsets are not supported on the default stream",
            };
          }
          const table = streamName.slice(0, -"/streams/_default".length);
          const start = this.visible(table).length;
          await this.publish(table, rows);
          return { offset: start };
        }
        const stream = this.streams.get(streamName);
        if (!stream) return { code: Status.NOT_FOUND, message: `stream ${streamName} not found` };
        if (stream.finalized) return { code: Status.FAILED_PRECONDITION, message: "stream is finalized" };
        const end = stream.rows.length;
        if (offset !== undefined && offset < end) {
          return { code: Status.ALREADY_EXISTS, message: `offset ${offset} is before the end ${end}` };
        }
        if (offset !== undefined && offset > end) {
          return { code: Status.OUT_OF_RANGE, message: `offset ${offset} is beyond the end ${end}` };
        }
        stream.rows.push(...rows);
        if (stream.type === "COMMITTED") await this.publish(stream.table, rows);
        return { offset: end };
      };
      if (fault && !fault.afterWrite) {
        answer({ error: { code: fault.code, message: fault.message ?? "transient" } }, "error", fault.code);
        return;
      }
      const result = await write();
      if (fault) {
        answer({ error: { code: fault.code, message: fault.message ?? "transient" } }, "error", fault.code);
        return;
      }
      if ("code" in result) {
        answer({ error: { code: result.code, message: result.message } }, "error", result.code);
        return;
      }
      answer({ appendResult: { offset: { value: String(result.offset) } } }, "ok");
    };
    call.on("end", () => {
      void queue.then(() => call.end());
    });
  };
}

function now() {
  const ms = Date.now();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}
