/**
 * Regenerates the README's screenshots from a fresh demo: `npx tsx test/report/screenshots.ts`
 * (about two minutes; needs Chromium, see chromium.ts). It runs `engine demo` (the README's command,
 * default options) on a temp warehouse, writes the report and captures, in Chromium at 1280 px wide:
 *
 *   docs/report.png            the whole page
 *   docs/report-attention.png  the top of the page: "Needs attention", the figures, the funnel and
 *                              the hand-offs chart
 *
 * Not a test: screenshots are for people; test/report/*.test.ts assert what the page shows.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../../engine/src/config/paths.ts";
import { findChromium, HeadlessChromium } from "./chromium.ts";

const root = repoRoot();
const chromium = findChromium();
if ("reason" in chromium) {
  console.error(`screenshots: ${chromium.reason}`);
  process.exit(2);
}
const dir = mkdtempSync(path.join(tmpdir(), "screenshots-"));
const warehouse = path.join(dir, "warehouse.duckdb");
const env = { ...process.env, ENGINE_WAREHOUSE: warehouse, NO_COLOR: "1" };
const engine = (args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(root, "engine", "bin", "engine.js"), ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0) throw new Error(`engine ${args.join(" ")} exited ${r.status}`);
};
const browser = await HeadlessChromium.launch(chromium.path, { width: 1280, height: 900 });
try {
  console.error("screenshots: running the demo …");
  engine(["demo", "--warehouse", warehouse]);
  const report = path.join(dir, "report.html");
  engine(["report", "--out", report]);
  await browser.load(pathToFileURL(report).href);
  writeFileSync(path.join(root, "docs", "report.png"), await browser.screenshot());
  // Down to the bottom of the hand-offs chart (the trends cards are at the end of the full page).
  const bottom = await browser.evaluate<number>(
    `Math.ceil(document.querySelector('[data-chart="handoffs"]').getBoundingClientRect().bottom + window.scrollY + 16)`,
  );
  writeFileSync(path.join(root, "docs", "report-attention.png"), await browser.screenshot(bottom));
  console.error("screenshots: wrote docs/report.png and docs/report-attention.png");
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
