import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type DuckDBType, DuckDBTypeId } from "@duckdb/node-api";
import { type LocalWarehouse, openDuckDb } from "../../../engine/src/warehouse/duckdb.ts";

/**
 * A local stub of the BigQuery REST API (v2), enough for what our adapter and the Dataform CLI send:
 * datasets.insert/get, tables.insert/get, jobs.query + getQueryResults (paged with pageToken, rows in
 * the `{f:[{v}]}` wire shape with a schema), jobs.insert/get for the CLI. It is backed by an in-memory
 * DuckDB: a dataset is a schema, `tables.insert` creates a real table, and the only SQL translated is
 * what the adapter emits (backtick-quoted `project.dataset.table` and column names, `@name` params).
 *
 * `declareTable` registers table metadata without DuckDB (the Dataform CLI only asks `tables.get` for
 * warehouse state), and `requests` logs every call so tests can assert on the wire traffic.
 */

export interface StubField {
  name: string;
  type: string;
  mode?: string;
  description?: string;
}

export interface StubTable {
  tableReference: { projectId: string; datasetId: string; tableId: string };
  type: "TABLE" | "VIEW";
  schema: { fields: StubField[] };
  description?: string;
  timePartitioning?: unknown;
  clustering?: unknown;
  lastModifiedTime: string;
  creationTime: string;
}

export interface StubRequest {
  method: string;
  path: string;
  body?: unknown;
}

interface PendingResult {
  schema: { fields: StubField[] };
  rows: { f: { v: unknown }[] }[];
}

const duckToBigQuery: Partial<Record<DuckDBTypeId, string>> = {
  [DuckDBTypeId.VARCHAR]: "STRING",
  [DuckDBTypeId.BIGINT]: "INTEGER",
  [DuckDBTypeId.INTEGER]: "INTEGER",
  [DuckDBTypeId.SMALLINT]: "INTEGER",
  [DuckDBTypeId.TINYINT]: "INTEGER",
  [DuckDBTypeId.HUGEINT]: "INTEGER",
  [DuckDBTypeId.DOUBLE]: "FLOAT",
  [DuckDBTypeId.FLOAT]: "FLOAT",
  [DuckDBTypeId.DECIMAL]: "FLOAT",
  [DuckDBTypeId.BOOLEAN]: "BOOLEAN",
  [DuckDBTypeId.TIMESTAMP_TZ]: "TIMESTAMP",
  [DuckDBTypeId.TIMESTAMP]: "TIMESTAMP",
  [DuckDBTypeId.DATE]: "DATE",
};

const bigQueryToDuck: Record<string, string> = {
  STRING: "VARCHAR",
  INTEGER: "BIGINT",
  INT64: "BIGINT",
  FLOAT: "DOUBLE",
  FLOAT64: "DOUBLE",
  BOOLEAN: "BOOLEAN",
  BOOL: "BOOLEAN",
  TIMESTAMP: "TIMESTAMPTZ",
  DATE: "DATE",
  JSON: "JSON",
};

function bqType(type: DuckDBType): string {
  if (type.typeId === DuckDBTypeId.VARCHAR && type.alias === "JSON") return "JSON";
  return duckToBigQuery[type.typeId] ?? "STRING";
}

/** The adapter's BigQuery SQL → DuckDB: `p.d.t` → "d"."t", `col` → "col", @name → $name. */
export function translateSql(sql: string): string {
  return sql
    .replace(/`([^`]+)`/g, (_, ident: string) => {
      const parts = ident.split(".");
      return (parts.length === 3 ? parts.slice(1) : parts).map((p) => `"${p}"`).join(".");
    })
    .replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, "$$$1");
}

function wireValue(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "TIMESTAMP":
      // the client asks for formatOptions.useInt64Timestamp: micros since the epoch, as text
      return String(BigInt((value as Date).getTime()) * 1000n);
    case "DATE":
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case "BOOLEAN":
      return value ? "true" : "false";
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

/**
 * A query parameter as DuckDB takes it. The REST field is a string, but `@google-cloud/bigquery` sends
 * JSON booleans and numbers as they are (BigQuery accepts both), so take either form.
 */
function paramValue(param: {
  parameterType?: { type?: string };
  parameterValue?: { value?: string | boolean | number };
}) {
  const raw = param.parameterValue?.value;
  if (raw === undefined || raw === null) return null;
  switch (param.parameterType?.type) {
    case "INT64":
      return BigInt(raw);
    case "FLOAT64":
      return Number(raw);
    case "BOOL":
      return raw === true || raw === "true";
    default:
      return raw;
  }
}

export class FakeBigQueryRest {
  private server: Server | undefined;
  private db: LocalWarehouse | undefined;
  private readonly datasets = new Map<string, { location?: string }>();
  private readonly tables = new Map<string, StubTable>();
  private readonly results = new Map<string, PendingResult>();
  private jobSeq = 0;
  readonly requests: StubRequest[] = [];
  /** Every SQL text received (jobs.query and jobs.insert). */
  readonly queries: string[] = [];
  port = 0;

  constructor(private readonly options: { duckdb?: boolean } = { duckdb: true }) {}

  /** The DuckDB behind the stub, for fixtures (e.g. create an output table the engine reads). */
  get duck(): LocalWarehouse {
    if (!this.db) throw new Error("this stub runs without DuckDB");
    return this.db;
  }

  async start(): Promise<number> {
    if (this.options.duckdb !== false) this.db = await openDuckDb(":memory:");
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** The base URL for `new BigQuery({apiEndpoint})` (the client appends /bigquery/v2). */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.db?.close();
  }

  /** Table metadata `tables.get` returns (marks a table as existing for the Dataform CLI). */
  declareTable(
    projectId: string,
    datasetId: string,
    tableId: string,
    fields: StubField[],
    type: "TABLE" | "VIEW" = "TABLE",
  ) {
    this.tables.set(`${datasetId}.${tableId}`, {
      tableReference: { projectId, datasetId, tableId },
      type,
      schema: { fields },
      lastModifiedTime: "1795340000000",
      creationTime: "1795340000000",
    });
  }

  tableMetadata(datasetId: string, tableId: string): StubTable | undefined {
    return this.tables.get(`${datasetId}.${tableId}`);
  }

  datasetLocation(datasetId: string): string | undefined {
    return this.datasets.get(datasetId)?.location;
  }

  /**
   * Land rows the fake Storage Write server committed (decoded proto objects: INT64 and TIMESTAMP
   * micros as text, JSON as text) in the DuckDB table, so a query sees what was appended, as in BigQuery.
   */
  async insertStorageRows(tablePath: string, rows: Record<string, unknown>[]): Promise<void> {
    const m = tablePath.match(/^projects\/[^/]+\/datasets\/([^/]+)\/tables\/([^/]+)$/);
    const meta = m ? this.tables.get(`${m[1]}.${m[2]}`) : undefined;
    if (!m || !meta || !this.db || rows.length === 0) return;
    const fields = meta.schema.fields;
    const values: (string | null)[] = [];
    const tuples = rows.map((row) => {
      const cells = fields.map((f) => {
        const v = row[f.name];
        values.push(v === undefined || v === null ? null : String(v));
        const p = `$${values.length}`;
        switch (f.type) {
          case "TIMESTAMP":
            return `make_timestamp(${p}::BIGINT)`;
          case "DATE":
            return `(DATE '1970-01-01' + ${p}::INTEGER)`;
          default:
            return `${p}::${bigQueryToDuck[f.type] ?? "VARCHAR"}`;
        }
      });
      return `(${cells.join(", ")})`;
    });
    const columns = fields.map((f) => `"${f.name}"`).join(", ");
    await this.db.conn.run(
      `insert into "${m[1]}"."${m[2]}" (${columns}) values ${tuples.join(", ")}`,
      values,
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stub");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? JSON.parse(text) : undefined;
    const method = req.method ?? "GET";
    this.requests.push({ method, path: url.pathname + url.search, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    const fail = (status: number, reason: string, message: string) =>
      send(status, { error: { code: status, message, errors: [{ reason, message }] } });
    // Both the client's `/bigquery/v2/projects/…` and BIGQUERY_EMULATOR_HOST's bare `/projects/…`.
    const path = url.pathname.replace(/^\/bigquery\/v2/, "");
    const m = path.match(/^\/projects\/([^/]+)(\/.*)?$/);
    if (!m) return fail(404, "notFound", `no route ${method} ${url.pathname}`);
    const project = m[1] ?? "";
    const rest = m[2] ?? "";
    const route = (pattern: RegExp, verb?: string): string[] | undefined => {
      if (verb && method !== verb) return undefined;
      const found = rest.match(pattern);
      return found ? found.slice(1).map((g) => decodeURIComponent(g ?? "")) : undefined;
    };
    try {
      if (route(/^\/datasets$/, "POST")) return send(200, await this.insertDataset(project, body));
      const dataset = route(/^\/datasets\/([^/]+)$/, "GET");
      if (dataset) {
        const id = dataset[0] ?? "";
        if (!this.datasets.has(id)) return fail(404, "notFound", `Not found: Dataset ${project}:${id}`);
        return send(200, {
          datasetReference: { projectId: project, datasetId: id },
          ...this.datasets.get(id),
        });
      }
      const newTable = route(/^\/datasets\/([^/]+)\/tables$/, "POST");
      if (newTable) return send(200, await this.insertTable(project, newTable[0] ?? "", body));
      const table = route(/^\/datasets\/([^/]+)\/tables\/([^/]+)$/);
      if (table) {
        const [datasetId = "", tableId = ""] = table;
        const meta = await this.getTable(project, datasetId, tableId);
        if (!meta) return fail(404, "notFound", `Not found: Table ${project}:${datasetId}.${tableId}`);
        if (method === "PATCH" || method === "PUT") return send(200, await this.patchTable(meta, body));
        if (method === "DELETE") {
          this.tables.delete(`${datasetId}.${tableId}`);
          await this.db?.conn.run(`drop table if exists "${datasetId}"."${tableId}"`);
          return send(200, {});
        }
        return send(200, meta);
      }
      if (route(/^\/queries$/, "POST")) return send(200, await this.query(project, body, url));
      const results = route(/^\/queries\/([^/]+)$/, "GET");
      if (results) return send(200, this.page(project, results[0] ?? "", url.searchParams));
      if (route(/^\/jobs$/, "POST")) {
        const jobId = body?.jobReference?.jobId ?? `job_${++this.jobSeq}`;
        const sql = body?.configuration?.query?.query;
        if (sql) this.queries.push(sql);
        return send(200, {
          jobReference: { projectId: project, jobId, location: body?.jobReference?.location },
          configuration: body?.configuration,
          status: { state: "DONE" },
          statistics: {},
        });
      }
      const job = route(/^\/jobs\/([^/]+)$/, "GET");
      if (job)
        return send(200, { jobReference: { projectId: project, jobId: job[0] }, status: { state: "DONE" } });
      return send(200, {});
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400;
      return fail(
        status,
        status === 409 ? "duplicate" : "invalidQuery",
        (error as Error).message.split("\n")[0] ?? "",
      );
    }
  }

  private async insertDataset(
    project: string,
    body: { datasetReference: { datasetId: string }; location?: string },
  ) {
    const id = body.datasetReference.datasetId;
    if (this.datasets.has(id))
      throw Object.assign(new Error(`Already Exists: Dataset ${project}:${id}`), { status: 409 });
    this.datasets.set(id, { location: body.location });
    await this.db?.conn.run(`create schema if not exists "${id}"`);
    return { datasetReference: { projectId: project, datasetId: id }, location: body.location };
  }

  private async insertTable(
    project: string,
    datasetId: string,
    body: Omit<StubTable, "tableReference"> & {
      tableReference: { tableId: string };
    },
  ) {
    const tableId = body.tableReference.tableId;
    if (!this.datasets.has(datasetId)) {
      throw Object.assign(new Error(`Not found: Dataset ${project}:${datasetId}`), { status: 404 });
    }
    if (this.tables.has(`${datasetId}.${tableId}`)) {
      throw Object.assign(new Error(`Already Exists: Table ${project}:${datasetId}.${tableId}`), {
        status: 409,
      });
    }
    const columns = body.schema.fields.map((f) => {
      const type = bigQueryToDuck[f.type];
      if (!type) throw new Error(`stub: unsupported field type ${f.type}`);
      return `"${f.name}" ${type}${f.mode === "REQUIRED" ? " NOT NULL" : ""}`;
    });
    await this.db?.conn.run(`create table "${datasetId}"."${tableId}" (${columns.join(", ")})`);
    const meta: StubTable = {
      ...body,
      tableReference: { projectId: project, datasetId, tableId },
      type: "TABLE",
      lastModifiedTime: String(Date.now()),
      creationTime: String(Date.now()),
    };
    this.tables.set(`${datasetId}.${tableId}`, meta);
    return meta;
  }

  /** tables.patch: only additive schema changes, like BigQuery (new NULLABLE columns at the end). */
  private async patchTable(meta: StubTable, body: Partial<StubTable>): Promise<StubTable> {
    const { datasetId, tableId } = meta.tableReference;
    const before = new Map(meta.schema.fields.map((f) => [f.name, f]));
    const after = body.schema?.fields ?? meta.schema.fields;
    for (const f of before.values()) {
      if (!after.some((a) => a.name === f.name))
        throw new Error(`Provided Schema does not match Table: missing ${f.name}`);
    }
    for (const f of after) {
      if (before.has(f.name)) continue;
      if (f.mode === "REQUIRED")
        throw new Error(`Provided Schema does not match Table: cannot add REQUIRED ${f.name}`);
      const type = bigQueryToDuck[f.type];
      if (!type) throw new Error(`stub: unsupported field type ${f.type}`);
      await this.db?.conn.run(`alter table "${datasetId}"."${tableId}" add column "${f.name}" ${type}`);
    }
    const updated: StubTable = {
      ...meta,
      ...body,
      schema: { fields: after },
      lastModifiedTime: String(Date.now()),
    };
    this.tables.set(`${datasetId}.${tableId}`, updated);
    return updated;
  }

  private async getTable(
    project: string,
    datasetId: string,
    tableId: string,
  ): Promise<StubTable | undefined> {
    const known = this.tables.get(`${datasetId}.${tableId}`);
    if (known || !this.db) return known;
    // a relation created straight in DuckDB by a test fixture
    const found = await this.db.conn.runAndReadAll(
      "select table_type from information_schema.tables where table_schema = $1 and table_name = $2",
      [datasetId, tableId],
    );
    const row = found.getRowObjectsJS()[0];
    if (!row) return undefined;
    return {
      tableReference: { projectId: project, datasetId, tableId },
      type: row.table_type === "VIEW" ? "VIEW" : "TABLE",
      schema: { fields: [] },
      lastModifiedTime: String(Date.now()),
      creationTime: String(Date.now()),
    };
  }

  private async query(
    project: string,
    body: {
      query: string;
      maxResults?: number;
      queryParameters?: {
        name: string;
        parameterType?: { type?: string };
        parameterValue?: { value?: string | boolean | number };
      }[];
      location?: string;
    },
    url: URL,
  ) {
    this.queries.push(body.query);
    if (!this.db) throw new Error("stub: queries need DuckDB");
    const values: Record<string, unknown> = {};
    for (const p of body.queryParameters ?? []) values[p.name] = paramValue(p);
    const sql = translateSql(body.query);
    const result = Object.keys(values).length
      ? await this.db.conn.runAndReadAll(sql, values as never)
      : await this.db.conn.runAndReadAll(sql);
    const names = result.columnNames();
    const types = result.columnTypes().map(bqType);
    const fields = names.map((name, i) => ({ name, type: types[i] ?? "STRING", mode: "NULLABLE" }));
    const rows = result
      .getRowsJS()
      .map((row) => ({ f: row.map((v, i) => ({ v: wireValue(types[i] ?? "STRING", v) })) }));
    const jobId = `job_${++this.jobSeq}`;
    this.results.set(jobId, { schema: { fields }, rows });
    const params = new URLSearchParams(url.search);
    if (body.maxResults !== undefined) params.set("maxResults", String(body.maxResults));
    return {
      kind: "bigquery#queryResponse",
      ...this.page(project, jobId, params),
      jobReference: { projectId: project, jobId, location: body.location },
    };
  }

  private page(project: string, jobId: string, params: URLSearchParams) {
    const result = this.results.get(jobId);
    if (!result) throw Object.assign(new Error(`Not found: Job ${project}:${jobId}`), { status: 404 });
    const start = Number(params.get("pageToken") ?? 0);
    const size = Number(params.get("maxResults") ?? 100_000);
    const rows = result.rows.slice(start, start + size);
    const next = start + size < result.rows.length ? String(start + size) : undefined;
    return {
      jobReference: { projectId: project, jobId },
      jobComplete: true,
      schema: result.schema,
      totalRows: String(result.rows.length),
      rows,
      ...(next ? { pageToken: next } : {}),
    };
  }
}
