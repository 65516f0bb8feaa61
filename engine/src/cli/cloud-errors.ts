import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { UserError } from "../core/errors.ts";

/**
 * Google Cloud failures as a person can act on them. `--warehouse bigquery` without credentials or
 * network used to end in a raw `getaddrinfo ENOTFOUND bigquery.googleapis.com`; a wrong project in
 * "Not found: Project x". Returns undefined for anything that is not such a failure.
 */
export function explainCloudError(
  error: unknown,
  env: Record<string, string | undefined> = process.env,
): UserError | undefined {
  const e = error as { code?: unknown; message?: unknown; hostname?: unknown } | null;
  if (!e || typeof e !== "object") return undefined;
  const message = String(e.message ?? "");
  const code = String(e.code ?? "");
  const project = env.GOOGLE_CLOUD_PROJECT;
  const credentialsHint =
    "locally: `gcloud auth application-default login` (or GOOGLE_APPLICATION_CREDENTIALS=key.json); in GitHub Actions: the google-github-actions/auth step with Workload Identity Federation (README, 'Running in production'). Without BigQuery, leave --warehouse at its default, duckdb";
  const projectHint =
    "set GOOGLE_CLOUD_PROJECT (or defaultProject in workflow_settings.yaml) to your project id, enable bigquery.googleapis.com there, and grant the service account roles/bigquery.jobUser";

  if (
    /Could not load the default credentials|Unable to detect a Project Id|invalid_grant|Could not refresh access token/i.test(
      message,
    )
  ) {
    return new UserError(`BigQuery: no usable Google Cloud credentials (${firstLine(message)})`, {
      hint: credentialsHint,
      exitCode: 2,
      cause: error,
    });
  }
  const dns =
    code === "ENOTFOUND" || code === "EAI_AGAIN" || /getaddrinfo (ENOTFOUND|EAI_AGAIN)/.test(message);
  if (dns && /googleapis\.com|metadata\.google\.internal/.test(`${message} ${String(e.hostname ?? "")}`)) {
    const found = credentialSource(env);
    return new UserError(
      `BigQuery: cannot reach Google Cloud (DNS lookup of ${hostOf(message) ?? "googleapis.com"} failed: no network, or a proxy is needed)${found ? "" : "; no Google Cloud credentials were found on this machine either"}`,
      {
        hint: found ? "check the network or proxy (HTTPS_PROXY), then run again" : credentialsHint,
        exitCode: 3,
        cause: error,
      },
    );
  }
  const status = Number(e.code);
  if ((status === 404 || status === 403) && /project/i.test(message)) {
    return new UserError(
      `BigQuery: project ${project ? JSON.stringify(project) : "(defaultProject of workflow_settings.yaml)"} ${status === 404 ? "was not found" : "refused access"}: ${firstLine(message)}`,
      { hint: projectHint, exitCode: 2, cause: error },
    );
  }
  return undefined;
}

/** Where the Google auth library would find credentials, if anywhere (a file; the metadata server is not probed). */
export function credentialSource(env: Record<string, string | undefined>): string | undefined {
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (file && existsSync(file)) return file;
  const configDir = env.CLOUDSDK_CONFIG ?? path.join(env.HOME ?? os.homedir(), ".config", "gcloud");
  const adc = path.join(configDir, "application_default_credentials.json");
  return existsSync(adc) ? adc : undefined;
}

const firstLine = (s: string) => s.split("\n")[0]?.slice(0, 200) ?? "";
const hostOf = (s: string) => /getaddrinfo \w+ ([\w.-]+)/.exec(s)?.[1];
