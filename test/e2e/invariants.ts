import type { World } from "./harness.ts";

/**
 * The pipeline's invariants (README "Guarantees"), checked from the outside: the warehouse the engine wrote
 * (DuckDB), the sandbox's state (what Instantly really holds), the Echo/Slack sink and everything
 * the engine processes printed. Each check returns violations instead of throwing, so a test can
 * report all of them at once after a run.
 *
 * Checked:
 * - suppressed: no email on the DNC list (email or domain) and no email Instantly or the engine had
 *   already suppressed (unsubscribed, bounced, wrong person / not interested, rejected add, invalid
 *   verification) BEFORE the add was attempted is ever added.
 * - cooldown: no email added again while cooling down (the harness keeps every world shorter than
 *   cooldown_days, so ANY re-add of an email whose earlier sequence ended is a violation).
 * - duplicate: one lead per email in the whole Instantly workspace; one succeeded add per email in the
 *   changelog; one lead id per email across every snapshot.
 * - cap: leads in the managed campaigns never exceed inventory_cap.
 * - unmanaged: every lead of the unmanaged campaign is still there.
 * - final-state (after a pull): no action's last changelog row is `intent`, and the changelog agrees
 *   with Instantly: the managed leads in Instantly are exactly the succeeded adds minus the succeeded
 *   drains (nothing lost, nothing unrecorded, counts add up).
 * - run-status: no `succeeded` run has a rejected or failed row.
 * - pii: no API key, webhook secret, seeded email or full name in any output, notification, changelog
 *   message, run error or counts.
 */

export interface Violation {
  invariant:
    | "suppressed"
    | "cooldown"
    | "duplicate"
    | "cap"
    | "unmanaged"
    | "final-state"
    | "consistency"
    | "run-status"
    | "pii";
  detail: string;
}

export interface CheckOptions {
  /** A pull ran after the last apply: every action must have a final state and match Instantly. */
  afterPull: boolean;
}

interface ChangeRow {
  action_id: string;
  op: string;
  email: string | null;
  campaign_id: string | null;
  lead_id: string | null;
  state: string;
  run_id: string;
  recorded_at: Date;
  message: string | null;
}

interface ActionSummary {
  actionId: string;
  op: string;
  email: string;
  campaignId: string;
  firstAt: number;
  finalState: string;
  finalAt: number;
}

const norm = (email: string | null | undefined) => (email ?? "").trim().toLowerCase();
const EMAIL_RE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Every action's first and final changelog rows (final = latest recorded_at; non-intent wins ties). */
export function summarise(rows: ChangeRow[]): Map<string, ActionSummary> {
  const out = new Map<string, ActionSummary>();
  for (const r of rows) {
    const at = new Date(r.recorded_at).getTime();
    const cur = out.get(r.action_id);
    if (!cur) {
      out.set(r.action_id, {
        actionId: r.action_id,
        op: r.op,
        email: norm(r.email),
        campaignId: r.campaign_id ?? "",
        firstAt: at,
        finalState: r.state,
        finalAt: at,
      });
      continue;
    }
    cur.firstAt = Math.min(cur.firstAt, at);
    // The engine's rule (stg_sync_actions, engine/src/sync/apply-history.ts): a final row beats an
    // intent whatever the stamps say; between two finals, or two intents, the later stamp wins. A retry
    // of the same pull's tables may write a second intent for an action already settled (a verification
    // done again) and die before its final row; the settled state stands, and the consistency check
    // below still catches a retry that changed Instantly unrecorded.
    const rank = (state: string) => (state === "intent" ? 0 : 1);
    const later =
      rank(r.state) > rank(cur.finalState) || (rank(r.state) === rank(cur.finalState) && at > cur.finalAt);
    if (later) {
      cur.finalState = r.state;
      cur.finalAt = at;
    }
    if (!cur.email && r.email) cur.email = norm(r.email);
    if (!cur.campaignId && r.campaign_id) cur.campaignId = r.campaign_id;
  }
  return out;
}

export async function checkInvariants(world: World, options: CheckOptions): Promise<Violation[]> {
  const v: Violation[] = [];
  const add = (invariant: Violation["invariant"], detail: string) => {
    if (v.filter((x) => x.invariant === invariant).length < 20) v.push({ invariant, detail });
  };
  const settings = world.settings;
  const managed = new Set(settings.managedCampaignIds);
  const cap = settings.vars.inventory_cap;
  const cooldownDays = settings.vars.cooldown_days;
  if (world.day >= cooldownDays) {
    throw new Error(`the world ran ${world.day} simulated days; keep e2e worlds under cooldown_days`);
  }

  // seedWarehouse created the whole contract, so every ops table exists (possibly empty).
  const changelog = await world.query<ChangeRow>(
    `select action_id, op, email, campaign_id, lead_id, state, run_id, recorded_at, message from ${world.ops("sync_changelog")}`,
  );
  const actions = summarise(changelog);
  const snapshots = await world.query<{
    lead_id: string;
    campaign_id: string | null;
    email: string | null;
    status: number | null;
    lt_interest_status: number | null;
    recorded_at: Date;
  }>(
    `select lead_id, campaign_id, email, status, lt_interest_status, recorded_at from ${world.ops("instantly_leads")}`,
  );
  const verifications = await world.query<{ email: string; result: string; verified_at: Date }>(
    `select email, result, verified_at from ${world.ops("email_verifications")}`,
  );
  const dnc = await world.query<{ value: string; kind: string }>(
    `select lower(trim(value)) as value, kind from ${world.raw("dnc_list")}`,
  );
  const dncEmails = new Set(dnc.filter((d) => d.kind === "email").map((d) => d.value));
  const dncDomains = new Set(dnc.filter((d) => d.kind === "domain").map((d) => d.value));

  // When each email first became suppressed, as the engine could know it (warehouse time).
  const suppressedSince = new Map<string, { at: number; why: string }>();
  const mark = (email: string, at: Date | number, why: string) => {
    const t = new Date(at).getTime();
    const cur = suppressedSince.get(email);
    if (!cur || t < cur.at) suppressedSince.set(email, { at: t, why });
  };
  for (const s of snapshots) {
    const e = norm(s.email);
    if (!e || !s.campaign_id || !managed.has(s.campaign_id)) continue;
    if (s.status === -1) mark(e, s.recorded_at, "bounced");
    if (s.status === -2) mark(e, s.recorded_at, "unsubscribed");
    if (s.lt_interest_status === -1 || s.lt_interest_status === -2)
      mark(e, s.recorded_at, `interest ${s.lt_interest_status}`);
  }
  for (const a of actions.values()) {
    if (a.op === "add" && (a.finalState === "rejected" || a.finalState === "invalid"))
      mark(a.email, a.finalAt, `add ${a.finalState}`);
    if (a.op === "verify" && a.finalState === "invalid") mark(a.email, a.finalAt, "verification invalid");
  }
  for (const r of verifications)
    if (r.result === "invalid") mark(norm(r.email), r.verified_at, "verify invalid");

  const succeededAdds = [...actions.values()].filter((a) => a.op === "add" && a.finalState === "succeeded");
  const succeededDrains = [...actions.values()].filter(
    (a) => a.op === "drain" && a.finalState === "succeeded",
  );

  // --- suppressed / cooldown / duplicate (changelog side)
  const addsByEmail = new Map<string, ActionSummary[]>();
  for (const a of succeededAdds) {
    const list = addsByEmail.get(a.email) ?? [];
    list.push(a);
    addsByEmail.set(a.email, list);
    const domain = a.email.slice(a.email.lastIndexOf("@") + 1);
    if (dncEmails.has(a.email) || dncDomains.has(domain))
      add("suppressed", `add ${a.actionId} of a DNC ${dncEmails.has(a.email) ? "email" : "domain"}`);
    const s = suppressedSince.get(a.email);
    if (s && s.at < a.firstAt)
      add("suppressed", `add ${a.actionId} after the email was suppressed (${s.why})`);
  }
  for (const [email, list] of addsByEmail) {
    if (list.length > 1) {
      add("duplicate", `${list.length} succeeded adds for one email (${email})`);
      add("cooldown", `email ${email} added again within cooldown_days (${cooldownDays})`);
    }
  }
  const leadIdsByEmail = new Map<string, Set<string>>();
  for (const s of snapshots) {
    if (!s.campaign_id || !managed.has(s.campaign_id)) continue;
    const e = norm(s.email);
    const ids = leadIdsByEmail.get(e) ?? new Set();
    ids.add(s.lead_id);
    leadIdsByEmail.set(e, ids);
  }
  for (const [email, ids] of leadIdsByEmail) {
    if (ids.size > 1) add("duplicate", `${ids.size} Instantly lead ids over time for one email (${email})`);
  }

  // --- Instantly side: duplicates, DNC, cap, unmanaged
  const state = world.sandbox.state;
  const byEmail = new Map<string, number>();
  let managedCount = 0;
  const managedPairs = new Set<string>();
  for (const lead of state.leads.values()) {
    const e = norm(lead.email);
    byEmail.set(e, (byEmail.get(e) ?? 0) + 1);
    if (lead.campaign && managed.has(lead.campaign)) {
      managedCount++;
      managedPairs.add(`${e}|${lead.campaign}`);
      const domain = e.slice(e.lastIndexOf("@") + 1);
      if (dncEmails.has(e) || dncDomains.has(domain)) add("suppressed", `Instantly holds a DNC lead (${e})`);
    }
  }
  for (const [email, n] of byEmail) if (n > 1) add("duplicate", `${n} leads in the workspace for ${email}`);
  if (managedCount > cap) add("cap", `${managedCount} leads in managed campaigns > inventory_cap ${cap}`);
  for (const id of world.unmanaged.leadIds) {
    const lead = state.leads.get(id);
    if (!lead || lead.campaign !== world.unmanaged.campaignId)
      add("unmanaged", `lead ${id} of the unmanaged campaign is gone or moved`);
  }

  // --- final states and consistency (only meaningful once a pull reconciled the last apply)
  if (options.afterPull) {
    for (const a of actions.values()) {
      if (a.finalState === "intent")
        add("final-state", `action ${a.actionId} (${a.op}) has no final state after the pull`);
    }
    const expected = new Set(succeededAdds.map((a) => `${a.email}|${a.campaignId}`));
    for (const d of succeededDrains) expected.delete(`${d.email}|${d.campaignId}`);
    for (const pair of managedPairs) {
      if (!expected.has(pair))
        add("consistency", `Instantly holds ${pair} but the changelog has no live add`);
    }
    for (const pair of expected) {
      if (!managedPairs.has(pair))
        add("consistency", `changelog says ${pair} was added (not drained) but Instantly lacks it`);
    }
  }

  // --- run status. A pull writes the final rows of EARLIER runs' unresolved intents under its own run
  // id (reconciliation); those rows judge the run that wrote the intent, not the pull.
  const runRows = await world.query<{
    run_id: string;
    status: string;
    mode: string;
    finished_at: Date | null;
  }>(`select run_id, status, mode, finished_at from ${world.ops("sync_runs")}`);
  const finalRun = new Map<string, { status: string; mode: string; at: number }>();
  for (const r of runRows) {
    if (!["succeeded", "partial", "failed", "skipped"].includes(r.status))
      add("run-status", `run ${r.run_id} has status ${r.status}`);
    const at = r.finished_at === null ? -1 : new Date(r.finished_at).getTime();
    const cur = finalRun.get(r.run_id);
    if (!cur || at > cur.at) finalRun.set(r.run_id, { status: r.status, mode: r.mode, at });
  }
  const intentRun = new Map<string, string>();
  for (const r of changelog)
    if (r.state === "intent" && !intentRun.has(r.action_id)) intentRun.set(r.action_id, r.run_id);
  const badRuns = new Set<string>();
  for (const r of changelog) {
    if (r.state !== "rejected" && r.state !== "failed") continue;
    if (finalRun.get(r.run_id)?.mode === "apply") badRuns.add(r.run_id);
    const owner = intentRun.get(r.action_id);
    if (owner) badRuns.add(owner);
  }
  for (const [runId, r] of finalRun) {
    if (r.mode === "apply" && r.status === "succeeded" && badRuns.has(runId))
      add("run-status", `apply run ${runId} is succeeded but has rejected or failed rows`);
  }

  // --- secrets and PII
  v.push(...(await checkNoLeaks(world)));
  return v;
}

/** Secrets and lead PII in anything a person or Slack could see. */
export async function checkNoLeaks(world: World, extraTexts: string[] = []): Promise<Violation[]> {
  const v: Violation[] = [];
  const texts: { where: string; text: string }[] = [];
  for (const o of world.outputs)
    texts.push({ where: `engine ${o.args.join(" ")}`, text: `${o.stdout}\n${o.stderr}` });
  for (const d of world.sink?.received() ?? [])
    texts.push({ where: `sink #${d.seq} ${d.target}`, text: d.rawBody });
  {
    const rows = await world.query<{ t: string | null }>(
      `select message as t from ${world.ops("sync_changelog")} where message is not null
       union all select error from ${world.ops("sync_runs")} where error is not null
       union all select counts::varchar from ${world.ops("sync_runs")} where counts is not null
       union all select message from ${world.ops("alert_events")} where message is not null`,
    );
    for (const r of rows) if (r.t) texts.push({ where: "warehouse messages", text: r.t });
  }
  for (const t of extraTexts) texts.push({ where: "extra", text: t });

  const pool = await world.query<{ email: string; first_name: string | null; last_name: string | null }>(
    `select lower(trim(email)) as email, first_name, last_name from ${world.raw("leads")}`,
  );
  const emails = new Set(pool.map((p) => p.email));
  for (const lead of world.sandbox.state.leads.values()) if (lead.email) emails.add(norm(lead.email));
  const names = new Set(
    pool
      .filter((p) => p.first_name && p.last_name)
      .map((p) => `${p.first_name} ${p.last_name}`.toLowerCase()),
  );
  const secrets = world.secrets();
  for (const { where, text } of texts) {
    for (const s of secrets)
      if (text.includes(s)) v.push({ invariant: "pii", detail: `a secret appears in ${where}` });
    for (const m of text.match(EMAIL_RE) ?? []) {
      if (emails.has(m.toLowerCase()))
        v.push({ invariant: "pii", detail: `a lead email appears in ${where}` });
    }
    const words = text.toLowerCase().split(/[^\p{L}'-]+/u);
    for (let i = 0; i + 1 < words.length; i++) {
      if (names.has(`${words[i]} ${words[i + 1]}`))
        v.push({ invariant: "pii", detail: `a lead name appears in ${where}` });
    }
  }
  return dedupe(v);
}

function dedupe(v: Violation[]): Violation[] {
  const seen = new Set<string>();
  return v.filter((x) => {
    const k = `${x.invariant}|${x.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** One line per violation, for an assertion message. */
export function formatViolations(v: Violation[]): string {
  return v.map((x) => `[${x.invariant}] ${x.detail}`).join("\n");
}
