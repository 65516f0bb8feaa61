import { closeSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { mountTmpfs } from "../setup/tmpfs.ts";
import { type Base, openTrial, prepareBase, removeBase } from "./in-process.ts";

/**
 * The disk fills up in the middle of an apply (right when the first add batch goes out, after its
 * intents were written): the run must fail saying "No space left on device", never DuckDB's "cannot
 * rollback - no transaction is active"; once space is back, the next pull settles the batch against
 * what Instantly holds, so nothing is lost. The warehouse sits on a small tmpfs; where the test cannot
 * mount one (not Linux, not root, mount refused) it is skipped and says why.
 */
const disk = mountTmpfs("full-disk-apply-", "64m");
const mountPoint = disk.dir;
const skipReason = disk.skipReason;
if (skipReason) console.warn(`skipping the disk-full apply test: ${skipReason}`);

/** Write a filler file until the device is full. */
function fillDisk(file: string): void {
  const fd = openSync(file, "w");
  try {
    for (const size of [1 << 20, 1 << 14, 1 << 10, 64, 1]) {
      const chunk = Buffer.alloc(size, 7);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(skipReason !== undefined)("apply on a disk that fills up", () => {
  let base: Base;
  beforeAll(async () => {
    base = await prepareBase({ inventory_cap: "16", max_adds_per_run: "100" }, 400);
  }, 120_000);
  afterAll(() => {
    removeBase(base);
    // Lazy: DuckDB may release its file handles a moment after close.
    disk.remove();
  });

  test("fails with the real cause, and the next pull settles the batch", async () => {
    const trial = await openTrial(base, "full", { verification: { invalidRate: 0 } }, mountPoint);
    const filler = path.join(mountPoint, "filler");
    try {
      const client = trial.client();
      const send = client.bulkAddLeads.bind(client);
      let filled = false;
      client.bulkAddLeads = (...args) => {
        if (!filled) {
          fillDisk(filler);
          filled = true;
        }
        return send(...args);
      };
      const result = await runApply({
        settings: trial.settings,
        warehouse: trial.warehouse,
        client,
        batchSizes: { add: 4 },
      });
      expect(filled).toBe(true);
      expect(statSync(filler).size).toBeGreaterThan(0);
      expect(result.status).toBe("failed");
      expect(result.error).toMatch(/No space left on device/);
      expect(result.error).not.toMatch(/no transaction is active/);
      const landed = trial.managedLeads().length;
      expect(landed).toBeGreaterThan(0);

      rmSync(filler);
      const pull = await runPull({
        settings: trial.settings,
        warehouse: trial.warehouse,
        client: trial.client(),
        notifier: false,
      });
      expect(pull.leads).toBe(landed);
      const added = await trial.sql(
        `with latest as (
           select action_id, state, row_number() over (partition by action_id order by recorded_at desc,
             case when state = 'intent' then 1 else 0 end) as n
           from cold_email_ops.sync_changelog where op = 'add')
         select state from latest where n = 1`,
      );
      expect(added.filter((r) => r.state === "intent")).toEqual([]);
      expect(added.filter((r) => r.state === "succeeded")).toHaveLength(landed);
    } finally {
      rmSync(filler, { force: true });
      await trial.close();
    }
  }, 300_000);
});

if (skipReason) disk.remove();
