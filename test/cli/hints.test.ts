import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainCloudError } from "../../engine/src/cli/cloud-errors.ts";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { UserError } from "../../engine/src/core/errors.ts";

/** The hints that used to mislead: install command, BigQuery credentials/network/project errors. */
const BIN = path.join(repoRoot(), "engine/bin/engine.js");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "engine-hints-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const engine = (args: string[], env: Record<string, string | undefined>) =>
  promisify(execFile)(process.execPath, [BIN, ...args], {
    cwd: repoRoot(),
    env: env as NodeJS.ProcessEnv,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe("install hint", () => {
  it("a project without node_modules is told the README's install command", async () => {
    const project = path.join(dir, "project");
    mkdirSync(project);
    for (const f of ["workflow_settings.yaml", "definitions", "includes", "package.json"]) {
      cpSync(path.join(repoRoot(), f), path.join(project, f), { recursive: true });
    }
    const r = await engine(["compile"], { ...process.env, ENGINE_PROJECT_DIR: project });
    expect(r.code).toBe(2);
    const hinted = /hint: run `(npm [a-z]+)`/.exec(r.stderr)?.[1];
    const quickStart =
      readFileSync(path.join(repoRoot(), "README.md"), "utf8").split("## Quick start")[1] ?? "";
    const readmeInstall = /```sh\n(npm [a-z]+) &&/.exec(quickStart)?.[1];
    expect(hinted).toBe("npm ci");
    expect(readmeInstall).toBe(hinted);
  });
});

describe("BigQuery errors", () => {
  const noCreds = { HOME: path.join(tmpdir(), "no-such-home"), GOOGLE_APPLICATION_CREDENTIALS: undefined };

  it("a DNS failure says cannot reach Google Cloud, and how to get credentials when none exist", () => {
    const raw = Object.assign(
      new Error(
        "request to https://bigquery.googleapis.com/bigquery/v2/projects/p/datasets/d failed, reason: getaddrinfo ENOTFOUND bigquery.googleapis.com",
      ),
      { code: "ENOTFOUND" },
    );
    const e = explainCloudError(raw, noCreds);
    expect(e).toBeInstanceOf(UserError);
    expect(e?.message).toBe(
      "BigQuery: cannot reach Google Cloud (DNS lookup of bigquery.googleapis.com failed: no network, or a proxy is needed); no Google Cloud credentials were found on this machine either",
    );
    expect(e?.hint).toMatch(/gcloud auth application-default login/);
    expect(e?.exitCode).toBe(3);
    const credsFile = path.join(dir, "key.json");
    cpSync(path.join(repoRoot(), "package.json"), credsFile);
    const withCreds = explainCloudError(raw, { GOOGLE_APPLICATION_CREDENTIALS: credsFile });
    expect(withCreds?.hint).toMatch(/check the network or proxy/);
  });

  it("missing credentials and a bad project get the fix", () => {
    const creds = explainCloudError(
      new Error(
        "Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication",
      ),
      noCreds,
    );
    expect(creds?.message).toMatch(/^BigQuery: no usable Google Cloud credentials/);
    expect(creds?.hint).toMatch(/Workload Identity Federation/);
    const project = explainCloudError(Object.assign(new Error("Not found: Project my-typo"), { code: 404 }), {
      GOOGLE_CLOUD_PROJECT: "my-typo",
    });
    expect(project?.message).toBe('BigQuery: project "my-typo" was not found: Not found: Project my-typo');
    expect(project?.hint).toMatch(/set GOOGLE_CLOUD_PROJECT/);
    const denied = explainCloudError(
      Object.assign(
        new Error("Access Denied: Project p: User does not have bigquery.datasets.get permission"),
        {
          code: 403,
        },
      ),
      {},
    );
    expect(denied?.message).toMatch(/refused access/);
    expect(explainCloudError(new Error("something else"), {})).toBeUndefined();
  });

  it("engine status --warehouse bigquery without credentials prints the fix, not a raw getaddrinfo", async () => {
    const env = { ...process.env, ...noCreds, ENGINE_DEBUG: "" };
    delete env.GOOGLE_APPLICATION_CREDENTIALS;
    const r = await engine(["status", "--warehouse", "bigquery"], env);
    expect([2, 3]).toContain(r.code);
    expect(r.stderr).toMatch(
      /^error: BigQuery: (no usable Google Cloud credentials|cannot reach Google Cloud)/m,
    );
    expect(r.stderr).toMatch(/hint: .*gcloud auth application-default login/);
    expect(r.stderr).not.toMatch(/^error: .*getaddrinfo/m);
  }, 120_000);
});
