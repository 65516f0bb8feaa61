import type { Settings } from "../config/settings.ts";
import { normaliseEmail as rulesEmail } from "../core/email.ts";
import { interestStatusName, leadStatusName } from "../core/instantly-codes.ts";
import type { RelationRef, Row, Warehouse } from "../warehouse/port.ts";

/**
 * `engine explain EMAIL`: one lead's story, read from the warehouse only (no Instantly call). The
 * verdict is SQL's (int_lead_eligibility.ineligible_reason, lead_status); the checks list shows each
 * rule in the order int_lead_eligibility applies them, so a person can see every rule a lead fails,
 * not only the first. The rule list, its order and which rules a var switched off come from the
 * warehouse (int_eligibility_rules, built from includes/rules.js), pass/fail from failed_rules: no rule
 * is restated here. The story holds the email: it is printed locally and never logged or sent anywhere.
 */
export interface RuleCheck {
  rule: string;
  /** false = this rule keeps the lead out; null = the rule is switched off by a var. */
  passed: boolean | null;
  data: string;
}

export interface LeadStory {
  email: string;
  domain: string;
  found: boolean;
  state: { leadState: string; detail: string; keptOutBy: string | null } | null;
  verdict: string | null;
  checks: RuleCheck[];
  suppression: Array<{
    value: string;
    kind: string;
    reason: string;
    since: string | null;
    detail: string | null;
  }>;
  cooldowns: Array<{
    scope: string;
    reason: string;
    endedAt: string | null;
    until: string | null;
    active: boolean;
  }>;
  sequences: Array<Record<string, unknown>>;
  instantly: Array<Record<string, unknown>>;
  actions: Array<Record<string, unknown>>;
  queues: {
    push: { rank: number; campaignId: string } | null;
    drain: { reason: string; campaignId: string } | null;
  };
  /** Models not built yet (run the transform): the story is partial. */
  missing: string[];
}

const iso = (v: unknown) =>
  v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v);

/** The lookup form of includes/rules.js normEmail (core/email.ts). */
export function normaliseEmail(input: string): string {
  return rulesEmail(input);
}

export async function gatherLeadStory(
  warehouse: Warehouse,
  settings: Settings,
  input: string,
): Promise<LeadStory> {
  const email = normaliseEmail(input);
  const domain = email.includes("@") ? (email.split("@").pop() as string) : "";
  const missing: string[] = [];
  const rowsOf = async (ref: RelationRef, where: Record<string, string>): Promise<Row[]> => {
    if (!(await warehouse.exists(ref))) {
      missing.push(ref.name);
      return [];
    }
    const out: Row[] = [];
    for await (const batch of warehouse.read(ref, { where })) out.push(...batch);
    return out;
  };
  const staging = (name: string): RelationRef => ({ dataset: "staging", name });
  const output = (name: string): RelationRef => ({ dataset: "output", name });

  const [lead] = await rowsOf(staging("stg_leads"), { email });
  const [flags] = await rowsOf(staging("int_lead_flags"), { email });
  const rules = (await rowsOf(staging("int_eligibility_rules"), {})).sort(
    (a, b) => Number(a.rule_order) - Number(b.rule_order),
  );
  const [eligibility] = await rowsOf(staging("int_lead_eligibility"), { email });
  const [status] = await rowsOf(output("lead_status"), { email });
  const candidates = await rowsOf(staging("int_push_candidates"), { email });
  const [push] = await rowsOf(output("push_queue"), { email });
  const [drain] = await rowsOf(output("drain_queue"), { email });
  const suppression = [
    ...(await rowsOf(staging("int_suppression"), { suppressed_value: email, suppression_kind: "email" })),
    ...(domain
      ? await rowsOf(staging("int_suppression"), { suppressed_value: domain, suppression_kind: "domain" })
      : []),
  ];
  const cooldowns = [
    ...(await rowsOf(staging("int_cooldown"), { cooldown_key: email, scope: "email" })),
    ...(domain ? await rowsOf(staging("int_cooldown"), { cooldown_key: domain, scope: "domain" }) : []),
  ];
  const sequences = await rowsOf(staging("int_contact_history"), { email });
  const instantly = await rowsOf(staging("stg_instantly_leads"), { email });
  const actions = await rowsOf(staging("stg_sync_changelog"), { email });

  const verdict = eligibility ? ((eligibility.ineligible_reason as string | null) ?? null) : null;
  return {
    email,
    domain,
    found: lead !== undefined,
    state: status
      ? {
          leadState: String(status.lead_state),
          detail: String(status.state_detail),
          keptOutBy: (status.kept_out_by as string | null) ?? null,
        }
      : null,
    verdict,
    checks:
      lead && eligibility
        ? ruleChecks(
            settings,
            rules,
            { ...lead, ...flags },
            eligibility,
            cooldowns,
            candidates.length > 0,
            push,
          )
        : [],
    suppression: suppression.map((r) => ({
      value: String(r.suppressed_value) === email ? "(this email)" : String(r.suppressed_value),
      kind: String(r.suppression_kind),
      reason: String(r.reason),
      since: iso(r.suppressed_since),
      detail: (r.detail as string | null) ?? null,
    })),
    cooldowns: cooldowns.map((r) => ({
      scope: String(r.scope),
      reason: String(r.reason),
      endedAt: iso(r.ended_at),
      until: iso(r.cooldown_until),
      active: r.is_cooling_down === true,
    })),
    sequences: sequences
      .sort((a, b) => String(iso(a.started_at)).localeCompare(String(iso(b.started_at))))
      .map((r) => ({
        campaign_id: r.campaign_id,
        started_at: iso(r.started_at),
        ongoing: r.is_ongoing,
        ended_at: iso(r.ended_at),
        end_reason: r.end_reason ?? null,
        replied: r.has_real_reply,
        cooldown_until: iso(r.cooldown_until),
      })),
    instantly: instantly.map((r) => ({
      lead_id: r.lead_id,
      campaign_id: r.campaign_id,
      status: leadStatusName(r.status),
      interest: interestStatusName(r.lt_interest_status),
      replies: r.email_reply_count ?? 0,
      last_contact: iso(r.timestamp_last_contact),
      in_latest_pull: r.is_in_latest_pull,
    })),
    actions: actions
      // in the order written: by stamp, an action's intent before its final row on a tie
      .sort(
        (a, b) =>
          String(iso(a.recorded_at)).localeCompare(String(iso(b.recorded_at))) ||
          Number(a.state !== "intent") - Number(b.state !== "intent"),
      )
      .map((r) => ({
        at: iso(r.recorded_at),
        run_id: r.run_id,
        op: r.op,
        state: r.state,
        reason: r.reason ?? null,
        campaign_id: r.campaign_id ?? null,
        error_code: r.error_code ?? null,
      })),
    queues: {
      push: push ? { rank: Number(push.rank), campaignId: String(push.campaign_id) } : null,
      drain: drain ? { reason: String(drain.reason), campaignId: String(drain.campaign_id) } : null,
    },
    missing: [...new Set(missing)],
  };
}

/** What a rule looked at for this lead, for the rules whose data the story can show; others show their description. */
type Detail = (d: { lead: Row; e: Row; emailCooldown?: Row; domainCooldown?: Row }) => string;
const DETAILS: Record<string, Detail> = {
  invalid_email: ({ lead }) => `syntax ${lead.is_valid_email ? "ok" : "fails"}`,
  suppressed: ({ e }) =>
    e.suppression_reason ? `suppressed by ${e.suppression_reason}` : "not on any suppression list",
  disposable: ({ lead }) => `disposable domain: ${lead.is_disposable ? "yes" : "no"}`,
  role_account: ({ lead }) => `role mailbox: ${lead.is_role_account ? "yes" : "no"}`,
  free_mail: ({ lead }) => `free-mail domain: ${lead.is_free_mail ? "yes" : "no"}`,
  in_instantly: ({ e }) =>
    e.is_in_flight ? "a sequence is running (or an add is unsettled)" : "no running sequence",
  cooling_down: ({ emailCooldown: c }) =>
    c ? `until ${iso(c.cooldown_until)} after ${c.reason}` : "no cooldown on the email",
  company_cooling_down: ({ domainCooldown: c }) =>
    c ? `until ${iso(c.cooldown_until)}: a colleague replied` : "no cooldown on the domain",
  catch_all: ({ e }) =>
    `verification ${e.verification_result ?? "none"}${e.verified_at ? ` at ${iso(e.verified_at)}` : ""}`,
  no_segment: ({ e }) =>
    e.segment ? `segment ${e.segment} → campaign ${e.campaign_id}` : "no segment rule matches",
};

/** The rules of int_eligibility_rules in their order, each with the data it looks at; the SQL verdict wins. */
function ruleChecks(
  settings: Settings,
  rules: Row[],
  lead: Row,
  e: Row,
  cooldowns: Row[],
  isCandidate: boolean,
  push: Row | undefined,
): RuleCheck[] {
  const active = (scope: string) => cooldowns.find((c) => c.scope === scope && c.is_cooling_down === true);
  const context = {
    lead,
    e,
    emailCooldown: active("email"),
    domainCooldown: lead.is_free_mail === true ? undefined : active("domain"),
  };
  // Pass/fail per rule is SQL's (int_lead_eligibility.failed_rules); a rule a var switches off shows as null.
  const failed = new Set(
    String(e.failed_rules ?? "")
      .split(",")
      .filter(Boolean),
  );
  const checks: RuleCheck[] = rules.map((r) => {
    const rule = String(r.rule);
    const data = DETAILS[rule]?.(context) ?? String(r.description);
    if (r.is_switched_on !== true) return { rule, passed: null, data: `${data} (switched off)` };
    return { rule, passed: !failed.has(rule), data };
  });
  // The SQL decides: the first failing rule is its ineligible_reason, whatever the data above suggests.
  const verdict = (e.ineligible_reason as string | null) ?? null;
  for (const c of checks) if (c.rule === verdict) c.passed = false;
  if (verdict === null) {
    checks.push({
      rule: "domain_limit",
      passed: isCandidate,
      data: `at most ${settings.vars.max_active_per_domain} active per company domain`,
    });
    checks.push({
      rule: "capacity",
      passed: push !== undefined,
      data: push ? `queued at rank ${push.rank}` : "ranked below this run's candidates",
    });
  }
  return checks;
}
