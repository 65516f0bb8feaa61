import { existsSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, it } from "vitest";
import { BigQueryWarehouse } from "../../../engine/src/warehouse/bigquery-warehouse.ts";
import { freshSettings, warehouseContract } from "./contract.ts";

/**
 * The warehouse contract against goccy/bigquery-emulator in a container (@testcontainers/gcloud):
 * real BigQuery REST semantics for DDL and queries, the emulator's Storage Write gRPC for appends.
 * Runs where Docker exists (the `bigquery-emulator` job in ci.yml); elsewhere it says plainly that it
 * skipped and why. `BIGQUERY_EMULATOR=required` turns a skip into a failure (so CI cannot skip silently).
 * testcontainers pulls undici 8, which needs Node >= 22, so it is imported inside the suite only.
 */

const IMAGE = "ghcr.io/goccy/bigquery-emulator:0.8.1";
const GRPC_PORT = 9060;

function skipReason(): string | undefined {
  const reasons: string[] = [];
  if (process.env.SKIP_BIGQUERY_EMULATOR === "1")
    reasons.push("SKIP_BIGQUERY_EMULATOR=1 (ci.yml runs it in its own job)");
  if (!process.env.DOCKER_HOST && !existsSync("/var/run/docker.sock")) {
    reasons.push("no Docker here (no DOCKER_HOST, no /var/run/docker.sock)");
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 22) reasons.push(`Node ${process.versions.node} (testcontainers needs Node >= 22)`);
  return reasons.length > 0 ? reasons.join("; ") : undefined;
}

const reason = skipReason();
if (reason) {
  if (process.env.BIGQUERY_EMULATOR === "required") {
    throw new Error(`BIGQUERY_EMULATOR=required but the emulator suite cannot run: ${reason}`);
  }
  console.log(`BigQuery emulator suite SKIPPED: ${reason}`);
}

describe.skipIf(Boolean(reason))(`BigQueryWarehouse against ${IMAGE}`, () => {
  // biome-ignore lint/suspicious/noExplicitAny: the started container type comes from a dynamic import
  let container: any;
  let endpoint = "";
  let projectId = "";
  let grpcPort = 0;
  let host = "";

  beforeAll(async () => {
    const { BigQueryEmulatorContainer } = await import("@testcontainers/gcloud");
    container = await new BigQueryEmulatorContainer(IMAGE).withExposedPorts(9050, GRPC_PORT).start();
    endpoint = container.getEmulatorEndpoint();
    projectId = container.getProjectId();
    host = container.getHost();
    grpcPort = container.getMappedPort(GRPC_PORT);
    console.log(`BigQuery emulator up: REST ${endpoint}, Storage gRPC ${host}:${grpcPort}`);
  }, 300_000);

  afterAll(async () => {
    await container?.stop();
  });

  warehouseContract(
    () => ({
      async open() {
        const wh = new BigQueryWarehouse(freshSettings(), {
          projectId,
          bigquery: { apiEndpoint: endpoint },
          storage: { apiEndpoint: host, port: grpcPort, sslCreds: grpc.credentials.createInsecure() },
        });
        await wh.ensureContract();
        return wh;
      },
    }),
    { bulkRows: 1000 },
  );

  it("is really running against the container", () => {
    if (!endpoint.startsWith("http")) throw new Error(`no emulator endpoint: ${endpoint}`);
  });
});
