import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../../engine/src/config/paths.ts";

/**
 * Lint of .github/workflows, offline: every workflow validated against the GitHub Actions workflow
 * schema (@action-validator/core, a WASM build of action-validator with the schema bundled), plus our
 * own rules for the pipeline: the schedule really is "every 30 min on weekdays 09:00-18:00 US Eastern,
 * every 2 h otherwise" across EST and EDT (simulated with the workflow's own gate script), runs never
 * overlap, Workload Identity Federation, the step order of the loop.
 */

const dir = path.join(repoRoot(), ".github/workflows");
const files = readdirSync(dir).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"));
const text = (file: string) => readFileSync(path.join(dir, file), "utf8");
// biome-ignore lint/suspicious/noExplicitAny: workflow YAML is free-form
type Any = any;
/** A GitHub expression as written in the YAML: gh("vars.X") is the text `${{ vars.X }}`. */
const gh = (e: string) => ["$", "{{ ", e, " }}"].join("");
const pipeline: Any = parse(text("pipeline.yml"));
const ci: Any = parse(text("ci.yml"));

describe("workflow schema (action-validator, offline)", () => {
  it.each(files)("%s is a valid GitHub Actions workflow", (file) => {
    const state = validateWorkflow(text(file));
    expect(JSON.stringify(state.errors, null, 2)).toBe("[]");
  });

  it("catches a broken workflow (the validator is really checking)", () => {
    const broken = text("pipeline.yml").replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest");
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });
});

describe("pipeline.yml rules", () => {
  const job = pipeline.jobs.pipeline;
  const steps: Any[] = job.steps;
  const runs = steps.map((s) => String(s.run ?? ""));

  it("has the two UTC cadences the gate knows, and manual dispatch with dry-run and target", () => {
    expect(pipeline.on.schedule.map((s: Any) => s.cron)).toEqual(["0,30 13-23 * * 1-5", "0 */2 * * *"]);
    const inputs = pipeline.on.workflow_dispatch.inputs;
    expect(inputs.dry_run.type).toBe("boolean");
    expect(inputs.target.type).toBe("choice");
    expect(inputs.target.options).toContain("production");
  });

  it("never overlaps runs and never cancels one in progress", () => {
    expect(pipeline.concurrency.group).toBeTruthy();
    expect(pipeline.concurrency["cancel-in-progress"]).toBe(false);
  });

  it("authenticates with Workload Identity Federation (id-token: write, provider + service account from vars)", () => {
    expect(pipeline.permissions["id-token"]).toBe("write");
    expect(pipeline.permissions.contents).toBe("read");
    const auth = steps.find((s) => String(s.uses ?? "").startsWith("google-github-actions/auth@"));
    expect(auth).toBeDefined();
    expect(auth.with.workload_identity_provider).toMatch(/^\$\{\{ (vars|secrets)\.\w+ \}\}$/);
    expect(auth.with.service_account).toMatch(/^\$\{\{ (vars|secrets)\.\w+ \}\}$/);
    expect(auth.with.credentials_json).toBeUndefined();
  });

  it("runs npm ci -> engine pull -> dataform run -> engine apply | engine plan, authenticated first", () => {
    const index = (pattern: RegExp) => runs.findIndex((r) => pattern.test(r));
    const authAt = steps.findIndex((s) => String(s.uses ?? "").startsWith("google-github-actions/auth@"));
    const order = [
      index(/^npm ci\b/),
      authAt,
      index(/npx --no-install engine pull/),
      index(/npx --no-install dataform run/),
      index(/npx --no-install engine apply/),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const plan = index(/npx --no-install engine plan/);
    expect(plan).toBeGreaterThan(index(/npx --no-install dataform run/));
    expect(steps[index(/npx --no-install engine apply/)].if).toBe("env.DRY_RUN != 'true'");
    expect(steps[plan].if).toBe("env.DRY_RUN == 'true'");
    expect(runs.filter((r) => r.includes("DATAFORM_VARS")).length).toBe(5);
  });

  it("has a full_refresh input that only a manual run turns into `dataform run --full-refresh`", () => {
    const input = pipeline.on.workflow_dispatch.inputs.full_refresh;
    expect(input.type).toBe("boolean");
    expect(input.default).toBe(false);
    expect(job.env.FULL_REFRESH).toBe(
      gh("github.event_name == 'workflow_dispatch' && inputs.full_refresh && 'true' || 'false'"),
    );
    const dataform = runs.find((r) => /npx --no-install dataform run/.test(r)) ?? "";
    expect(dataform).toMatch(/if \[ "\$FULL_REFRESH" = "true" \]; then refresh="--full-refresh"; fi/);
    expect(dataform).toMatch(/\$\{refresh\}/);
  });

  it("writes the HTML report after apply or plan, and uploads it as an artifact of every run", () => {
    const reportAt = runs.findIndex((r) => /npx --no-install engine report --warehouse bigquery/.test(r));
    const applyAt = runs.findIndex((r) => /npx --no-install engine apply/.test(r));
    const planAt = runs.findIndex((r) => /npx --no-install engine plan/.test(r));
    expect(reportAt).toBeGreaterThan(Math.max(applyAt, planAt));
    expect(steps[reportAt].if).toBe(gh("!cancelled()"));
    const out = /--out (\S+)/.exec(runs[reportAt] ?? "")?.[1];
    expect(out).toBeTruthy();
    const upload = steps.find(
      (s, i) => i > reportAt && String(s.uses ?? "").startsWith("actions/upload-artifact@"),
    );
    expect(upload?.with.path).toBe(out);
    expect(upload?.with.name).toMatch(/^report-/);
    expect(upload?.if).toBe(gh("!cancelled()"));
  });

  it("passes the run URL to the engine and keeps secrets out of scripts", () => {
    expect(job.env.CI_RUN_URL).toContain("github.run_id");
    for (const file of files) {
      const doc: Any = parse(text(file));
      for (const [name, j] of Object.entries<Any>(doc.jobs)) {
        expect(j["timeout-minutes"], `${file} job ${name} needs timeout-minutes`).toBeGreaterThan(0);
        for (const s of j.steps ?? []) {
          // expressions in scripts are an injection risk; values go through env instead
          expect(String(s.run ?? ""), `${file} job ${name}`).not.toContain("${{");
        }
      }
    }
  });

  it("ci.yml runs the emulator suite on Node 22 in its own job and skips it in the matrix", () => {
    const emu = ci.jobs["bigquery-emulator"];
    const setup = emu.steps.find((s: Any) => String(s.uses ?? "").startsWith("actions/setup-node@"));
    expect(setup.with["node-version"]).toBe(22);
    expect(
      emu.steps.some((s: Any) =>
        /vitest run test\/warehouse\/bigquery\/emulator\.test\.ts/.test(s.run ?? ""),
      ),
    ).toBe(true);
    expect(ci.jobs.test.strategy.matrix.node).toEqual([20, 22, 24]);
  });

  it("installs with npm ci everywhere (the locked versions; prepare builds engine/dist), never npm install", () => {
    const installs: string[] = [];
    for (const file of files) {
      const workflow: Any = parse(text(file));
      for (const job of Object.values(workflow.jobs ?? {}) as Any[]) {
        for (const s of job.steps ?? []) {
          const run = String(s.run ?? "");
          if (/\bnpm (ci|install|i)\b/.test(run)) installs.push(`${file}: ${run.trim()}`);
        }
      }
    }
    const ciRun = readFileSync(path.join(repoRoot(), ".ci", "run"), "utf8");
    expect(ciRun).toMatch(/^\s*npm ci\b/m);
    expect(ciRun).not.toMatch(/^\s*npm (install|i)\b/m);
    expect(installs.length).toBeGreaterThanOrEqual(2); // pipeline.yml and the emulator job
    for (const line of installs) expect(line).toMatch(/: npm ci\b/);
  });
});

/** Minimal 5-field cron matcher (lists, ranges, steps, *), in UTC like GitHub. */
function cronMatches(expr: string, at: Date): boolean {
  const [minute, hour, dom, month, dow] = expr.split(/\s+/);
  const field = (spec: string | undefined, value: number, min: number, max: number) =>
    (spec ?? "*").split(",").some((part) => {
      const [range, stepText] = part.split("/");
      const step = stepText ? Number(stepText) : 1;
      const [lo, hi] =
        range === "*"
          ? [min, max]
          : (range ?? "").includes("-")
            ? (range ?? "").split("-").map(Number)
            : [Number(range), stepText ? max : Number(range)];
      return value >= (lo ?? min) && value <= (hi ?? max) && (value - (lo ?? min)) % step === 0;
    });
  return (
    field(minute, at.getUTCMinutes(), 0, 59) &&
    field(hour, at.getUTCHours(), 0, 23) &&
    field(dom, at.getUTCDate(), 1, 31) &&
    field(month, at.getUTCMonth() + 1, 1, 12) &&
    field(dow, at.getUTCDay(), 0, 6)
  );
}

const eastern = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
function easternParts(at: Date) {
  const parts = Object.fromEntries(eastern.formatToParts(at).map((p) => [p.type, p.value]));
  const hm = Number(parts.hour) * 100 + Number(parts.minute);
  const weekday = !["Sat", "Sun"].includes(parts.weekday ?? "");
  return {
    hm,
    weekday,
    business: weekday && hm >= 900 && hm <= 1800,
    label: `${parts.weekday} ${parts.hour}:${parts.minute}`,
  };
}

/** Run the workflow's own gate script for many (schedule, time) pairs in one bash process. */
function runGate(calls: { cron: string; epoch: number }[]): boolean[] {
  const script: string = pipeline.jobs.gate.steps[0].run;
  const body = [
    `gate() { ( export EVENT=schedule SCHEDULE="$1" GATE_NOW="$2" GITHUB_OUTPUT=/dev/stdout; ${"\n"}${script}${"\n"} ) | grep '^run=' ; }`,
    ...calls.map((c) => `gate '${c.cron}' ${c.epoch}`),
  ].join("\n");
  const out = execFileSync("bash", ["-c", body], { encoding: "utf8" });
  const lines = out.trim().split("\n");
  expect(lines).toHaveLength(calls.length);
  return lines.map((l) => l === "run=true");
}

describe("pause: the repository variable PIPELINE_PAUSED stops scheduled runs, not manual ones", () => {
  const gate = pipeline.jobs.gate.steps[0];
  const decide = (env: Record<string, string>) =>
    execFileSync("bash", ["-c", `( ${gate.run}\n ) | grep '^run='`], {
      encoding: "utf8",
      env: { ...process.env, GITHUB_OUTPUT: "/dev/stdout", ...env },
    }).trim();
  // Wed 2026-07-15 14:00 UTC = 10:00 EDT: a business slot that runs when not paused.
  const tick = {
    EVENT: "schedule",
    SCHEDULE: "0,30 13-23 * * 1-5",
    GATE_NOW: String(Date.parse("2026-07-15T14:00:00Z") / 1000),
  };

  it("reads the repository variable (vars, not an environment's: the gate job has none)", () => {
    expect(gate.env.PAUSED).toBe(gh("vars.PIPELINE_PAUSED"));
    expect(pipeline.jobs.gate.environment).toBeUndefined();
  });

  it("skips a scheduled tick while paused and runs it again once resumed", () => {
    expect(decide({ ...tick, PAUSED: "true" })).toBe("run=false");
    expect(decide({ ...tick, PAUSED: "false" })).toBe("run=true");
    expect(decide({ ...tick, PAUSED: "" })).toBe("run=true");
  });

  it("still runs a manual dispatch while paused", () => {
    expect(decide({ EVENT: "workflow_dispatch", SCHEDULE: "", PAUSED: "true" })).toBe("run=true");
  });
});

describe("pipeline schedule across EST and EDT (cron ticks + the workflow's gate script)", () => {
  const crons: string[] = pipeline.on.schedule.map((s: Any) => s.cron);
  // a winter week (EST), a summer week (EDT), and the weeks of both 2026 DST switches
  const windows = [
    ["2026-01-12T00:00:00Z", "2026-01-19T00:00:00Z"],
    ["2026-07-13T00:00:00Z", "2026-07-20T00:00:00Z"],
    ["2026-03-06T00:00:00Z", "2026-03-11T00:00:00Z"],
    ["2026-10-30T00:00:00Z", "2026-11-04T00:00:00Z"],
  ] as const;

  const ticks: { cron: string; epoch: number; at: Date }[] = [];
  for (const [from, to] of windows) {
    for (let t = Date.parse(from); t < Date.parse(to); t += 60_000) {
      const at = new Date(t);
      for (const cron of crons) if (cronMatches(cron, at)) ticks.push({ cron, epoch: t / 1000, at });
    }
  }
  const decisions = runGate(ticks);
  const runsAt = ticks.filter((_, i) => decisions[i]).map((t) => t.at);

  it("runs every 30 min from 09:00 to 18:00 Eastern on weekdays, exactly once per slot", () => {
    for (const [from, to] of windows) {
      for (let t = Date.parse(from); t < Date.parse(to); t += 30 * 60_000) {
        const e = easternParts(new Date(t));
        const n = runsAt.filter((r) => r.getTime() === t).length;
        if (e.business) expect(n, `business slot ${e.label}`).toBe(1);
        expect(n, `slot ${e.label}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it("runs every 2 h outside business hours, never more often, never leaving a gap over 2 h", () => {
    for (const [from, to] of windows) {
      const mine = runsAt.filter((r) => r.getTime() >= Date.parse(from) && r.getTime() < Date.parse(to));
      for (let i = 1; i < mine.length; i++) {
        const prev = mine[i - 1] as Date;
        const cur = mine[i] as Date;
        const gap = (cur.getTime() - prev.getTime()) / 60_000;
        expect(gap, `gap before ${easternParts(cur).label}`).toBeLessThanOrEqual(120);
        if (!easternParts(cur).business && !easternParts(prev).business) {
          expect(gap, `off-hours gap before ${easternParts(cur).label}`).toBe(120);
        }
      }
    }
  });

  it("decides a late-starting scheduled run by its slot, not by the minute it started", () => {
    // 18:00 EDT slot (22:00 UTC) started 12 minutes late: still the business cadence's run.
    const slot = Date.parse("2026-07-15T22:00:00Z") / 1000;
    const late = slot + 12 * 60;
    expect(
      runGate([
        { cron: "0,30 13-23 * * 1-5", epoch: late },
        { cron: "0 */2 * * *", epoch: late },
      ]),
    ).toEqual([true, false]);
  });

  it("always runs a manual dispatch", () => {
    const script: string = pipeline.jobs.gate.steps[0].run;
    const out = execFileSync(
      "bash",
      [
        "-c",
        `( ${script}
 ) | grep '^run='`,
      ],
      {
        encoding: "utf8",
        env: { ...process.env, EVENT: "workflow_dispatch", SCHEDULE: "", GITHUB_OUTPUT: "/dev/stdout" },
      },
    );
    expect(out.trim()).toBe("run=true");
  });
});
