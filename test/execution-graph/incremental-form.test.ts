import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { type Capture, captureExecutionGraph, existingTables } from "./capture.ts";

/**
 * The capture itself, proven on a one-table project with an incremental model: a stub that 404s gives
 * the first build (`create or replace table … partition by`), a stub that returns the table's metadata
 * gives the MERGE an incremental run sends. This holds whatever definitions/ contains today (it may
 * have no incremental table yet, in which case the repo's incremental snapshot equals the fresh one).
 * The project is written to a temp dir with a copy of @dataform/core (the CLI's sandbox will not
 * follow a node_modules symlink out of the project).
 */

let dir: string;
let fresh: Capture;
let incremental: Capture;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "df-incremental-"));
  mkdirSync(path.join(dir, "definitions"));
  cpSync(
    path.join(repoRoot(), "node_modules/@dataform/core"),
    path.join(dir, "node_modules/@dataform/core"),
    {
      recursive: true,
    },
  );
  writeFileSync(
    path.join(dir, "workflow_settings.yaml"),
    "defaultProject: golden-project\ndefaultLocation: US\ndefaultDataset: cold_email\ndefaultAssertionDataset: cold_email_assertions\n",
  );
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name: "incremental-fixture",
      private: true,
      dependencies: { "@dataform/core": "3.0.62" },
    }),
  );
  writeFileSync(
    path.join(dir, "definitions/changelog_latest.sqlx"),
    [
      "config {",
      '  type: "incremental",',
      '  uniqueKey: ["action_id"],',
      '  bigquery: { partitionBy: "DATE(recorded_at)", updatePartitionFilter: "recorded_at >= timestamp_sub(current_timestamp(), interval 3 day)" },',
      '  columns: { action_id: "Action", state: "Latest state", recorded_at: "When" }',
      "}",
      "select action_id, state, recorded_at from `golden-project.cold_email_ops.sync_changelog`",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: SQLX template text, not a JS template
      "${when(incremental(), `where recorded_at > (select max(recorded_at) from ${self()})`)}",
      "",
    ].join("\n"),
  );
  fresh = await captureExecutionGraph([], dir);
  incremental = await captureExecutionGraph(existingTables(fresh.graph), dir);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const statements = (c: Capture) =>
  c.graph.actions.flatMap((a) => (a.tasks ?? []).map((t) => t.statement)).join("\n");

describe("execution graph capture of an incremental table", () => {
  it("shows the first build when the table does not exist", () => {
    expect(statements(fresh)).toContain(
      "create or replace table `golden-project.cold_email.changelog_latest` partition by DATE(recorded_at)",
    );
    expect(statements(fresh)).not.toMatch(/\bmerge\b/i);
  });

  it("shows the MERGE on the unique key, with the live columns, when the table exists", () => {
    const sql = statements(incremental);
    expect(sql).toMatch(/merge `golden-project\.cold_email\.changelog_latest` DATAFORM_DEST/);
    expect(sql).toContain("DATAFORM_DEST.action_id = DATAFORM_SOURCE.action_id");
    expect(sql).toContain(
      "and DATAFORM_DEST.recorded_at >= timestamp_sub(current_timestamp(), interval 3 day)",
    );
    expect(sql).toContain(
      "where recorded_at > (select max(recorded_at) from `golden-project.cold_email.changelog_latest`)",
    );
    expect(sql).toMatch(/insert \(`action_id`,\s*`state`,\s*`recorded_at`\)/i);
    expect(incremental.queries).toEqual([]);
  });
});
