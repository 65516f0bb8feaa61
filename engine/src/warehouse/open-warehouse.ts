import { warehousePath } from "../config/paths.ts";
import type { Settings } from "../config/settings.ts";
import { UserError } from "../core/errors.ts";
import { warehouseFailure } from "./duckdb.ts";
import { DuckDbWarehouse } from "./duckdb-warehouse.ts";
import type { Warehouse } from "./port.ts";

/**
 * Opens the warehouse a command works on: the local DuckDB file (default, `warehousePath()`), or
 * BigQuery (`--warehouse bigquery`, production). The BigQuery adapter is imported only when asked for,
 * so local commands never load the Google Cloud libraries.
 */
export type WarehouseKind = "duckdb" | "bigquery";

export interface OpenWarehouseOptions {
  kind?: WarehouseKind | string;
  /** DuckDB file (default `warehousePath()`: ENGINE_WAREHOUSE or .engine/warehouse.duckdb). */
  file?: string;
}

export function parseWarehouseKind(value: string | undefined): WarehouseKind {
  const v = (value ?? "duckdb").trim().toLowerCase();
  if (v === "duckdb" || v === "bigquery") return v;
  throw new UserError(`--warehouse must be duckdb or bigquery, got ${JSON.stringify(value)}`);
}

export async function openWarehouse(
  settings: Settings,
  options: OpenWarehouseOptions = {},
): Promise<Warehouse> {
  const kind = parseWarehouseKind(options.kind);
  if (kind === "duckdb") {
    const warehouse = await DuckDbWarehouse.open(options.file ?? warehousePath(), settings);
    try {
      await warehouse.ensureContract();
    } catch (cause) {
      await warehouse.close();
      const file = options.file ?? warehousePath();
      throw warehouseFailure(`the local warehouse ${file} is not usable`, file, cause);
    }
    return warehouse;
  }
  const { BigQueryWarehouse } = await import("./bigquery-warehouse.ts");
  const warehouse = new BigQueryWarehouse(settings);
  await warehouse.ensureContract();
  return warehouse;
}
