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

  it("starts, serves the API with its mailboxes, and persists on Ctrl-C", async () => {
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
        "--mailboxes",
        "2",
        "--mailbox-daily-limit",
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
    // Advanced one day: 2 mailboxes of 1 email a day reached 2 of the 3 leads.
    expect(body.items.filter((l) => l.timestamp_last_contact !== null)).toHaveLength(2);
    const accounts = await fetch(`${info.url}/accounts`, {
      headers: { authorization: `Bearer ${info.apiKey}` },
    });
    const listed = (await accounts.json()) as { items: { daily_limit: number }[] };
    expect(listed.items.map((a) => a.daily_limit)).toEqual([1, 1, 1, 1]); // 2 campaigns × 2
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(file)).toBe(true);
    const saved = JSON.parse(readFileSync(file, "utf8"));
    expect(saved.leads).toHaveLength(6);
    expect(saved.accounts).toHaveLength(4);
  });
});
