import { UserError } from "../core/errors.ts";

/**
 * Looker Studio Linking API URLs (`https://lookerstudio.google.com/reporting/create?...`) that open a
 * report already wired to the reporting views in the user's BigQuery project. Two shapes, because
 * Looker Studio accepts aliased data sources (`ds.<alias>.*`) only when a template report defines
 * those aliases:
 *
 * - with a template (`c.reportId`): ONE URL replacing every data source of the template; the
 *   template's data source aliases are the view names (README "Looker Studio" says how to build it);
 * - without one: a URL per view, each a new report on that view (`ds.*` without an alias).
 */

const LINKING_BASE = "https://lookerstudio.google.com/reporting/create";

/** The views the report template uses, with what each page shows (README "Looker Studio"). */
export const LOOKER_VIEWS = [
  "rpt_daily_funnel",
  "rpt_capacity_over_time",
  "rpt_campaign_health",
  "rpt_sync_runs",
  "rpt_verification_outcomes",
  "rpt_lead_eligibility",
  "rpt_suppression_growth",
] as const;

export interface LookerUrlOptions {
  project: string;
  dataset: string;
  /** A template report id: one URL for every view. */
  templateReportId?: string;
  reportName?: string;
}

export interface LookerLink {
  /** The view it connects, or "all" for the template URL. */
  view: string;
  url: string;
}

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[a-z0-9.-]+:[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;
const REPORT_ID = /^[A-Za-z0-9_-]{8,}$/;

function validate(o: LookerUrlOptions): void {
  if (!PROJECT_ID.test(o.project)) {
    throw new UserError(`--project must be a Google Cloud project id, got ${JSON.stringify(o.project)}`, {
      hint: "set GOOGLE_CLOUD_PROJECT or pass --project my-project",
    });
  }
  if (!DATASET_ID.test(o.dataset)) {
    throw new UserError(`--dataset must be a BigQuery dataset id, got ${JSON.stringify(o.dataset)}`);
  }
  if (o.templateReportId !== undefined && !REPORT_ID.test(o.templateReportId)) {
    throw new UserError(
      `--template must be a Looker Studio report id (the part after /reporting/ in its URL), got ${JSON.stringify(o.templateReportId)}`,
    );
  }
}

function bigQuerySource(prefix: string, o: LookerUrlOptions, view: string): Array<[string, string]> {
  return [
    [`${prefix}connector`, "bigQuery"],
    [`${prefix}type`, "TABLE"],
    [`${prefix}projectId`, o.project],
    [`${prefix}datasetId`, o.dataset],
    [`${prefix}tableId`, view],
    [`${prefix}datasourceName`, `${view} (${o.dataset})`],
  ];
}

const build = (params: Array<[string, string]>) =>
  `${LINKING_BASE}?${new URLSearchParams(params).toString()}`;

export function lookerLinks(o: LookerUrlOptions): LookerLink[] {
  validate(o);
  const name = o.reportName ?? "Cold-email pipeline";
  if (o.templateReportId) {
    const params: Array<[string, string]> = [
      ["c.reportId", o.templateReportId],
      ["r.reportName", name],
    ];
    for (const view of LOOKER_VIEWS)
      params.push(...bigQuerySource(`ds.${view}.`, o, view), [`ds.${view}.refreshFields`, "true"]);
    return [{ view: "all", url: build(params) }];
  }
  return LOOKER_VIEWS.map((view) => ({
    view,
    url: build([["r.reportName", `${name}: ${view}`], ...bigQuerySource("ds.", o, view)]),
  }));
}
