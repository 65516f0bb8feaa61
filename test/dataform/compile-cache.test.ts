import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { effectiveVars } from "../../engine/src/dataform/compile.ts";
import { compileCached, compileCacheKey, dataformVersions } from "../../engine/src/dataform/compile-cache.ts";
import { copyFixture, type FixtureProject } from "./fixture.ts";

/**
 * The compile cache (engine/src/dataform/compile-cache.ts): the key changes with every input the
 * Dataform compile reads, and compileCached serves a stored graph only for an unchanged key.
 */
let fixture: FixtureProject;
beforeAll(() => {
  fixture = copyFixture();
});
afterAll(() => fixture.remove());

const duck = { dialect: "duckdb" };
const key = (dir: string, vars: Record<string, string> = duck, versions?: { core: string; cli: string }) =>
  compileCacheKey({ projectDir: dir, vars: effectiveVars(dir, vars), ...(versions ? { versions } : {}) });

describe("compileCacheKey", () => {
  it("is stable for unchanged inputs and changes with each input the compile reads", () => {
    const p = copyFixture();
    try {
      const base = key(p.dir);
      expect(key(p.dir)).toBe(base);
      const seen = new Set([base]);
      const changed = (what: string, next: string) => {
        expect(seen.has(next), what).toBe(false);
        seen.add(next);
      };

      const stg = path.join(p.dir, "definitions", "staging", "stg_people.sqlx");
      p.write("definitions/staging/stg_people.sqlx", `${readFileSync(stg, "utf8")}\n-- an edit\n`);
      changed("a definitions/ file edited", key(p.dir));
      p.write("definitions/marts/new_mart.sqlx", 'config { type: "view" }\nselect 1 as x\n');
      changed("a definitions/ file added", key(p.dir));
      p.write("includes/fx.js", `${readFileSync(path.join(p.dir, "includes", "fx.js"), "utf8")}// edit\n`);
      changed("an includes/ file edited", key(p.dir));
      const settings = path.join(p.dir, "workflow_settings.yaml");
      writeFileSync(
        settings,
        readFileSync(settings, "utf8").replace('inventory_cap: "100"', 'inventory_cap: "101"'),
      );
      changed("workflow_settings.yaml edited", key(p.dir));
      changed("a var override", key(p.dir, { ...duck, cooldown_days: "30" }));
      changed("the dialect", key(p.dir, { dialect: "bigquery" }));
      const versions = dataformVersions(p.dir);
      changed("the Dataform core version", key(p.dir, duck, { ...versions, core: `${versions.core}-next` }));
      changed("the Dataform CLI version", key(p.dir, duck, { ...versions, cli: `${versions.cli}-next` }));
      // An override equal to the file's value is no change at all: the compile sees the same vars.
      expect(key(p.dir, { ...duck, cooldown_days: "90" })).toBe(key(p.dir));
    } finally {
      p.remove();
    }
  });

  it("tells moved content apart from the same bytes under another name", () => {
    const p = copyFixture();
    try {
      p.write("definitions/marts/a.sqlx", 'config { type: "view" }\nselect 1 as x\n');
      const before = key(p.dir);
      p.write("definitions/marts/a.sqlx", "");
      p.write("definitions/marts/b.sqlx", 'config { type: "view" }\nselect 1 as x\n');
      expect(key(p.dir)).not.toBe(before);
    } finally {
      p.remove();
    }
  });
});

describe.concurrent("compileCached", () => {
  it("compiles on a miss, serves the same graph on a hit, compiles anew after a change", async () => {
    const cacheDir = path.join(fixture.dir, ".engine", "compile-cache");
    const first = await compileCached({ projectDir: fixture.dir, vars: duck });
    expect(first.cache).toBe("miss");
    expect(readdirSync(cacheDir)).toEqual([`${first.key}.json`]);

    const second = await compileCached({ projectDir: fixture.dir, vars: duck });
    expect(second.cache).toBe("hit");
    expect(second.key).toBe(first.key);
    expect(second.graph).toEqual(first.graph);

    fixture.write("definitions/marts/cache_probe.sqlx", 'config { type: "view" }\nselect 42 as answer\n');
    const third = await compileCached({ projectDir: fixture.dir, vars: duck });
    expect(third.cache).toBe("miss");
    expect(third.key).not.toBe(first.key);
    expect(third.graph.tables.map((t) => t.target.name)).toContain("cache_probe");
    expect(first.graph.tables.map((t) => t.target.name)).not.toContain("cache_probe");
  });

  it("with cache: false compiles and leaves the cache alone; a damaged entry is a miss, not an error", async () => {
    const p = copyFixture();
    try {
      const cacheDir = path.join(p.dir, ".engine", "compile-cache");
      const off = await compileCached({ projectDir: p.dir, vars: duck, cache: false });
      expect(off.cache).toBe("off");
      expect(existsSync(cacheDir)).toBe(false);

      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(path.join(cacheDir, `${off.key}.json`), '{"tables": "not a graph"');
      const repaired = await compileCached({ projectDir: p.dir, vars: duck });
      expect(repaired.cache).toBe("miss");
      expect(repaired.graph).toEqual(off.graph);
      expect((await compileCached({ projectDir: p.dir, vars: duck })).cache).toBe("hit");
    } finally {
      p.remove();
    }
  });
});
