import { beforeAll, describe, expect, it } from "vitest";
import type { CompiledGraph } from "../../engine/src/dataform/graph.ts";
import { compiledGraph } from "../setup/compiled-graph.ts";
import { AS_OF } from "./harness.ts";
import { CANONICAL_OPERATION, lintGraph, lintSql, lintUdfDependencies } from "./parity-lint.ts";

/**
 * The parity lint covers the canonical form (includes/canonical.js): a plain Unicode normalisation
 * call is reported (rule `unicode`), and so is a model that calls a canonical UDF without depending on
 * the operation that creates it on BigQuery (rule `udf`).
 */

let graph: CompiledGraph;
beforeAll(async () => {
  graph = await compiledGraph({ dialect: "duckdb", as_of: AS_OF });
});

describe("parity lint: canonical form", () => {
  it("reports nfc_normalize, normalize and strip_accents, which mean different things on the two engines", () => {
    for (const call of ["nfc_normalize(email)", "normalize(email, NFKC)", "strip_accents(domain)"]) {
      const findings = lintSql(`select ${call} as x from t`, "fixture");
      expect(
        findings.map((f) => f.rule),
        call,
      ).toEqual(["unicode"]);
      expect(findings[0]?.message).toMatch(/rules\.canonicalEmail/);
    }
  });

  it("every model calling a canonical UDF depends on canonical_functions, and dropping that dependency is reported", () => {
    const callers = graph.tables.filter((t) => /\bcanonical_(dnc|email)\s*\(/.test(t.query));
    expect(callers.map((t) => t.target.name).sort()).toEqual([
      "int_domain_inventory",
      "int_suppression_history",
      "stg_dnc_list",
      "stg_lead_rows",
    ]);
    expect(lintUdfDependencies(graph)).toEqual([]);
    expect(lintGraph(graph).filter((f) => f.rule === "udf" || f.rule === "unicode")).toEqual([]);

    const broken: CompiledGraph = {
      ...graph,
      tables: graph.tables.map((t) =>
        t.target.name === "stg_lead_rows"
          ? { ...t, dependencyTargets: t.dependencyTargets.filter((d) => d.name !== CANONICAL_OPERATION) }
          : t,
      ),
    };
    expect(lintUdfDependencies(broken)).toEqual([
      {
        where: "cold_email_staging.stg_lead_rows",
        rule: "udf",
        message: `calls canonical_email() but does not depend on ${CANONICAL_OPERATION}: add dependencies: ["${CANONICAL_OPERATION}"] to its config`,
      },
    ]);
  });
});
