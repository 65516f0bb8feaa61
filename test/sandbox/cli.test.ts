import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { SMB } from "./helpers.ts";

/** `engine sandbox`: prints where to connect, serves until SIGINT, saves state on exit. */
describe("engine sandbox CLI", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sandbox-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts, serves the API, and persists on Ctrl-C", async () => {
    const file = path.join(dir, "state.json");
    const child = spawn(
      process.execPath,
      [
        "engine/bin/engine.js",
        "sandbox",
        "--port",
        "0",
        "--json",
        "--persist",
        file,
        "--synthetic-leads",
        "3",
        "--advance-days",
        "1",
      ],
      { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once("line", resolve);
      child.once("exit", () => reject(new Error("sandbox exited before printing its URL")));
    });
    const info = JSON.parse(firstLine) as { url: string; apiKey: string };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
    const res = await fetch(`${info.url}/leads/list`, {
      method: "POST",
      headers: { authorization: `Bearer ${info.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ campaign: SMB }),
    });
    const body = (await res.json()) as { items: { timestamp_last_contact: string | null }[] };
    expect(body.items).toHaveLength(3);
    expect(body.items.every((l) => l.timestamp_last_contact !== null)).toBe(true); // advanced one day
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8")).leads).toHaveLength(6);
  });
});
