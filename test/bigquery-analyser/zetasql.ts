import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as loader from "@grpc/proto-loader";
import { repoRoot } from "../../engine/src/config/paths.ts";

/**
 * ZetaSQL, the open-source front end of BigQuery's SQL, as a local gRPC service: the
 * `@fivetrandevelopers/zetasql` package ships the `remote_server` binary (one per OS/arch) and the
 * protos of `ZetaSqlLocalService`. We start the binary on a free port and call it with grpc-js; the
 * package's own client is a singleton bound to one port and camel-cases field names, so the protos
 * are loaded here with snake_case kept (the names the ZetaSQL docs use).
 */

const packageDir = () => path.join(repoRoot(), "node_modules/@fivetrandevelopers/zetasql/lib/zetasql");

/** The binary for this machine, as the package names them (`_arm` on arm64, `.so` on Linux). */
function binaryPath(): string | { skip: string } {
  if (process.platform !== "linux" && process.platform !== "darwin") {
    return { skip: `the package ships no ZetaSQL binary for ${process.platform} (only linux and darwin)` };
  }
  if (process.arch !== "x64" && process.arch !== "arm64") {
    return { skip: `the package ships no ZetaSQL binary for ${process.arch} (only x64 and arm64)` };
  }
  const file = `remote_server${process.arch === "arm64" ? "_arm" : ""}${process.platform === "linux" ? ".so" : ""}`;
  const full = path.join(packageDir(), file);
  if (!existsSync(full)) {
    return { skip: `${full} is missing: run \`npm ci\` (@fivetrandevelopers/zetasql is a devDependency)` };
  }
  return full;
}

/**
 * BigQuery's language as far as this project uses it. ZetaSQL's defaults are a bare core; the first
 * group is what today's statements need, the second what BigQuery has and a Dataform model commonly
 * uses (Dataform emits PARTITION BY / CLUSTER BY from a `bigquery` config), so a new model using them
 * is not refused. Add a feature here only when BigQuery documents the construct.
 */
export const bigQueryFeatures = [
  "FEATURE_ANALYTIC_FUNCTIONS",
  "FEATURE_JSON_TYPE",
  "FEATURE_JSON_CONSTRUCTOR_FUNCTIONS",
  "FEATURE_JSON_MUTATOR_FUNCTIONS",
  "FEATURE_INTERVAL_TYPE",
  "FEATURE_V_1_1_WITH_ON_SUBQUERY",
  "FEATURE_V_1_3_NULLS_FIRST_LAST_IN_ORDER_BY",
  "FEATURE_V_1_3_ADDITIONAL_STRING_FUNCTIONS",
  "FEATURE_V_1_3_IS_DISTINCT",
  // Not used by definitions/ today; BigQuery has them.
  "FEATURE_V_1_1_SELECT_STAR_EXCEPT_REPLACE",
  "FEATURE_V_1_3_QUALIFY",
  "FEATURE_CREATE_TABLE_PARTITION_BY",
  "FEATURE_CREATE_TABLE_CLUSTER_BY",
  "FEATURE_V_1_2_SAFE_FUNCTION_CALL",
  "FEATURE_V_1_1_ORDER_BY_IN_AGGREGATE",
  "FEATURE_V_1_1_LIMIT_IN_AGGREGATE",
];

export const languageOptions = {
  enabled_language_features: bigQueryFeatures,
  // BigQuery is ZetaSQL's "external" product: no INT32/UINT/PROTO types, FLOAT64 not DOUBLE.
  product_mode: "PRODUCT_EXTERNAL",
};

export interface TypeProto {
  type_kind: string;
  array_type?: { element_type: TypeProto };
  struct_type?: { field: { field_name: string; field_type: TypeProto }[] };
}

/** The fields of the service's answers we read (protos loaded with snake_case names, int64 as strings). */
export interface ZetaResponse {
  resume_byte_position?: string;
  resolved_statement?: unknown;
  resolved_expression?: unknown;
  content?: { table_data?: { row?: { cell?: Record<string, unknown>[] }[] } };
  prepared?: { columns?: { name: string; type: TypeProto }[] };
}

type Call = (method: string, request: unknown) => Promise<ZetaResponse>;

type Unary = (
  request: unknown,
  done: (error: grpc.ServiceError | null, response: ZetaResponse) => void,
) => void;
type ServiceClient = grpc.Client & Record<string, Unary>;
interface LoadedProtos {
  zetasql: { local_service: { ZetaSqlLocalService: new (...args: unknown[]) => ServiceClient } };
}

export interface ZetaSql {
  call: Call;
  /** Milliseconds from spawn to the first answer. */
  startMs: number;
  stop(): void;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Start the server, or say why it cannot run here (the tests print the reason and skip). */
export async function startZetaSql(): Promise<ZetaSql | { skip: string }> {
  const binary = binaryPath();
  if (typeof binary !== "string") return binary;
  const started = Date.now();
  const port = await freePort();
  let child: ChildProcess;
  let exited: string | undefined;
  let stderr = "";
  try {
    child = spawn(binary, ["127.0.0.1", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    return { skip: `${binary} could not start: ${error instanceof Error ? error.message : String(error)}` };
  }
  child.stderr?.on("data", (d) => {
    stderr = (stderr + String(d)).slice(-2000);
  });
  child.on("error", (e) => {
    exited = e.message;
  });
  child.on("exit", (code, signal) => {
    exited ??= `exited with ${signal ?? `code ${code}`}`;
  });
  const definition = loader.loadSync("local_service.proto", {
    keepCase: true,
    longs: String,
    enums: String,
    oneofs: true,
    includeDirs: [path.join(packageDir(), "protos")],
  });
  const proto = grpc.loadPackageDefinition(definition) as unknown as LoadedProtos;
  const client = new proto.zetasql.local_service.ZetaSqlLocalService(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
    { "grpc.max_send_message_length": 64 << 20, "grpc.max_receive_message_length": 64 << 20 },
  );
  const call: Call = (method, request) =>
    new Promise((resolve, reject) => {
      (client[method] as Unary).call(client, request, (error, response) =>
        error ? reject(new ZetaSqlError(error.details || error.message)) : resolve(response),
      );
    });
  const stop = () => {
    client.close();
    if (exited === undefined) child.kill("SIGKILL");
  };
  // Ready when it answers; a binary that cannot run here (wrong libc, no exec permission) exits first.
  for (let waited = 0; ; waited += 25) {
    if (exited !== undefined) {
      stop();
      return { skip: `${binary} ${exited}${stderr ? `: ${stderr.trim().split("\n").pop()}` : ""}` };
    }
    try {
      await call("formatSql", { sql: "select 1" });
      break;
    } catch (error) {
      if (waited > 15_000) {
        stop();
        return { skip: `${binary} did not answer on port ${port} within 15 s (${String(error)})` };
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return { call, startMs: Date.now() - started, stop };
}

export class ZetaSqlError extends Error {}
