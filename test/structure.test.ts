import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import madge from "madge";
import { describe, expect, it } from "vitest";
import { drainReasonLabels } from "../engine/src/config/includes.ts";
import { repoRoot } from "../engine/src/config/paths.ts";
import { loadSettings } from "../engine/src/config/settings.ts";
import { normaliseEmail, WHITESPACE_CODE_POINTS } from "../engine/src/core/email.ts";
import type { CompiledGraph } from "../engine/src/dataform/graph.ts";
import { compiledGraph } from "./setup/compiled-graph.ts";
import { loadIncludes } from "./sql/includes.ts";
import { configKeys } from "./sql/parity-lint.ts";

/**
 * The structure rules of engine/src that a reader relies on (`npm run check:structure` runs this file):
 * no import cycle, so every module can be read after the ones it imports; no file over 400 lines, so
 * each stays small enough to own one thing.
 */
const SRC = path.join(repoRoot(), "engine", "src");
const TSCONFIG = path.join(repoRoot(), "tsconfig.json");
const MAX_LINES = 400;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

const graphOf = (dir: string) => madge(dir, { fileExtensions: ["ts"], tsConfig: TSCONFIG });

describe("engine/src structure", () => {
  it("has no import cycle (madge, every import resolved)", async () => {
    const graph = await graphOf(SRC);
    // An import madge cannot resolve would hide a cycle through it: every .ts file must be a node.
    expect(graph.warnings().skipped).toEqual([]);
    const tsFiles = filesUnder(SRC).filter((f) => f.endsWith(".ts"));
    expect(Object.keys(graph.obj()).length).toBe(tsFiles.length);
    expect(graph.circular()).toEqual([]);
  }, 120_000);

  it("the cycle check finds a cycle when there is one", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "structure-"));
    writeFileSync(path.join(dir, "a.ts"), 'import { b } from "./b.ts";\nexport const a = () => b;\n');
    writeFileSync(path.join(dir, "b.ts"), 'import { a } from "./a.ts";\nexport const b = () => a;\n');
    writeFileSync(path.join(dir, "c.ts"), 'import { a } from "./a.ts";\nexport const c = a;\n');
    const graph = await graphOf(dir);
    expect(graph.circular()).toEqual([["a.ts", "b.ts"]]);
  }, 60_000);

  it(`has no file over ${MAX_LINES} lines`, () => {
    const files = filesUnder(SRC);
    expect(files.length).toBeGreaterThan(100);
    const over = files
      .map((f) => ({ file: path.relative(SRC, f), lines: readFileSync(f, "utf8").split("\n").length - 1 }))
      .filter((f) => f.lines > MAX_LINES);
    expect(over).toEqual([]);
  });
});

/**
 * Models below the outputs that cannot assert a key, each with why. A built-in uniqueKey assertion
 * reads the whole relation without a filter, which BigQuery refuses on a table that requires a
 * partition filter.
 */
const KEYLESS: Record<string, string> = {
  stg_instantly_lead_snapshots:
    "every pulled lead row over instantly_leads (requirePartitionFilter: engine/src/warehouse/bigquery-schema.ts); its readers key it: stg_instantly_lead_state (uniqueKey lead_id), stg_instantly_pull_campaigns (uniqueKey run_id, campaign_id)",
};

/** Staging and intermediate models (by file) that declare no key in their config: no uniqueKey, no uniqueKey assertion. */
function modelsWithoutKey(graph: CompiledGraph): string[] {
  const keys = configKeys(graph);
  return graph.tables
    .filter((t) => /^definitions\/(staging|intermediate)\//.test(t.fileName ?? ""))
    .filter((t) => !keys.has(`${t.target.schema}.${t.target.name}`) && KEYLESS[t.target.name] === undefined)
    .map((t) => t.target.name)
    .sort();
}

describe("definitions/ grain", () => {
  let graph: CompiledGraph;
  it("every staging and intermediate model declares its key (uniqueKey or a uniqueKey assertion)", async () => {
    graph = await compiledGraph({ dialect: "duckdb" });
    const models = graph.tables.filter((t) =>
      /^definitions\/(staging|intermediate)\//.test(t.fileName ?? ""),
    );
    expect(models.length).toBeGreaterThan(30);
    expect(modelsWithoutKey(graph)).toEqual([]);
    // No stale exemption: each names a model that still exists and still has no key.
    const keys = configKeys(graph);
    for (const name of Object.keys(KEYLESS)) {
      const model = models.find((t) => t.target.name === name);
      expect(model, name).toBeDefined();
      expect(keys.has(`${model?.target.schema}.${name}`), name).toBe(false);
    }
  }, 120_000);

  it("a model whose key assertion is dropped is reported", () => {
    const dropped: CompiledGraph = {
      ...graph,
      assertions: graph.assertions.filter((a) => a.parentAction?.name !== "int_lead_scores"),
    };
    expect(modelsWithoutKey(dropped)).toEqual(["int_lead_scores"]);
  });
});

/** Files of includes/ and definitions/ that read `dataform.projectConfig.vars` (the project's vars). */
function varReaders(): string[] {
  const root = repoRoot();
  return ["includes", "definitions"]
    .flatMap((dir) => filesUnder(path.join(root, dir)))
    .filter((f) => /\.(js|sqlx)$/.test(f))
    .filter((f) => /projectConfig\s*\.\s*vars|projectConfig\s*\[/.test(readFileSync(f, "utf8")))
    .map((f) => path.relative(root, f))
    .sort();
}

describe("vars for the SQL", () => {
  it("are read from dataform.projectConfig.vars only by includes/config.js, which parses and defaults them", () => {
    expect(varReaders()).toEqual(["includes/config.js"]);
  });
});

/**
 * Lines of the definitions/tests/*.sqlx row queries (inputs and expected rows) that do not name their
 * column: every `select` stands on its own line and every value after it ends in `as <column>`.
 */
function unnamedTestValues(): string[] {
  const dir = path.join(repoRoot(), "definitions", "tests");
  const out: string[] = [];
  for (const file of filesUnder(dir).filter((f) => f.endsWith(".sqlx"))) {
    let inRow = false;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const text = line.trim();
        if (/^select\b/i.test(text) && text !== "select") out.push(`${path.basename(file)}:${i + 1}`);
        if (/^select\b/i.test(text)) inRow = true;
        else if (text === "" || text === "}" || /^(union all|limit|from)\b/i.test(text)) inRow = false;
        else if (inRow && !/\bas [a-z_][a-z0-9_]*,?$/i.test(text))
          out.push(`${path.basename(file)}:${i + 1}`);
      });
  }
  return out;
}

describe("Dataform unit tests", () => {
  it("name the column of every value they list (no positional rows)", () => {
    expect(filesUnder(path.join(repoRoot(), "definitions", "tests")).length).toBeGreaterThan(10);
    expect(unnamedTestValues()).toEqual([]);
  });
});

describe("states", () => {
  // A lead's address `state` (the US state column) is a nullable text column, not a run or action state.
  const UNTYPED_STATE = /\bstate\??: string(?!\s*\|)/;

  it("every action, run and alert state in engine/src is a typed union (core/states.ts and kin), never any string", () => {
    const found = filesUnder(SRC)
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .flatMap((line, i) => (UNTYPED_STATE.test(line) ? [`${path.relative(SRC, f)}:${i + 1}`] : [])),
      );
    expect(found).toEqual([]);
  });

  it("the check finds an untyped state", () => {
    expect(UNTYPED_STATE.test("  state: string;")).toBe(true);
    expect(UNTYPED_STATE.test("function f(op: string, state: string) {")).toBe(true);
    expect(UNTYPED_STATE.test("  state: string | null; // the lead's address")).toBe(false);
    expect(UNTYPED_STATE.test("  state: ActionStateName;")).toBe(false);
  });
});

describe("figures, drain-reason labels and emails have one home", () => {
  const sources = () =>
    filesUnder(SRC)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => ({ file: path.relative(SRC, f), text: readFileSync(f, "utf8") }));
  /** Code lines only: a comment may name a figure's formula. */
  const codeLines = (text: string) =>
    text.split("\n").flatMap((line, i) => (/^\s*(\*|\/\/|\/\*)/.test(line) ? [] : [{ line, n: i + 1 }]));

  // Each headline figure is defined once in SQL (definitions/reporting/rpt_figures.sqlx and the views it
  // reads); engine/src only reads it. A division by the cap, a verified share or a Set of suppressed
  // values in TypeScript is a second definition.
  const FIGURE_FORMULAS: Array<[string, RegExp]> = [
    ["division by the cap", /\/\s*\(?\s*(\w+\.)?(cap|inventory_cap|inventoryCap)\b/],
    ["verified share", /\bverified\s*\)?\s*\/|percentOf\(\s*(\w+\.)?verified\b/],
    ["inventory share", /\binventory\w*\s*\)?\s*\/\s*\(?\s*\w/i],
  ];
  const figureFindings = (files: Array<{ file: string; text: string }>) =>
    files.flatMap(({ file, text }) => [
      ...codeLines(text).flatMap(({ line, n }) =>
        FIGURE_FORMULAS.filter(([, re]) => re.test(line)).map(([what]) => `${file}:${n} ${what}`),
      ),
      // Counting suppressed values in memory (rpt_figures.suppression_size is the count).
      ...(/new Set\b[^;]*;[\s\S]{0,300}?suppressed_value/.test(text)
        ? [`${file} a Set of suppressed values`]
        : []),
    ]);

  it("no headline figure is computed in engine/src outside its SQL definition", () => {
    expect(figureFindings(sources().filter((s) => !s.file.startsWith("sandbox/")))).toEqual([]);
  });

  it("the figure check finds the formulas it forbids", () => {
    const found = figureFindings([
      { file: "a.ts", text: "const u = cap > 0 ? (inventoryAfter / cap) * 100 : 0;" },
      { file: "b.ts", text: "const pct = Math.round((100 * held) / cap);" },
      { file: "c.ts", text: "const r = (100 * verified) / checks;" },
      { file: "d.ts", text: "return percentOf(v.verified, v.verified + v.invalid);" },
      { file: "e.ts", text: "const values = new Set<string>();\nread(['suppressed_value']);" },
      { file: "f.ts", text: "// inventory / cap, in a comment\nconst x = a / b;" },
    ]);
    expect(found.map((f) => f.split(/[: ]/)[0])).toEqual(["a.ts", "a.ts", "b.ts", "c.ts", "d.ts", "e.ts"]);
  });

  it("no drain-reason label is written in engine/src: they come from includes/rules.js", () => {
    const settings = loadSettings({ projectDir: repoRoot() });
    const labels = drainReasonLabels(settings.projectDir, settings.rawVars);
    const codes = (loadIncludes()("rules").DRAIN_REASON_CODES as string[]).slice().sort();
    // Every drain reason has its label, so no reason falls back to a label written elsewhere.
    expect(labels.map((l) => l.code).sort()).toEqual(codes);
    // The label up to a var's value ("🕐 Stale (" of "🕐 Stale (90+ days)").
    const stems = labels.map((l) => l.label.replace(/\(?\d.*$/, "").trim());
    const found = sources().flatMap(({ file, text }) =>
      stems.filter((stem) => text.includes(stem)).map((stem) => `${file}: ${stem}`),
    );
    expect(found).toEqual([]);
  });

  // `x.trim().toLowerCase()`, or an email-named value lower-cased (`lead.email.toLowerCase()`, `(a ?? email ?? "").toLowerCase()`).
  const EMAIL_LOWERCASE = [
    /\??\.trim\(\)\??\.toLowerCase\(\)/,
    /(email|bl_value)\w*["\s?)]*\.toLowerCase\(\)/i,
  ];

  // Engine files that still normalise an email on their own, owned by other work: the list may only shrink.
  const EMAIL_NORMALISERS_ELSEWHERE = [
    "instantly/capacity-calls.ts",
    "local/generate.ts",
    "sync/apply/block.ts",
    "sync/pull-capacity.ts",
  ];

  const emailNormalisers = (files: Array<{ file: string; text: string }>) =>
    files.flatMap(({ file, text }) => {
      const lines = text.split("\n");
      return codeLines(text)
        .filter(({ line, n }) => {
          // The line and the one above it (a function's name or its comment says it is an email).
          const about = /email|bl_value/i.test(`${lines[n - 2] ?? ""}\n${line}`);
          return (about && EMAIL_LOWERCASE[0]?.test(line)) || EMAIL_LOWERCASE[1]?.test(line);
        })
        .map(() => file);
    });

  it("emails are normalised by core/email.ts alone (lower-ASCII, as the rules do), never with toLowerCase", () => {
    const found = emailNormalisers(
      sources().filter((s) => !s.file.startsWith("sandbox/") && s.file !== "core/email.ts"),
    );
    expect([...new Set(found)].sort()).toEqual(EMAIL_NORMALISERS_ELSEWHERE);
  });

  it("the email check finds the normalisers it forbids, and not other lower-casing", () => {
    const found = emailNormalisers([
      {
        file: "a.ts",
        text: '/** Emails compare like the rules. */\nconst norm = (e) => (e ?? "").trim().toLowerCase();',
      },
      { file: "b.ts", text: "const e = email?.trim().toLowerCase();" },
      { file: "c.ts", text: 'const x = (d.email_account ?? d.email ?? "").toLowerCase();' },
      { file: "d.ts", text: 'const v = (value ?? "duckdb").trim().toLowerCase();' },
      { file: "e.ts", text: "const id = campaign.id.toLowerCase(); // joined to norm(lead.email) later" },
    ]);
    expect(found).toEqual(["a.ts", "b.ts", "c.ts"]);
  });

  it("core/email.ts strips the whitespace includes/sql.js trims and lower-cases A-Z only", () => {
    const sqlIncludes = loadIncludes({ dialect: "duckdb" })("sql");
    expect([...WHITESPACE_CODE_POINTS]).toEqual(sqlIncludes.WHITESPACE_CODE_POINTS);
    expect(normaliseEmail("\u00a0 Ann.Lee@Example.COM\u3000\t")).toBe("ann.lee@example.com");
    // toLowerCase would fold these; the SQL's lowerAscii leaves them.
    expect(normaliseEmail("ÉLISE@CAFÉ.FR")).toBe("Élise@cafÉ.fr");
    expect(normaliseEmail("K\u212Aelvin@x.io")).toBe("k\u212Aelvin@x.io");
    expect(normaliseEmail("\ufeffa@b.co")).toBe("\ufeffa@b.co");
    expect(normaliseEmail(null)).toBe("");
  });
});
