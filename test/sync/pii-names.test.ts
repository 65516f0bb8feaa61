import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeAction } from "../../engine/src/core/plan.ts";
import { runApply } from "../../engine/src/sync/apply/run.ts";
import { changelogRow, type FinalEntry, storedMessages } from "../../engine/src/sync/journal.ts";
import { runPull } from "../../engine/src/sync/pull.ts";
import { makeWorld, query, type World } from "./harness.ts";

/**
 * An upstream that echoes the lead in its error (the sandbox's `echoLeadInAddErrorRate` fault: a 400
 * quoting the first lead's name, company and email, plain and URL-encoded) must leave none of them in
 * sync_changelog.message: the client scrubs the batch's own names and companies, and the email
 * redactor removes the addresses.
 */
describe("names and companies echoed by an upstream error", () => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld({ leads: 1500, vars: { inventory_cap: "40", max_adds_per_run: "10" } });
  });
  afterAll(async () => world?.close());

  test("never reach sync_changelog.message", async () => {
    await runPull({
      settings: world.settings,
      warehouse: world.warehouse,
      client: world.client(),
      notifier: false,
    });
    await world.transform();
    world.sandbox.setFaults({ echoLeadInAddErrorRate: 1 });
    const result = await runApply({
      settings: world.settings,
      warehouse: world.warehouse,
      client: world.client(),
    });
    // A 400 answering the whole batch is no verdict on its leads: failed and retryable (batch_refused).
    expect(result.report.adds.failed).toBeGreaterThan(0);

    const rows = await query(
      world,
      "select message from cold_email_ops.sync_changelog where op = 'add' and state = 'failed' and error_code = 'batch_refused'",
    );
    expect(rows.length).toBeGreaterThan(0);
    const messages = rows.map((r) => String(r.message));
    expect(messages.some((m) => m.includes("[name]"))).toBe(true);
    expect(messages.some((m) => m.includes("[email]"))).toBe(true);

    const queued = await query(
      world,
      "select email, first_name, last_name, company_name from cold_email.push_queue",
    );
    const pii = new Set<string>();
    for (const q of queued) {
      for (const v of [q.email, q.first_name, q.last_name, q.company_name]) {
        if (typeof v === "string" && v.trim().length >= 2) pii.add(v.trim().toLowerCase());
      }
    }
    expect(pii.size).toBeGreaterThan(0);
    for (const message of messages) {
      const lower = message.toLowerCase();
      const decoded = decodeURIComponent(lower.replace(/\+/g, " "));
      for (const value of pii) {
        expect(lower).not.toContain(value);
        expect(decoded).not.toContain(value);
      }
    }
  });
});

describe("the journal's last scrub before a message is stored", () => {
  const add = (n: number, names: Partial<Record<"first_name" | "last_name" | "company_name", string>>) =>
    makeAction({
      action_id: String(n).padStart(32, "0"),
      op: "add",
      email: `lead${n}@example.com`,
      campaign_id: "c1",
      ...names,
    });
  const entries: FinalEntry[] = [
    {
      action: add(1, { first_name: "José", last_name: "Álvarez", company_name: "Bücher GmbH" }),
      state: "rejected",
      // A message from anywhere: it quotes this row, ANOTHER row of the batch and an encoded email.
      message: "lead José Álvarez (BÜCHER GMBH) rejected like Ana%20Lima, see ana.lima%40lima.com.br",
    },
    { action: add(2, { first_name: "Ana", last_name: "Lima" }), state: "failed", message: null },
    { action: add(3, {}), state: "succeeded", message: "created" },
  ];

  test("removes the batch's names, companies and email addresses, keeps the rest", () => {
    const [first, second, third] = storedMessages(entries);
    expect(first).toBe("lead [name] [name] ([name]) rejected like [name]%20[name], see [email]");
    expect(second).toBeNull();
    expect(third).toBe("created");
  });

  test("a single row written on its own (a reconcile note) is scrubbed too, and cut to 300", () => {
    const row = changelogRow("run-1", new Date(0), {
      ...(entries[0] as FinalEntry),
      message: `José ${"x".repeat(400)}`,
    });
    expect(String(row.message)).toMatch(/^\[name\] x+…$/);
    expect(String(row.message)).toHaveLength(300);
    expect(changelogRow("run-1", new Date(0), { action: add(4, {}) }).message).toBeNull();
  });
});
