import { changelog, daysAgo, insert, leads, MIDSIZE, pull, type Scenario, SMB } from "./harness.ts";

/**
 * One lead per lead_status state (queued, invalid, suppressed, in sequence, draining, completed, replied,
 * role account, domain limit, over capacity), shared by test/sql/lead-status.test.ts and
 * test/cli/explain.test.ts. Run with max_adds_per_run 2 and overfetch_multiplier 1.
 */
export async function buildLeadScenarios(sc: Scenario): Promise<void> {
  await leads(sc, [
    { email: "best@q1.com", estimated_sales_yearly: 900_000, klaviyo_installed_at: daysAgo(10) },
    { email: "second@q2.com", estimated_sales_yearly: 800_000, klaviyo_installed_at: daysAgo(10) },
    { email: "third@q3.com", estimated_sales_yearly: 100_000 },
    { email: "colleague@q1.com", estimated_sales_yearly: 10_000 },
    { email: "not-an-email" },
    { email: "Blocked@DNC.com" },
    { email: "active@seq.com" },
    { email: "done@seq2.com" },
    { email: "finished@old.com" },
    { email: "answered@old2.com" },
    { email: "info@role.com" },
  ]);
  await insert(sc, "cold_email_raw", "dnc_list", [
    { value: "blocked@dnc.com", kind: "email", reason: "asked", added_at: daysAgo(5) },
  ]);
  await pull(sc, "pull-1", [
    { lead_id: "L1", email: "active@seq.com", campaign_id: SMB, status: 1 },
    { lead_id: "L2", email: "done@seq2.com", campaign_id: MIDSIZE, status: 3 },
  ]);
  await changelog(sc, [
    { action_id: "a1", op: "add", email: "finished@old.com", state: "intent", recorded_at: daysAgo(60) },
    { action_id: "a1", op: "add", email: "finished@old.com", state: "succeeded", recorded_at: daysAgo(60) },
    {
      action_id: "d1",
      op: "drain",
      email: "finished@old.com",
      state: "succeeded",
      reason: "completed",
      recorded_at: daysAgo(10),
    },
    {
      action_id: "d2",
      op: "drain",
      email: "answered@old2.com",
      state: "succeeded",
      reason: "replied",
      recorded_at: daysAgo(20),
    },
  ]);
}
