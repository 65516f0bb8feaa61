import { createHash } from "node:crypto";
import { UserError } from "../../core/errors.ts";
import type { Row, Warehouse } from "../../warehouse/port.ts";
import { readAll } from "../warehouse-reads.ts";

/**
 * Whether the action tables can be trusted: the transform writes `transform_seal` last, only when
 * every action table was rebuilt and every assertion on them passed (definitions/outputs/
 * transform_seal.sqlx). So a transform whose assertions failed, or that was killed between two action
 * tables, leaves a seal that does not describe the tables: its pull is not push_budget's, or the rows
 * it fingerprinted are not the rows there now. Each row also carries the pull it was computed from.
 */
const QUEUES = ["push_queue", "drain_queue", "block_queue"] as const;
type Queue = (typeof QUEUES)[number];

const HINT =
  "run the transform again (`engine transform` / `dataform run`) and fix what it reports (a failed assertion names its rows), then apply";

/** Rows and MD5 of the sorted action ids joined with ',' (what the seal's SQL computes). */
export function fingerprint(actionIds: readonly string[]): { rows: number; md5: string } {
  if (actionIds.length === 0) return { rows: 0, md5: "" };
  const joined = [...actionIds].sort().join(",");
  return { rows: actionIds.length, md5: createHash("md5").update(joined).digest("hex") };
}

export async function checkTrusted(warehouse: Warehouse, budgetPull: string | null): Promise<void> {
  const sealRef = { dataset: "output" as const, name: "transform_seal" };
  const seal = (await warehouse.exists(sealRef)) ? (await readAll(warehouse.read(sealRef)))[0] : undefined;
  if (!seal) {
    throw new UserError(
      "the action tables are not sealed: the transform did not finish, or its assertions failed (transform_seal is missing)",
      { hint: HINT },
    );
  }
  const sealPull =
    seal.pull_run_id === null || seal.pull_run_id === undefined ? null : String(seal.pull_run_id);
  if (sealPull !== budgetPull) {
    throw new UserError(
      `the action tables cannot be trusted: push_budget comes from pull ${budgetPull ?? "(none)"} but the last transform that finished with every assertion passing sealed pull ${sealPull ?? "(none)"} (a transform killed midway, or failed assertions)`,
      { hint: HINT },
    );
  }
  for (const queue of QUEUES) await checkQueue(warehouse, queue, seal, budgetPull);
}

async function checkQueue(
  warehouse: Warehouse,
  queue: Queue,
  seal: Row,
  budgetPull: string | null,
): Promise<void> {
  const rows = await readAll(
    warehouse.read({ dataset: "output", name: queue }, { columns: ["action_id", "pull_run_id"] }),
  );
  const other = rows.find((r) => String(r.pull_run_id ?? "") !== (budgetPull ?? ""));
  if (other) {
    throw new UserError(
      `the action tables cannot be trusted: ${queue} holds rows of pull ${String(other.pull_run_id ?? "(none)")} but push_budget comes from pull ${budgetPull ?? "(none)"} (a transform killed between them)`,
      { hint: HINT },
    );
  }
  const now = fingerprint(rows.map((r) => String(r.action_id)));
  const sealed = { rows: Number(seal[`${queue}_rows`] ?? -1), md5: String(seal[`${queue}_ids_md5`] ?? "") };
  if (now.rows !== sealed.rows || now.md5 !== sealed.md5) {
    throw new UserError(
      `the action tables cannot be trusted: ${queue} (${now.rows} rows) is not the ${queue} the last complete transform sealed (${sealed.rows} rows): the transform was killed midway or its assertions failed`,
      { hint: HINT },
    );
  }
}
