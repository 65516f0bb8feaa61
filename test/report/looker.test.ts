import { describe, expect, it } from "vitest";
import { LOOKER_VIEWS, lookerLinks } from "../../engine/src/report/looker.ts";

/** Linking API URLs: the parameters Looker Studio reads, for the user's project and dataset. */
describe("Looker Studio Linking API URLs", () => {
  const params = (url: string) => {
    const u = new URL(url);
    expect(`${u.origin}${u.pathname}`).toBe("https://lookerstudio.google.com/reporting/create");
    return Object.fromEntries(u.searchParams);
  };

  it("without a template: one new report per view, with an unaliased BigQuery data source", () => {
    const links = lookerLinks({ project: "acme-sales-prod", dataset: "ce_reporting" });
    expect(links.map((l) => l.view)).toEqual([...LOOKER_VIEWS]);
    expect(params(links[0]?.url ?? "")).toEqual({
      "r.reportName": "Cold-email pipeline: rpt_daily_funnel",
      "ds.connector": "bigQuery",
      "ds.type": "TABLE",
      "ds.projectId": "acme-sales-prod",
      "ds.datasetId": "ce_reporting",
      "ds.tableId": "rpt_daily_funnel",
      "ds.datasourceName": "rpt_daily_funnel (ce_reporting)",
    });
  });

  it("with a template: one URL that points every aliased data source at its view", () => {
    const [link, ...rest] = lookerLinks({
      project: "acme-sales-prod",
      dataset: "ce_reporting",
      templateReportId: "0b7e61c2-aaaa-bbbb-cccc-1234567890ab",
      reportName: "Sales ops",
    });
    expect(rest).toEqual([]);
    const p = params(link?.url ?? "");
    expect(p["c.reportId"]).toBe("0b7e61c2-aaaa-bbbb-cccc-1234567890ab");
    expect(p["r.reportName"]).toBe("Sales ops");
    for (const view of LOOKER_VIEWS) {
      expect(p[`ds.${view}.connector`]).toBe("bigQuery");
      expect(p[`ds.${view}.tableId`]).toBe(view);
      expect(p[`ds.${view}.datasetId`]).toBe("ce_reporting");
      expect(p[`ds.${view}.projectId`]).toBe("acme-sales-prod");
    }
  });

  it("refuses a missing project or a malformed id, naming the option", () => {
    expect(() => lookerLinks({ project: "", dataset: "x" })).toThrow(/--project .* got ""/);
    expect(() => lookerLinks({ project: "acme-prod", dataset: "bad-dataset" })).toThrow(/--dataset/);
    expect(() => lookerLinks({ project: "acme-prod", dataset: "d", templateReportId: "a b" })).toThrow(
      /--template/,
    );
  });
});
