import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { withoutFakeClock } from "../setup/fake-clock.ts";

/**
 * A real headless Chromium driven over the DevTools protocol (a WebSocket, the `ws` package): load a
 * page, collect every console error, uncaught exception and failed load, evaluate expressions in the
 * page and take a screenshot. Debian's `chromium` package (installed by .ci/run where it can be);
 * `CHROMIUM_PATH` points at another build. `findChromium()` returns why not when there is none, so
 * the tests skip with that reason.
 */

export function findChromium(): { path: string } | { reason: string } {
  const candidates = [process.env.CHROMIUM_PATH, "chromium", "chromium-browser", "google-chrome"].filter(
    (c): c is string => Boolean(c),
  );
  for (const c of candidates) {
    const r = spawnSync(c, ["--version"], { encoding: "utf8", timeout: 20_000 });
    if (r.status === 0) return { path: c };
  }
  return {
    reason: `no Chromium found (tried ${candidates.join(", ")}): install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH`,
  };
}

export interface PageProblems {
  consoleErrors: string[];
  exceptions: string[];
  logErrors: string[];
  /** Every URL the page asked for (a self-contained page asks for none but itself). */
  requests: string[];
}

export class HeadlessChromium {
  #seq = 0;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #listeners: Array<(method: string, params: Record<string, unknown>) => void> = [];
  readonly problems: PageProblems = { consoleErrors: [], exceptions: [], logErrors: [], requests: [] };

  private constructor(
    private readonly child: ChildProcess,
    private readonly ws: WebSocket,
    private readonly profile: string,
  ) {
    ws.on("message", (raw) => {
      const msg = JSON.parse(String(raw)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: Record<string, unknown>;
      };
      if (msg.id !== undefined) {
        const p = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
        return;
      }
      if (msg.method) for (const l of this.#listeners) l(msg.method, msg.params ?? {});
    });
    this.#listeners.push((method, params) => {
      if (method === "Runtime.consoleAPICalled" && params.type === "error") {
        const args = (params.args as Array<{ value?: unknown; description?: string }>) ?? [];
        this.problems.consoleErrors.push(args.map((a) => String(a.value ?? a.description)).join(" "));
      }
      if (method === "Runtime.exceptionThrown") {
        const d = params.exceptionDetails as { text?: string; exception?: { description?: string } };
        this.problems.exceptions.push(`${d.text ?? ""} ${d.exception?.description ?? ""}`.trim());
      }
      if (method === "Network.requestWillBeSent") {
        this.problems.requests.push(String((params.request as { url?: string }).url));
      }
      if (method === "Log.entryAdded") {
        const e = params.entry as { level?: string; text?: string; url?: string };
        if (e.level === "error") this.problems.logErrors.push(`${e.text ?? ""} ${e.url ?? ""}`.trim());
      }
    });
  }

  /** Start Chromium on an ephemeral DevTools port and attach to its first page. */
  static async launch(binary: string, size = { width: 1280, height: 900 }): Promise<HeadlessChromium> {
    const profile = mkdtempSync(path.join(tmpdir(), "chromium-profile-"));
    const child = spawn(
      binary,
      [
        "--headless",
        "--no-sandbox", // CI runs as root, where Chromium refuses its sandbox
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        `--window-size=${size.width},${size.height}`,
        "--remote-debugging-port=0",
        `--user-data-dir=${profile}`,
        "about:blank",
      ],
      // Without libfaketime (test/dates/at-dates.sh): the report reads no clock, and its hooks in
      // Chromium's many threads stalled page loads past the tests' timeouts at pinned dates.
      { stdio: ["ignore", "ignore", "pipe"], env: withoutFakeClock(process.env) },
    );
    const browserWs = await new Promise<string>((resolve, reject) => {
      let err = "";
      const timer = setTimeout(
        () => reject(new Error(`Chromium did not start: ${err.slice(-2000)}`)),
        30_000,
      );
      child.stderr?.setEncoding("utf8").on("data", (d: string) => {
        err += d;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`Chromium exited (${code}): ${err.slice(-2000)}`));
      });
    });
    const port = new URL(browserWs).port;
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
      type: string;
      webSocketDebuggerUrl: string;
    }>;
    const page = targets.find((t) => t.type === "page");
    if (!page) throw new Error("Chromium has no page target");
    const ws = new WebSocket(page.webSocketDebuggerUrl, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const browser = new HeadlessChromium(child, ws, profile);
    await browser.send("Runtime.enable");
    await browser.send("Log.enable");
    await browser.send("Page.enable");
    await browser.send("Network.enable");
    return browser;
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  waitFor(method: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${method}`)), timeoutMs);
      this.#listeners.push((m, params) => {
        if (m === method) {
          clearTimeout(timer);
          resolve(params);
        }
      });
    });
  }

  /** Navigate and wait for the load event (every inline script has run by then). */
  async load(url: string): Promise<void> {
    const loaded = this.waitFor("Page.loadEventFired");
    await this.send("Page.navigate", { url });
    await loaded;
  }

  /** Evaluate an expression in the page; returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string } }>(
      "Runtime.evaluate",
      {
        expression,
        returnByValue: true,
      },
    );
    if (r.exceptionDetails) throw new Error(`page threw: ${r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** A PNG of the whole page (not just the viewport). */
  /** The whole page, or its first `height` CSS pixels. */
  async screenshot(height?: number): Promise<Buffer> {
    const { cssContentSize } = await this.send<{ cssContentSize: { width: number; height: number } }>(
      "Page.getLayoutMetrics",
    );
    const r = await this.send<{ data: string }>("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      clip: {
        x: 0,
        y: 0,
        width: cssContentSize.width,
        height: Math.min(height ?? cssContentSize.height, cssContentSize.height),
        scale: 1,
      },
    });
    return Buffer.from(r.data, "base64");
  }

  async close(): Promise<void> {
    this.ws.close();
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once("exit", () => resolve());
    });
    this.child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
    // Chromium's helper processes may still be writing the profile for a while after the main one exits
    // (seconds on a loaded machine); a temp profile left behind is not worth failing a test for.
    try {
      rmSync(this.profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
    } catch (error) {
      console.warn(`could not remove Chromium's temp profile ${this.profile}: ${(error as Error).message}`);
    }
  }
}
