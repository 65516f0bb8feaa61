import { BigQuery, type BigQueryOptions, type Job, type Query } from "@google-cloud/bigquery";
import type { Settings } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
import { bigQueryFields, bigQueryTableResource, fromQueryValue } from "./bigquery-schema.ts";
import { datasetName } from "./duckdb-warehouse.ts";
import type { DatasetRole, ReadOptions, RelationRef, Row, Warehouse } from "./port.ts";
import { StorageWriter, tablePath, type WriterClientOptions } from "./storage-write.ts";
import { opsTables, rawTables, type TableDef } from "./tables.ts";
import { validateRows } from "./validate-rows.ts";

/**
 * The production implementation of the warehouse port on BigQuery.
 *
 * - DDL and reads use `@google-cloud/bigquery` (REST). A read is one query paged by hand
 *   (`autoPaginate: false`, `maxResults` = the batch size): the next page is fetched only when the
 *   consumer asks for the next batch, so memory stays at one page however large the table. (Unlike
 *   `createQueryStream`, the page response carries the schema, so INT64 can be told from STRING and
 *   checked.) The engine's reads are the action tables (hundreds to tens of thousands of rows), where
 *   the Storage Read API's extra read session, temporary destination table and second gRPC endpoint buy
 *   nothing; the REST path also works against the emulator and a plain stub.
 * - Appends use the Storage Write API (see storage-write.ts): the default stream for `append`, a
 *   pending stream for `appendAtomic`.
 * - Auth is Application Default Credentials (Workload Identity Federation in GitHub Actions, a service
 *   account on a VM, `gcloud auth application-default login` on a laptop): nothing in code.
 * - The project is `GOOGLE_CLOUD_PROJECT` (or the `projectId` option), else `defaultProject` of
 *   workflow_settings.yaml; the location is `BIGQUERY_LOCATION` (or the `location` option), else
 *   `defaultLocation`: the same two variables the workflow hands Dataform, so both write to one place.
 */

export interface BigQueryWarehouseOptions {
  /** Overrides GOOGLE_CLOUD_PROJECT and settings.defaultProject. */
  projectId?: string;
  /** Overrides BIGQUERY_LOCATION and settings.defaultLocation (e.g. `US`, `EU`, `europe-west1`). */
  location?: string;
  /** Extra `@google-cloud/bigquery` options; tests inject `{apiEndpoint: "http://127.0.0.1:PORT"}`. */
  bigquery?: BigQueryOptions;
  /** Storage Write client options; tests inject `{apiEndpoint, port, sslCreds}` of a local fake. */
  storage?: WriterClientOptions;
  /** Retries of transient Storage Write errors (default 4). */
  maxWriteRetries?: number;
  /** At most this many rows per Storage Write request (default 500). */
  appendChunkRows?: number;
  /** At most about this many bytes per Storage Write request (default 4 MB; BigQuery's limit is 10 MB). */
  appendChunkBytes?: number;
  /** Progress lines for long operations (default: none). */
  log?: (line: string) => void;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quoteIdent(name: string): string {
  if (!IDENT.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** The project id from the option, GOOGLE_CLOUD_PROJECT or the settings, validated. */
export function resolveProjectId(settings: Settings, option?: string): string {
  const projectId = option ?? process.env.GOOGLE_CLOUD_PROJECT ?? settings.defaultProject;
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(projectId)) {
    throw new UserError(`not a Google Cloud project id: ${JSON.stringify(projectId)}`, {
      hint: "set GOOGLE_CLOUD_PROJECT or defaultProject in workflow_settings.yaml",
    });
  }
  return projectId;
}

function httpCode(error: unknown): number | undefined {
  return typeof error === "object" && error && "code" in error ? Number(error.code) : undefined;
}

export class BigQueryWarehouse implements Warehouse {
  readonly kind = "bigquery" as const;
  readonly projectId: string;
  readonly location: string;
  readonly client: BigQuery;
  private writer: StorageWriter | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly options: BigQueryWarehouseOptions = {},
  ) {
    this.projectId = resolveProjectId(settings, options.projectId);
    this.location = options.location ?? (process.env.BIGQUERY_LOCATION || settings.defaultLocation);
    this.client = new BigQuery({ projectId: this.projectId, location: this.location, ...options.bigquery });
  }

  /** The contract table's name in its dataset (the raw tables may be renamed by vars). */
  tableName(def: TableDef): string {
    if (def.dataset !== "raw") return def.name;
    if (def.name === "leads") return this.settings.vars.leads_table;
    if (def.name === "dnc_list") return this.settings.vars.dnc_table;
    return def.name;
  }

  private dataset(role: DatasetRole): string {
    return datasetName(this.settings, role);
  }

  private storage(): StorageWriter {
    this.writer ??= new StorageWriter({
      projectId: this.projectId,
      client: this.options.storage,
      maxRetries: this.options.maxWriteRetries,
      chunkRows: this.options.appendChunkRows,
      chunkBytes: this.options.appendChunkBytes,
    });
    return this.writer;
  }

  async ensureContract(): Promise<void> {
    const roles: DatasetRole[] = ["raw", "ops", "staging", "output", "reporting"];
    for (const id of new Set(roles.map((r) => this.dataset(r)))) {
      const dataset = this.client.dataset(id, { location: this.location });
      const [exists] = await dataset.exists();
      if (exists) continue;
      try {
        await this.client.createDataset(id, { location: this.location });
        this.options.log?.(`created dataset ${this.projectId}.${id} in ${this.location}`);
      } catch (error) {
        if (httpCode(error) !== 409) throw this.explain(`create dataset ${id}`, error);
      }
    }
    for (const def of [...rawTables, ...opsTables]) {
      const datasetId = this.dataset(def.dataset);
      const name = this.tableName(def);
      const table = this.client.dataset(datasetId).table(name);
      let metadata: { schema?: { fields?: { name?: string }[] } } | undefined;
      try {
        [metadata] = await table.getMetadata();
      } catch (error) {
        if (httpCode(error) !== 404) throw this.explain(`read table ${datasetId}.${name}`, error);
      }
      if (metadata) {
        await this.addMissingColumns(def, datasetId, name, metadata);
        continue;
      }
      try {
        await this.client.dataset(datasetId).createTable(name, bigQueryTableResource(def));
        this.options.log?.(`created table ${datasetId}.${name}`);
      } catch (error) {
        if (httpCode(error) !== 409) throw this.explain(`create table ${datasetId}.${name}`, error);
      }
    }
  }

  /**
   * A table created by an older version of the contract lacks the newer columns, and Storage Write
   * would refuse rows carrying them. Adding a NULLABLE column is additive (no data changes), so do it;
   * a missing REQUIRED column cannot be added to a table with rows, so say what to do instead.
   */
  private async addMissingColumns(
    def: TableDef,
    datasetId: string,
    name: string,
    metadata: { schema?: { fields?: { name?: string }[] } },
  ): Promise<void> {
    const present = new Set((metadata.schema?.fields ?? []).map((f) => f.name));
    const missing = def.columns.filter((c) => !present.has(c.name));
    if (missing.length === 0) return;
    const required = missing.filter((c) => c.required).map((c) => c.name);
    if (required.length > 0) {
      throw new UserError(
        `BigQuery table ${datasetId}.${name} lacks the required column(s) ${required.join(", ")}`,
        {
          hint: `add them (ALTER TABLE ${datasetId}.${name} ADD COLUMN …) and backfill, or recreate the table`,
        },
      );
    }
    const fields = [...(metadata.schema?.fields ?? []), ...bigQueryFields({ ...def, columns: missing })];
    try {
      await this.client.dataset(datasetId).table(name).setMetadata({ schema: { fields } });
    } catch (error) {
      throw this.explain(`add columns to ${datasetId}.${name}`, error);
    }
    this.options.log?.(`added column(s) ${missing.map((c) => c.name).join(", ")} to ${datasetId}.${name}`);
  }

  async exists(ref: RelationRef): Promise<boolean> {
    const [exists] = await this.client.dataset(this.dataset(ref.dataset)).table(ref.name).exists();
    return exists;
  }

  /** The SQL and named parameters `read` sends (exported for the stub tests). */
  readQuery(ref: RelationRef, options: ReadOptions = {}): { query: string; params: Record<string, unknown> } {
    const columns = options.columns?.map(quoteIdent).join(", ") ?? "*";
    const params: Record<string, unknown> = {};
    const conditions = Object.entries(options.where ?? {}).map(([column, value], i) => {
      if (value === null) return `${quoteIdent(column)} IS NULL`;
      if (Array.isArray(value)) {
        if (value.length === 0) return "FALSE";
        const names = value.map((v, j) => {
          params[`p${i}_${j}`] = v;
          return `@p${i}_${j}`;
        });
        return `${quoteIdent(column)} IN (${names.join(", ")})`;
      }
      params[`p${i}`] = value;
      return `${quoteIdent(column)} = @p${i}`;
    });
    const relation = `\`${this.projectId}.${quoteIdent(this.dataset(ref.dataset)).slice(1, -1)}.${quoteIdent(ref.name).slice(1, -1)}\``;
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
    const order = options.orderBy?.length ? ` ORDER BY ${options.orderBy.map(quoteIdent).join(", ")}` : "";
    return { query: `SELECT ${columns} FROM ${relation}${where}${order}`, params };
  }

  async *read(ref: RelationRef, options: ReadOptions = {}): AsyncIterable<Row[]> {
    const batchSize = options.batchSize ?? 2048;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`read: batchSize must be a positive whole number, got ${batchSize}`);
    }
    const { query, params } = this.readQuery(ref, options);
    const request: Query = { query, location: this.location };
    if (Object.keys(params).length > 0) request.params = params;
    const pageOptions = {
      autoPaginate: false,
      maxResults: batchSize,
      // Integers arrive as text so fromQueryValue can refuse one that a JS number would round.
      wrapIntegers: { integerTypeCastFunction: (value: string) => value },
    };
    let page: QueryPage;
    try {
      page = (await this.client.query(request, pageOptions)) as unknown as QueryPage;
    } catch (error) {
      throw this.explain(`read ${ref.dataset}.${ref.name}`, error);
    }
    // One page in memory at a time: the next is fetched only when the consumer asks for more.
    for (;;) {
      const [rows, next, response] = page;
      const types = new Map((response?.schema?.fields ?? []).map((f) => [f.name ?? "", f.type ?? "STRING"]));
      for (let start = 0; start < rows.length; start += batchSize) {
        yield rows.slice(start, start + batchSize).map((raw) => {
          const row: Row = {};
          for (const [name, value] of Object.entries(raw)) {
            row[name] = fromQueryValue(types.get(name) ?? "STRING", value, name);
          }
          return row;
        });
      }
      if (!next?.job) return;
      try {
        page = (await next.job.getQueryResults(next)) as unknown as QueryPage;
      } catch (error) {
        throw this.explain(`read ${ref.dataset}.${ref.name}`, error);
      }
    }
  }

  /** Append through the default stream (at-least-once; reporting dedupes on action_id). */
  async append(table: TableDef, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    validateRows(table, rows);
    await this.storage().appendDefault(this.destination(table), table, rows);
  }

  /** Append through a pending stream: the batch becomes visible all at once or not at all. */
  async appendAtomic(table: TableDef, rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    validateRows(table, rows);
    await this.storage().appendAtomic(this.destination(table), table, rows);
  }

  private destination(table: TableDef): string {
    return tablePath(this.projectId, this.dataset(table.dataset), this.tableName(table));
  }

  /** A REST error as a message with the action and the server's reason (BigQuery never echoes row values here). */
  private explain(action: string, error: unknown): Error {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    const code = httpCode(error);
    const hint =
      code === 403
        ? "the service account needs roles/bigquery.dataEditor on the datasets and roles/bigquery.jobUser on the project"
        : code === 401
          ? "no Google credentials: run `gcloud auth application-default login` or configure Workload Identity"
          : undefined;
    if (hint) return new UserError(`BigQuery: ${action} failed: ${message}`, { hint, cause: error });
    return new Error(`BigQuery: ${action} failed: ${message}`, { cause: error });
  }

  async close(): Promise<void> {
    this.writer?.close();
    this.writer = undefined;
  }
}

/** What `query`/`getQueryResults` resolve to with `autoPaginate: false`: rows, the next page, the response. */
type QueryPage = [
  Record<string, unknown>[],
  (Record<string, unknown> & { job?: Job }) | null | undefined,
  { schema?: { fields?: { name?: string; type?: string }[] } } | undefined,
];
