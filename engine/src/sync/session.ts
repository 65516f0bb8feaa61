import { drainReasonLabels } from "../config/includes.ts";
import { loadSettings, parseVarsOverride, type Settings } from "../config/settings.ts";
import type { RunReport } from "../core/run-report.ts";
import { InstantlyClient, type InstantlyClientOptions } from "../instantly/index.ts";
import { createWarehouseAlertStore } from "../notify/alert-store.ts";
import { createNotifier } from "../notify/create-notifier.ts";
import { loadHandoffsForNotify } from "../notify/handoffs.ts";
import { notifyRun } from "../notify/notify.ts";
import { loadPacingForNotify } from "../notify/pacing.ts";
import { loadPoolFillForNotify } from "../notify/pool-alert.ts";
import { loadFiguresForNotify } from "../notify/report-figures.ts";
import { openWarehouse } from "../warehouse/open-warehouse.ts";
import type { Warehouse } from "../warehouse/port.ts";
import type { ReportContext } from "./apply/types.ts";
import { readLastSuccessAt } from "./warehouse-reads.ts";

/**
 * What every loop command opens, in the order that fails fastest and writes nothing: settings (bad
 * YAML or vars → one message), the Instantly client (missing key → one message), then the warehouse
 * (corrupt file → one message).
 */
export interface Session {
  settings: Settings;
  warehouse: Warehouse;
  client: InstantlyClient;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Settings the command already loaded (parsed once, before the lock); else loaded from `vars`. */
  settings?: Settings;
  vars?: string | undefined;
  warehouse?: string | undefined;
  /** DuckDB file (default warehousePath()). */
  file?: string;
  client?: InstantlyClientOptions;
  projectDir?: string;
}

export function loadLoopSettings(
  options: Pick<SessionOptions, "vars" | "warehouse" | "projectDir">,
): Settings {
  const overrides = parseVarsOverride(options.vars);
  // The local warehouse runs the graph compiled for DuckDB; the vars the engine reads are the same.
  if ((options.warehouse ?? "duckdb") === "duckdb") overrides.dialect = "duckdb";
  return loadSettings({ overrides, ...(options.projectDir ? { projectDir: options.projectDir } : {}) });
}

export async function openSession(options: SessionOptions = {}): Promise<Session> {
  const settings = options.settings ?? loadLoopSettings(options);
  const client = new InstantlyClient(options.client ?? {});
  const warehouse = await openWarehouse(settings, {
    kind: options.warehouse,
    ...(options.file ? { file: options.file } : {}),
  });
  return { settings, warehouse, client, close: () => warehouse.close() };
}

/**
 * The notify hook apply calls at its end: run messages + alerts; returns warnings.
 * `write` redirects the console notifier (default stderr), e.g. to stdout for the demo.
 */
export function notifyHook(
  settings: Settings,
  warehouse: Warehouse,
  env: Record<string, string | undefined> = process.env,
  options: { write?: (text: string) => void } = {},
) {
  return async (report: RunReport, context: ReportContext): Promise<string[]> => {
    const names = new Map(context.health.map((h) => [h.campaignId, h.campaignName]));
    const pacing = await loadPacingForNotify(warehouse, names);
    const handoffs = await loadHandoffsForNotify(warehouse, report.runId);
    const pool = await loadPoolFillForNotify(warehouse);
    // Read after apply recorded its sync_runs row, so the SQL's figures include this run.
    const figures = await loadFiguresForNotify(warehouse, report.runId);
    const result = await notifyRun(report, {
      notifier: createNotifier(env, options.write ? { write: options.write } : {}),
      alertStore: createWarehouseAlertStore(warehouse),
      campaignHealth: context.health,
      lastSuccessAt: await readLastSuccessAt(warehouse, report.startedAt),
      env,
      reasonLabels: drainReasonLabels(settings.projectDir, settings.rawVars),
      thresholds: settings.alertThresholds,
      pacing: pacing.rows,
      pacingMode: settings.vars.pacing,
      firstTouchDays: settings.vars.first_touch_days,
      handoffs: handoffs.handoffs,
      poolFill: pool.fill,
      figures: figures.figures,
    });
    const loadWarnings = [pacing.warning, handoffs.warning, pool.warning, figures.warning].filter(
      (w): w is string => !!w,
    );
    return [...loadWarnings, ...result.warnings];
  };
}
