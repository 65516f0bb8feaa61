import { defineCommand } from "citty";
import { lookerLinks } from "../report/looker.ts";
import { loadLoopSettings } from "../sync/session.ts";
import { commandMeta } from "./command-list.ts";

/**
 * `engine looker-url`: Looker Studio Linking API URLs for this project's reporting views. Offline:
 * it only formats URLs; opening one asks Looker Studio to read the views with the viewer's Google
 * credentials.
 */
export default defineCommand({
  meta: commandMeta("looker-url"),
  args: {
    project: { type: "string", description: "Google Cloud project (default GOOGLE_CLOUD_PROJECT)" },
    dataset: { type: "string", description: "Reporting dataset (default the reporting_dataset var)" },
    template: {
      type: "string",
      description: "Template report id: one URL that copies it with every data source pointed at your views",
    },
    name: { type: "string", description: 'Report name (default "Cold-email pipeline")' },
    vars: { type: "string", description: "Override workflow_settings.yaml vars" },
    json: { type: "boolean", description: "Print the links as JSON", default: false },
  },
  run({ args }) {
    const settings = loadLoopSettings({ vars: args.vars, warehouse: "bigquery" });
    const links = lookerLinks({
      project: args.project ?? process.env.GOOGLE_CLOUD_PROJECT ?? "",
      dataset: args.dataset ?? settings.vars.reporting_dataset,
      ...(args.template ? { templateReportId: args.template } : {}),
      ...(args.name ? { reportName: args.name } : {}),
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify(links, null, 2)}\n`);
      return;
    }
    for (const l of links) console.log(`${l.view}\n  ${l.url}`);
  },
});
