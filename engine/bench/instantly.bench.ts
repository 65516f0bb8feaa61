/**
 * Instantly client benchmark against the local sandbox (engine/src/sandbox) enforcing the real rate
 * limits (100 req/s AND 6,000 req/min) with 50 ms latency per response:
 *
 * - pull: every lead of a 24,000-lead campaign (requests per lead; goal ≤ 1 per 100);
 * - add: 24,000 new leads in bulk calls of 1,000 (goal ≤ 1 request per 1,000 leads);
 * - drain: delete those 24,000 by id (bulk, per campaign);
 * - naive: what the seed scripts did (one `POST /leads` per lead, 0.5 s pause) on a sample
 *   (INSTANTLY_BENCH_NAIVE_SAMPLE, default 100 leads), extrapolated to 24,000 and stated as such;
 * - burst: INSTANTLY_BENCH_BURST (default 20,000) mixed calls at once, with injected 429 bursts:
 *   wall time, 429s caused by our budget (the limiter's), injected 429s recovered, lost calls.
 *
 *   npm run bench -- instantly
 *   INSTANTLY_BENCH_BURST=3000 INSTANTLY_BENCH_NAIVE_SAMPLE=20 npm run bench -- instantly   (quicker)
 */
import { InstantlyClient, type LeadInput, RateBudget, settle } from "../src/instantly/index.ts";
import { startSandbox } from "../src/sandbox/server.ts";
import { measure, report } from "./measure.ts";

const LEADS = Number(process.env.INSTANTLY_BENCH_LEADS ?? 24_000);
const NAIVE_SAMPLE = Number(process.env.INSTANTLY_BENCH_NAIVE_SAMPLE ?? 100);
const BURST = Number(process.env.INSTANTLY_BENCH_BURST ?? 20_000);
const LATENCY_MS = 50;
const PULL_CAMPAIGN = "0b0b0b0b-0000-4000-8000-000000000001";
const ADD_CAMPAIGN = "0b0b0b0b-0000-4000-8000-000000000002";

const log = (s: string) => process.stderr.write(`  ${s}\n`);

function syntheticLeads(n: number, prefix: string): LeadInput[] {
  return Array.from({ length: n }, (_, i) => ({
    email: `${prefix}${i}@bench${i % 997}.example.com`,
    first_name: `F${i}`,
    company_name: `Company ${i % 5000}`,
    custom_variables: { segment: i % 2 ? "smb" : "midsize", score: i % 100 },
  }));
}

// ---------------------------------------------------------------- pull
{
  const sandbox = await startSandbox({
    seed: "bench-pull",
    campaignsFromSettings: false,
    campaigns: [{ id: PULL_CAMPAIGN, name: "Bench pull" }],
    syntheticLeadsPerCampaign: LEADS,
    faults: { latencyMs: LATENCY_MS },
  });
  const client = new InstantlyClient({
    apiKey: sandbox.apiKey,
    baseUrl: sandbox.url,
    budget: new RateBudget(),
  });
  log(`pull: ${LEADS} leads, ${LATENCY_MS} ms latency`);
  const m = await measure(async () => {
    let n = 0;
    for await (const page of client.listLeads(PULL_CAMPAIGN)) n += page.length;
    return n;
  });
  const requests = client.stats().totals.requests;
  report("instantly", `pull ${LEADS} leads`, {
    wall_ms: m.wallMs,
    leads: m.value,
    requests,
    requests_per_100_leads: round((requests / m.value) * 100, 3),
    peak_rss_mb: m.peakRssMb,
  });
  await sandbox.close();
}

// ---------------------------------------------------------------- add, drain, naive
{
  const sandbox = await startSandbox({
    seed: "bench-add",
    campaignsFromSettings: false,
    campaigns: [{ id: ADD_CAMPAIGN, name: "Bench add" }],
    planLeadLimit: null,
    faults: { latencyMs: LATENCY_MS },
  });
  const client = new InstantlyClient({
    apiKey: sandbox.apiKey,
    baseUrl: sandbox.url,
    budget: new RateBudget(),
  });
  const leads = syntheticLeads(LEADS, "add");
  log(`add: ${LEADS} leads in batches of 1,000`);
  const added = await measure(async () => {
    const ids: string[] = [];
    for (let i = 0; i < leads.length; i += 1000) {
      const res = await client.bulkAddLeads(ADD_CAMPAIGN, leads.slice(i, i + 1000));
      for (const row of res.rows) if (row.leadId) ids.push(row.leadId);
    }
    return ids;
  });
  const addRequests = client.stats().totals.requests;
  report("instantly", `add ${LEADS} leads (bulk 1,000)`, {
    wall_ms: added.wallMs,
    created: added.value.length,
    requests: addRequests,
    requests_per_1000_leads: round((addRequests / LEADS) * 1000, 3),
    peak_rss_mb: added.peakRssMb,
  });

  client.resetStats();
  log(`drain: delete ${added.value.length} leads by id`);
  const drained = await measure(() => client.deleteLeads(ADD_CAMPAIGN, added.value));
  const drainRequests = client.stats().totals.requests;
  report("instantly", `drain ${added.value.length} leads (bulk delete by ids)`, {
    wall_ms: drained.wallMs,
    deleted: drained.value.rows.filter((r) => r.status === "deleted").length,
    requests: drainRequests,
    requests_per_1000_leads: round((drainRequests / added.value.length) * 1000, 3),
  });

  // The seed scripts: one POST /leads per lead and a fixed 0.5 s pause (a fixed "0.5s delay between calls").
  log(`naive: ${NAIVE_SAMPLE} single creates with a 0.5 s pause (extrapolated to ${LEADS})`);
  const sample = syntheticLeads(NAIVE_SAMPLE, "naive");
  const naive = await measure(async () => {
    let ok = 0;
    for (const lead of sample) {
      const res = await fetch(`${sandbox.url}/leads`, {
        method: "POST",
        headers: { authorization: `Bearer ${sandbox.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ campaign: ADD_CAMPAIGN, ...lead }),
      });
      await res.arrayBuffer();
      if (res.ok) ok++;
      await new Promise((r) => setTimeout(r, 500));
    }
    return ok;
  });
  const naiveFullMs = Math.round((naive.wallMs / NAIVE_SAMPLE) * LEADS);
  report("instantly", `naive add, ${NAIVE_SAMPLE}-lead sample extrapolated to ${LEADS}`, {
    wall_ms: naiveFullMs,
    sample_wall_ms: naive.wallMs,
    sample_created: naive.value,
    requests_per_1000_leads: 1000,
    naive_to_bulk_time_ratio: round(naiveFullMs / Math.max(1, added.wallMs), 1),
    naive_to_bulk_request_ratio: round(LEADS / Math.max(1, addRequests), 1),
  });
  await sandbox.close();
}

// ---------------------------------------------------------------- burst
{
  const sandbox = await startSandbox({
    seed: "bench-burst",
    campaignsFromSettings: false,
    campaigns: [{ id: PULL_CAMPAIGN, name: "Bench burst" }],
    syntheticLeadsPerCampaign: 50,
    faults: { latencyMs: LATENCY_MS, rate429Burst: 0.002, burst429Length: 3 },
  });
  const client = new InstantlyClient({
    apiKey: sandbox.apiKey,
    baseUrl: sandbox.url,
    budget: new RateBudget(),
  });
  log(`burst: ${BURST} mixed calls at once (≥ ${Math.ceil(BURST / 100)} s at 100 req/s)`);
  const calls: (() => Promise<unknown>)[] = [
    () => client.getCampaign(PULL_CAMPAIGN),
    () => client.checkKey(),
    async () => (await client.listLeads(PULL_CAMPAIGN, { limit: 10 }).next()).value,
    async () => (await client.listCampaigns().next()).value,
    async () => (await client.listBlocklistEntries().next()).value,
  ];
  let done = 0;
  const progress = setInterval(() => log(`burst: ${done}/${BURST}`), 15_000);
  const burst = await measure(() =>
    Promise.all(
      Array.from({ length: BURST }, (_, i) =>
        settle((calls[i % calls.length] as () => Promise<unknown>)()).finally(() => done++),
      ),
    ),
  );
  clearInterval(progress);
  const lost = burst.value.filter((o) => o.status !== "succeeded").length;
  const s = sandbox.stats();
  report("instantly", `burst ${BURST} mixed calls`, {
    wall_ms: burst.wallMs,
    calls_per_s: round(BURST / (burst.wallMs / 1000), 1),
    lost_calls: lost,
    budget_429s: s.rateLimited,
    injected_429s_recovered: s.injected429,
    client_requests: client.stats().totals.requests,
  });
  await sandbox.close();
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
