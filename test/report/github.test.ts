import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planSchema } from "../../engine/src/core/plan.ts";
import type { RunReport } from "../../engine/src/core/run-report.ts";
import {
  annotation,
  publishApply,
  renderRunSummary,
  runAnnotations,
} from "../../engine/src/report/github.ts";
import type { ApplyResult } from "../../engine/src/sync/apply/types.ts";
import { describe as describeRun, smallWorldVars, World } from "../e2e/harness.ts";

/** A fixed, partial apply run: one guard blocked a campaign, some adds were rejected or failed. */
function fixedRun(): ApplyResult {
  const startedAt = new Date("2026-03-02T14:00:00.000Z");
  const report: RunReport = {
    runId: "apply-20260302T140000Z-abc123",
    mode: "apply",
    status: "partial",
    startedAt,
    finishedAt: new Date("2026-03-02T14:00:42.000Z"),
    phases: { drain: true, push: true },
    capacity: {
      cap: 24000,
      inventoryBefore: 23900,
      inventoryAfter: 23950,
      slots: 100,
      eligibleRemaining: 5000,
    },
    adds: { attempted: 60, added: 50, skipped: 2, rejected: 5, failed: 3, byCampaign: [] },
    verification: {
      attempted: 70,
      verified: 60,
      invalid: 6,
      catchAll: 4,
      pending: 0,
      creditsUsed: 70,
      failedDisposition: "",
    },
    drain: {
      analyzed: 24000,
      kept: 23990,
      identified: 10,
      byReason: { completed: 10 },
      attempted: 10,
      deleted: 10,
      failed: 0,
    },
    blocklist: { added: 1 },
    api: { calls: 12, succeeded: 11, retries: 1, throttled: 0 },
    errorsByClass: { invalid_request: 5, server_error: 3 },
  };
  return {
    runId: report.runId,
    mode: "apply",
    status: "partial",
    exitCode: 1,
    report,
    counts: {
      pull_run_id: "pull-20260302T135500Z-def456",
      by_op_state: {
        drain: { succeeded: 10 },
        verify: { succeeded: 60, invalid: 6, skipped: 4 },
        add: { succeeded: 50, skipped: 2, rejected: 5, failed: 3 },
      },
      errors_by_class: { invalid_request: 5, server_error: 3 },
      blocked_campaigns: {
        "c-midsize": {
          reason: "bounce_rate",
          detail: "campaign c-midsize (midsize) bounces 3.4 % > 3 %: no adds to it",
        },
      },
      guards_overridden: [],
    },
    warnings: ["notification failed: echo 503, 100% sure"],
    capacity: { allowed: 100, perCampaign: {} } as unknown as NonNullable<ApplyResult["capacity"]>,
  };
}

describe("GitHub job summary and annotations", () => {
  it("renders the run's table and its rows by op and state for a fixed run", () => {
    const md = renderRunSummary(fixedRun());
    expect(md).toContain("### ⚠️ engine apply `apply-20260302T140000Z-abc123`: partial");
    expect(md).toContain("| status | partial (exit 1) |");
    expect(md).toContain("| pull | `pull-20260302T135500Z-def456` |");
    expect(md).toContain("| started | 2026-03-02 14:00:00 UTC |");
    expect(md).toContain("| duration | 42 s |");
    expect(md).toContain("| capacity | 23,900 → 23,950 of cap 24,000 (100 adds allowed) |");
    expect(md).toContain("| op | succeeded | skipped | rejected | invalid | failed | intent |");
    expect(md).toContain("| add | 50 | 2 | 5 | 0 | 3 | 0 |");
    expect(md).toContain("| verify | 60 | 4 | 0 | 6 | 0 | 0 |");
    expect(md).toContain("**Errors by class:** `invalid_request` 5, `server_error` 3");
    expect(md).toContain("- no adds: `campaign c-midsize (midsize) bounces 3.4 % > 3 %: no adds to it`");
  });

  it("annotates failed and rejected rows as errors, guards and warnings as warnings, escaped", () => {
    const lines = runAnnotations(fixedRun());
    const where = "engine apply apply-20260302T140000Z-abc123";
    expect(lines.filter((l) => l.startsWith("::error "))).toHaveLength(2); // add failed, add rejected (an invalid verification is an answer)
    expect(lines).toContainEqual(
      expect.stringMatching(/^::error title=.*add failed::3 add action\(s\) failed/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^::error title=.*add rejected::5 add action\(s\) rejected/),
    );
    expect(lines).toContainEqual(
      "::warning title=guard%3A no adds to c-midsize (bounce_rate)::campaign c-midsize (midsize) bounces 3.4 %25 > 3 %25: no adds to it",
    );
    expect(lines).toContain(
      `::warning title=${where}%3A warning::notification failed: echo 503, 100%25 sure`,
    );
    expect(annotation("error", "a,b:c", "x\ny%")).toBe("::error title=a%2Cb%3Ac::x%0Ay%25");
  });

  it("writes nothing outside GitHub Actions, and appends the summary inside", () => {
    const file = path.join(process.env.TMPDIR ?? "/tmp", `summary-${process.pid}.md`);
    writeFileSync(file, "earlier step\n");
    const out: string[] = [];
    publishApply(fixedRun(), (l) => out.push(l), { GITHUB_STEP_SUMMARY: file });
    expect(out).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe("earlier step\n");
    publishApply(fixedRun(), (l) => out.push(l), { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: file });
    expect(readFileSync(file, "utf8")).toMatch(/^earlier step\n### ⚠️ engine apply/);
    expect(out.length).toBe(runAnnotations(fixedRun()).length);
  });
});

/** The Markdown outside inline code spans (CommonMark: a run of n backticks up to the next run of exactly n). */
function outsideCodeSpans(md: string): string {
  return md.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, " ");
}

describe("sink: the job summary with text from Instantly (issue strings)", () => {
  const hostile = {
    ...fixedRun(),
    status: "failed" as const,
    error:
      "402 from Instantly: [Renew your plan here](https://evil.example/renew) <img src=https://evil.example/p.png> <!channel>",
    warnings: [
      "notification failed: <https://evil.example|click> `code` ``more``",
      "campaign Cold\n::warning title=x::pwned\n::add-mask::Cold \u001b[31m",
    ],
    counts: {
      ...fixedRun().counts,
      blocked_campaigns: {
        "c-1": { reason: "inactive", detail: "campaign ![x](https://evil.example/i.png) | is paused" },
      },
    },
  } satisfies ApplyResult;

  it("keeps every piece of it inside inline code: no link, image, HTML or mention is formed", () => {
    const md = renderRunSummary(hostile);
    const markup = outsideCodeSpans(md);
    for (const bad of [
      "](",
      "<img",
      "<!channel>",
      "<https://",
      "evil.example",
      "::warning",
      "::add-mask",
      "\u001b",
    ]) {
      expect(markup, bad).not.toContain(bad);
    }
    // ...and it is all still there for a person to read
    expect(md).toContain("[Renew your plan here](https://evil.example/renew)");
    expect(md).toContain("``` notification failed: <https://evil.example|click> `code` ``more`` ```");
    expect(md).not.toContain("\u001b");
    expect(md).toContain("\\x1b[31m");
    // the table rows are intact (a | in the guard text did not split anything: it is in a list item)
    expect(md).toContain("| status | failed (exit 1) |");
  });

  it("its annotations are one line each: no second workflow command", () => {
    const lines = runAnnotations(hostile);
    for (const l of lines) {
      expect(l).not.toMatch(/[\r\n]/);
      expect(l).toMatch(/^::(error|warning|notice) /);
    }
  });
});

describe("a dry run in GitHub Actions: engine plan", () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create({ seed: 7, leads: 300, vars: smallWorldVars });
    await world.graph();
    expect((await world.cli(["pull"])).code).toBe(0);
    await world.transform();
  }, 180_000);
  afterAll(async () => {
    await world?.close();
  });

  it("leaves the plan without emails as an artifact file and a sync_plans row, and a job summary", async () => {
    const planFile = path.join(world.dir, "plans", "plan.json");
    const summary = path.join(world.dir, "summary.md");
    const run = await world.cli(["plan", "--out", planFile], {
      env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary },
    });
    expect(run.code, describeRun(run)).toBe(0);
    const plan = planSchema.parse(JSON.parse(readFileSync(planFile, "utf8")));
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(run.stdout).toContain("may differ at apply: Verification results are only known at apply");

    // The artifact: every action by id, op, campaign, reason and rank; no email, no name.
    const artifact = path.join(world.dir, "plans", "public", `${plan.plan_run_id}.json`);
    expect(existsSync(artifact)).toBe(true);
    const text = readFileSync(artifact, "utf8");
    expect(text).not.toMatch(/@/);
    for (const a of plan.actions.filter((x) => x.first_name)) expect(text).not.toContain(`"${a.first_name}"`);
    const pub = JSON.parse(text) as { actions: string[][]; counts: { byOp: Record<string, number> } };
    expect(pub.actions.map((a) => a[0])).toEqual(plan.actions.map((a) => a.action_id));
    expect(pub.counts.byOp.add).toBe(plan.actions.filter((a) => a.op === "add").length);

    // The warehouse record, which outlives the runner.
    const rows = await world.query<{
      run_id: string;
      pull_run_id: string;
      action_count: number;
      actions: string;
    }>(
      `select run_id, pull_run_id, action_count::integer as action_count, actions::varchar as actions from ${world.ops("sync_plans")}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      run_id: plan.plan_run_id,
      pull_run_id: plan.pull_run_id,
      action_count: plan.actions.length,
    });
    expect(rows[0]?.actions).not.toMatch(/@/);
    expect((JSON.parse(rows[0]?.actions ?? "[]") as string[][]).map((a) => a[0])).toEqual(
      plan.actions.map((a) => a.action_id),
    );

    // The job summary: the run's table, the plan's counts per campaign, what may differ.
    const md = readFileSync(summary, "utf8");
    expect(md).toContain(`### ✅ engine plan \`${plan.plan_run_id}\`: succeeded`);
    expect(md).toContain(`engine plan \`${plan.plan_run_id}\`: ${plan.actions.length} actions`);
    expect(md).toContain("**What may differ at apply.**");
    expect(md).not.toMatch(/@/);
    expect(run.stdout).not.toMatch(/^::error/m);
  });
});
