/**
 * The business rules as data: drain reason codes, cooldown per reason, Instantly status meanings,
 * role prefixes, free-mail and disposable domains, and the lead-scoring weights (revenue 40,
 * technology 30, geography 20, timing 10). The SQLX files call the functions below so every rule is
 * written once; change a rule here and every model, assertion and report follows.
 *
 * Instantly enums (reference: instantly-api-v2.md section 4):
 *   lead status          1 active, 2 paused, 3 completed, -1 bounced, -2 unsubscribed, -3 skipped
 *   lt_interest_status   0 out of office, 1 interested, 2 meeting booked, 3 meeting completed, 4 won,
 *                        -1 not interested, -2 wrong person, -3 lost, -4 no show
 *   verification_status  1 verified, 11/12 pending, -1 invalid, -2 risky, -3 catch-all, -4 job change
 * A bounce is lead status -1. (`esp_code` is the recipient's mail provider, NOT a bounce code.)
 *
 * CommonJS on purpose: Dataform evaluates includes in its own sandbox with `require`/`module.exports`.
 */

const sql = require("./sql");
const config = require("./config");
const canonical = require("./canonical");

const LEAD_STATUS = { active: 1, paused: 2, completed: 3, bounced: -1, unsubscribed: -2, skipped: -3 };
const INTEREST = {
  outOfOffice: 0,
  interested: 1,
  meetingBooked: 2,
  meetingCompleted: 3,
  won: 4,
  notInterested: -1,
  wrongPerson: -2,
  lost: -3,
  noShow: -4,
};

/**
 * Drain reasons, in PRECEDENCE order (the first that applies labels the lead). `suppress`: the email
 * is never contacted again (int_suppression lists it). `block`: the engine also adds it to Instantly's
 * block list. `handoff`: a person should follow up (sales owns the conversation now). `label`: how the
 * drain message names the reason; `messageOrder`: its line in the message's breakdown (the first five
 * are always shown), read by the engine through engine/src/config/includes.ts drainReasonLabels.
 */
const DRAIN_REASONS = [
  {
    code: "unsubscribed",
    label: "🚫 Unsubscribed",
    messageOrder: 4,
    suppress: true,
    block: true,
    handoff: false,
    provesEmail: true,
    description: "Lead status -2: the lead unsubscribed.",
  },
  {
    code: "bounced",
    label: "⚠️ Hard bounced",
    messageOrder: 3,
    suppress: true,
    block: false,
    handoff: false,
    provesEmail: true,
    description: "Lead status -1: an email bounced.",
  },
  {
    code: "wrong_person",
    label: "👤 Wrong person",
    messageOrder: 9,
    suppress: true,
    block: false,
    handoff: false,
    provesEmail: true,
    description: "Interest -2: replied that they are the wrong person.",
  },
  {
    code: "not_interested",
    label: "🙅 Not interested",
    messageOrder: 8,
    suppress: true,
    block: false,
    handoff: false,
    provesEmail: true,
    description: "Interest -1 (not interested) or -3 (lost).",
  },
  {
    code: "meeting_booked",
    label: "📅 Meeting booked (handed off)",
    messageOrder: 7,
    suppress: false,
    block: false,
    handoff: true,
    provesEmail: true,
    description: "Interest 2, 3, 4 or -4: a meeting is booked or happened.",
  },
  {
    code: "interested",
    label: "🤝 Interested (handed off)",
    messageOrder: 6,
    suppress: false,
    block: false,
    handoff: true,
    provesEmail: true,
    description: "Interest 1: the lead is interested.",
  },
  {
    code: "skipped",
    label: "⏭️ Skipped by Instantly",
    messageOrder: 11,
    suppress: false,
    block: false,
    handoff: false,
    provesEmail: false,
    description: "Lead status -3: Instantly skipped the lead.",
  },
  {
    code: "replied",
    label: "💬 Replied",
    messageOrder: 2,
    suppress: false,
    block: false,
    handoff: true,
    provesEmail: true,
    description: "A real reply (not out-of-office) without an interest label.",
  },
  {
    code: "completed",
    label: "✅ Completed sequences",
    messageOrder: 1,
    suppress: false,
    block: false,
    handoff: false,
    provesEmail: true,
    description: "Lead status 3: the sequence finished without a reply.",
  },
  {
    code: "suppressed",
    label: "🔒 Now in DNC",
    messageOrder: 12,
    suppress: true,
    block: false,
    handoff: false,
    provesEmail: false,
    description: "The email or its domain is now on the do-not-contact list.",
  },
  {
    code: "company_replied",
    label: "🏢 Company replied",
    messageOrder: 10,
    suppress: false,
    block: false,
    handoff: false,
    provesEmail: false,
    description: "Someone else at the same company domain replied.",
  },
  {
    code: "stuck",
    label: "⏸️ Stuck (paused too long)",
    messageOrder: 13,
    suppress: false,
    block: false,
    handoff: false,
    provesEmail: false,
    description:
      "Lead status 2 (paused, not out-of-office) with no update in Instantly for stuck_days: nothing will send to it.",
  },
  {
    code: "stale",
    label: `🕐 Stale (${config.contact.staleDays}+ days)`,
    messageOrder: 5,
    suppress: false,
    block: false,
    handoff: false,
    provesEmail: false,
    description: "Kept in a campaign for stale_days or more without an outcome.",
  },
].map((r) => ({
  ...r,
  // Cooldown per reason: var cooldown_days_<reason> when set (includes/config.js), else the days of its
  // family. Suppressing reasons never come back (int_suppression lists them), so their cooldown only
  // matters if someone lifts the suppression.
  cooldownDays: config.cooldownDaysFor(
    r.code,
    ["replied", "interested", "meeting_booked"].includes(r.code)
      ? config.contact.repliedCooldownDays
      : config.contact.cooldownDays,
  ),
}));

const DRAIN_REASON_CODES = DRAIN_REASONS.map((r) => r.code);

/** Reasons a sequence can end for cooldown purposes: every drain reason, plus `removed` (gone from
 * Instantly without our drain) whose cooldown is `cooldown_days`. */
const SEQUENCE_END_REASONS = [
  ...DRAIN_REASONS,
  { code: "removed", cooldownDays: config.contact.cooldownDays },
  // An add Instantly confirmed that no pull saw for lost_add_pulls pulls: it never reached a
  // sequence, so by default (0) it may be queued again at once (the retry).
  { code: "lost_add", cooldownDays: config.contact.lostAddCooldownDays },
];

/**
 * The eligibility rules, in the order definitions/intermediate/int_lead_eligibility.sqlx checks them:
 * the first a lead fails is its ineligible_reason, failed_rules lists every one it fails, and `engine
 * explain` shows the list as built (definitions/intermediate/int_eligibility_rules.sqlx), so a rule
 * added here shows up everywhere. `switchedOn`: false when a var turns the rule off (it then fails no
 * lead). `fails(j)`: SQL that is TRUE when the row `j` (int_lead_eligibility's `joined`) fails it.
 */
const ELIGIBILITY_RULES = [
  {
    code: "invalid_email",
    description: "The email's syntax is invalid.",
    switchedOn: true,
    fails: (j) => `not ${j}.is_valid_email`,
  },
  {
    code: "suppressed",
    description: "The email or its domain is suppressed (int_suppression).",
    switchedOn: true,
    fails: (j) => `${j}.suppression_reason is not null`,
  },
  {
    code: "disposable",
    description: "A disposable-mail domain (var exclude_disposable).",
    switchedOn: config.eligibility.excludeDisposable,
    fails: (j) => `${j}.is_disposable`,
  },
  {
    code: "role_account",
    description: "A role mailbox such as info@ or sales@ (var exclude_role_accounts).",
    switchedOn: config.eligibility.excludeRoleAccounts,
    fails: (j) => `${j}.is_role_account`,
  },
  {
    code: "free_mail",
    description: "A free-mail domain (var exclude_free_mail).",
    switchedOn: config.eligibility.excludeFreeMail,
    fails: (j) => `${j}.is_free_mail`,
  },
  {
    code: "in_instantly",
    description: "A sequence is running, or an add is not settled yet.",
    switchedOn: true,
    fails: (j) => `${j}.is_in_flight`,
  },
  {
    code: "cooling_down",
    description: "The email is cooling down after an ended sequence.",
    switchedOn: true,
    fails: (j) => `${j}.email_cooldown_until is not null`,
  },
  {
    code: "company_cooling_down",
    description: "A colleague at the company domain replied (var cooldown_days_company_replied).",
    switchedOn: true,
    fails: (j) => `${j}.domain_cooldown_until is not null`,
  },
  {
    code: "catch_all",
    description:
      "Verified as catch-all within catch_all_recheck_days (vars allow_catch_all, catch_all_recheck_days).",
    switchedOn: !config.eligibility.allowCatchAll,
    fails: (j) =>
      `${j}.verification_result = 'catch_all'
                and ${j}.verified_at >= ${sql.timestampSubDays(config.now(), config.eligibility.catchAllRecheckDays)}`,
  },
  {
    code: "no_segment",
    description: "No segment rule matches the lead.",
    switchedOn: true,
    fails: (j) => `${j}.segment is null`,
  },
];

/** SQL that is TRUE when the row `j` fails `rule` (always FALSE for a rule a var switches off). */
function eligibilityFails(rule, j) {
  return rule.switchedOn ? `(${rule.fails(j)})` : "false";
}

/** Suppression reasons (int_suppression.reason): why an email or domain is never contacted. */
const SUPPRESSION_REASONS = [
  "dnc_email",
  "dnc_domain",
  "unsubscribed",
  "bounced",
  "wrong_person",
  "not_interested",
  "rejected",
  "verification_invalid",
];

/** RFC 2142 and common shared mailboxes: no single owner, more complaints. Matched on the local part. */
const ROLE_PREFIXES = [
  "abuse",
  "accounting",
  "accounts",
  "admin",
  "administrator",
  "billing",
  "careers",
  "contact",
  "customercare",
  "customerservice",
  "enquiries",
  "feedback",
  "finance",
  "hello",
  "help",
  "hostmaster",
  "hr",
  "info",
  "inquiries",
  "jobs",
  "legal",
  "mail",
  "marketing",
  "media",
  "news",
  "newsletter",
  "no-reply",
  "noc",
  "noreply",
  "office",
  "orders",
  "postmaster",
  "press",
  "privacy",
  "sales",
  "security",
  "service",
  "shop",
  "store",
  "support",
  "team",
  "webmaster",
];

/** Consumer mailbox providers: a person, not a company, so no company-domain rules apply to them. */
const FREE_MAIL_DOMAINS = [
  "aol.com",
  "gmail.com",
  "gmx.com",
  "gmx.de",
  "gmx.net",
  "googlemail.com",
  "hotmail.co.uk",
  "hotmail.com",
  "hotmail.fr",
  "icloud.com",
  "live.com",
  "mac.com",
  "mail.com",
  "mail.ru",
  "me.com",
  "msn.com",
  "outlook.com",
  "proton.me",
  "protonmail.com",
  "qq.com",
  "web.de",
  "yahoo.co.uk",
  "yahoo.com",
  "yahoo.fr",
  "yandex.com",
  "yandex.ru",
  "zoho.com",
];

/** Throwaway mailbox providers: never worth a send. */
const DISPOSABLE_DOMAINS = [
  "10minutemail.com",
  "discard.email",
  "dispostable.com",
  "fakeinbox.com",
  "getnada.com",
  "guerrillamail.com",
  "maildrop.cc",
  "mailinator.com",
  "mailnesia.com",
  "mintemail.com",
  "sharklasers.com",
  "temp-mail.org",
  "tempmail.com",
  "throwawaymail.com",
  "trashmail.com",
  "yopmail.com",
];

/**
 * Syntax check for a normalised email: one @, a dot in the domain, no spaces; dots in the local part
 * only between other characters (no leading, trailing or consecutive dot). Deliberately simple.
 */
const EMAIL_PATTERN = "^[a-z0-9_%+'-]+(\\.[a-z0-9_%+'-]+)*@[a-z0-9-]+(\\.[a-z0-9-]+)*\\.[a-z]{2,}$";

/** RFC 5321: an address longer than this cannot be delivered, so it is malformed. */
const EMAIL_MAX_LENGTH = 254;

/** TRUE when a NORMALISED email expression passes EMAIL_PATTERN and EMAIL_MAX_LENGTH (never NULL). */
function isValidEmail(expr) {
  return `coalesce(length(${expr}) <= ${EMAIL_MAX_LENGTH} and ${sql.regexpContains(expr, EMAIL_PATTERN)}, false)`;
}

/**
 * Field limits for what is sent to Instantly (definitions/README.md, "Field limits"): longer values
 * are truncated to this many characters (after control characters are stripped and the value trimmed);
 * every string value inside custom_variables is cut to `customVariable`.
 */
const FIELD_LIMITS = { firstName: 100, lastName: 100, companyName: 200, customVariable: 500 };

/** C0 controls (NUL, tab, newline ...), DEL and C1 controls: never sent to Instantly. */
const CONTROL_CHARS = "[\\x00-\\x1f\\x7f\\x{80}-\\x{9f}]";

/**
 * A text field as sent to Instantly: control characters removed, trimmed, cut to `maxLength`
 * characters (code points in both engines), NULL when nothing is left.
 */
function cleanText(expr, maxLength) {
  const stripped = sql.trimAll(sql.regexpReplace(expr, CONTROL_CHARS, ""));
  return `nullif(${sql.trimAll(`substr(${stripped}, 1, ${Number(maxLength)})`)}, '')`;
}

/**
 * A JSON object text (custom_variables) cleaned like cleanText: escaped control characters
 * (`\\n`, `\\t`, `\\u0000` ...) and raw DEL/C1 characters removed, then every string longer than
 * FIELD_LIMITS.customVariable characters cut to that length. The scans consume an escaped backslash
 * as one unit, so an escaped backslash followed by `n` is left alone and no escape is cut in two.
 */
function cleanJsonText(expr) {
  const noEscapedControls = sql.regexpReplace(
    expr,
    "(\\\\\\\\)|\\\\(?:[bfnrt]|u00[01][0-9a-fA-F]|u007[fF]|u00[89][0-9a-fA-F])",
    "\\1",
  );
  const noRawControls = sql.regexpReplace(noEscapedControls, CONTROL_CHARS, "");
  // Every string is matched whole (short: group 1, kept; long: groups 2-4, cut), so the scan never
  // starts inside a string and mistakes its closing quote for an opening one.
  const unit = `(?:\\\\u${"[0-9a-fA-F]".repeat(4)}|\\\\[^u]|[^"\\\\])`;
  const max = FIELD_LIMITS.customVariable;
  const cut = sql.regexpReplace(
    noRawControls,
    `("${unit}{0,${max}}")|(")(${unit}{${max}})${unit}*(")`,
    "\\1\\2\\3\\4",
  );
  // The cutting scan needs capture groups (RE2's slow path: 13 s of stg_leads' 18 s at 300k leads), so
  // it runs only on rows holding a run of more than `max` units; a string too long is such a run.
  return `(case when ${sql.regexpContains(noRawControls, `${unit}{${max + 1}}`)} then ${cut} else ${noRawControls} end)`;
}

/** A JSON value from JSON text (BigQuery PARSE_JSON, DuckDB CAST AS JSON). */
function parseJson(expr) {
  return sql.pick(`PARSE_JSON(${expr})`, `CAST(${expr} AS JSON)`);
}

/**
 * The canonical form (includes/canonical.js) as SQL: a call of its JavaScript UDF. BigQuery: the
 * persistent function definitions/operations/canonical_functions.sqlx creates in the staging dataset
 * (a view cannot call a temporary function); DuckDB: the scalar function the engine registers on every
 * connection (engine/src/dataform/canonical-udf.ts). A model calling it lists `canonical_functions`
 * in its dependencies.
 */
function canonicalUdf(name, expr) {
  if (!Object.hasOwn(canonical.UDFS, name)) {
    throw new Error(
      `includes/rules.js canonicalUdf: no UDF ${JSON.stringify(name)} in includes/canonical.js`,
    );
  }
  const project = typeof dataform !== "undefined" ? dataform.projectConfig.defaultDatabase : undefined;
  const qualified = [project, config.datasets.staging, name].filter(Boolean).join(".");
  return sql.pick(`\`${qualified}\`(${expr})`, `${name}(${expr})`);
}

/**
 * An address the canonical form leaves as `lower(trim(x))`: after trim and A-Z lower-casing only
 * these ASCII characters, one @, and a domain of dot-separated labels without a trailing dot. For
 * such a value includes/canonical.js canonicalEmail returns exactly lower(trim(x)) (NFKC and the
 * invisible-character rule change no ASCII letter, digit or . _ % + ' -; no notation can match without
 * < > : or a space; an invalid label gives back the cleaned value, which is the same string), so
 * canonicalEmail() below skips the UDF for it: the UDF costs seconds at 300k leads.
 */
const PLAIN_EMAIL_PATTERN = "^[a-z0-9._%+'-]+@[a-z0-9-]+(\\.[a-z0-9-]+)+$";

/** A lead's email in the canonical form (includes/canonical.js canonicalEmail); same in both engines. */
function canonicalEmail(expr) {
  const plain = sql.lowerAscii(sql.trimAll(expr));
  return `(case when ${sql.regexpContains(plain, PLAIN_EMAIL_PATTERN)} then ${plain} else ${canonicalUdf("canonical_email", expr)} end)`;
}

/** A do-not-contact value in the canonical form (an email or a domain), NULL when unreadable. */
function canonicalDnc(expr) {
  return canonicalUdf("canonical_dnc", expr);
}

/** Mailbox providers whose addresses ignore dots in the local part and share one mailbox across both. */
const GMAIL_DOMAINS = ["gmail.com", "googlemail.com"];

/**
 * The identity of a CANONICAL email: one person, one key. The `+tag` of the local part is dropped
 * (jane+promo@x.com is jane@x.com); at Gmail/Googlemail the dots of the local part are dropped too and
 * googlemail.com is gmail.com (jane@gmail.com, j.a.n.e@gmail.com and jane@googlemail.com are one
 * mailbox). Lead de-duplication (stg_leads), suppression (int_suppression) and DNC matching
 * (suppressed_now) all compare this key.
 */
function emailIdentity(expr) {
  const noTag = sql.regexpReplace(expr, "^([^@+]+)\\+[^@]*@", "\\1@");
  return `(case
        when ${emailDomain(expr)} in (${sql.strList(GMAIL_DOMAINS)})
            then concat(replace(${emailLocalPart(noTag)}, '.', ''), '@gmail.com')
        else ${noTag}
    end)`;
}

/**
 * The suppressions that cover each email (definitions/README.md, "DNC matching"): a query over the
 * relation `emails` (columns email, email_key = emailIdentity(email), domain) and the relation
 * `entries` (columns value, kind, match_key = emailIdentity(value) for kind email, reason, detail,
 * since), one row per email and covering entry, with email, domain, reason, entry_value, entry_kind,
 * is_exact (the entry is the email or its domain itself), detail and since. An email entry covers
 * every address with its identity; a domain entry covers itself and every subdomain (blocked.com
 * covers mail.blocked.com). int_suppression and the live outputs/suppressed_now both use it, so the
 * two always match the same way.
 */
function coverMatches(emails, entries) {
  return `select
        ${emails}.email,
        ${emails}.domain,
        ${entries}.reason,
        ${entries}.value as entry_value,
        ${entries}.kind as entry_kind,
        ${entries}.value = ${emails}.email as is_exact,
        ${entries}.detail,
        ${entries}.since

    from ${emails}
    inner join ${entries}
        on ${entries}.kind = 'email'
        and ${entries}.match_key = ${emails}.email_key

    union all

    select
        ${emails}.email,
        ${emails}.domain,
        ${entries}.reason,
        ${entries}.value as entry_value,
        ${entries}.kind as entry_kind,
        ${entries}.value = ${emails}.domain as is_exact,
        ${entries}.detail,
        ${entries}.since

    from ${emails}
    inner join ${entries}
        on ${entries}.kind = 'domain'
        and ${dncDomainKey(`${entries}.value`)} = ${dncDomainKey(`${emails}.domain`)}
        and (${emails}.domain = ${entries}.value or ends_with(${emails}.domain, concat('.', ${entries}.value)))`;
}

/** The last two labels of a domain: the equality key of the subdomain join (an exact test follows). */
function dncDomainKey(expr) {
  return sql.regexpExtract(expr, "([^.]+\\.[^.]+)$");
}

/**
 * stg_dnc_list rows as `entries` for coverMatches: reason dnc_email or dnc_domain, detail the entry's
 * source (else its reason), since when it was added.
 */
function dncEntries(dnc) {
  return `select
        ${dnc}.value,
        ${dnc}.kind,
        ${dnc}.match_key,
        case when ${dnc}.kind = 'domain' then 'dnc_domain' else 'dnc_email' end as reason,
        coalesce(${dnc}.source, ${dnc}.reason) as detail,
        ${dnc}.added_at as since

    from ${dnc}`;
}

/** Normalise an email expression: whitespace trimmed, A-Z lower-cased (same on both engines: sql.js). */
function normEmail(expr) {
  return sql.lowerAscii(sql.trimAll(expr));
}

/** The domain (after the last @) of a NORMALISED email expression. */
function emailDomain(expr) {
  return sql.regexpExtract(expr, "@([^@]+)$");
}

/** The local part (before the last @) of a NORMALISED email expression. */
function emailLocalPart(expr) {
  return sql.regexpExtract(expr, "^(.*)@[^@]*$");
}

/** TRUE when the local part is a role mailbox (info@, sales+x@, support.team@ …). */
function isRoleAccount(localPartExpr) {
  return sql.regexpContains(
    localPartExpr,
    `^(${ROLE_PREFIXES.map((p) => p.replace(/-/g, "\\-")).join("|")})([._+-].*)?$`,
  );
}

/** TRUE when the domain expression is a free-mail provider. */
function isFreeMail(domainExpr) {
  return `coalesce(${domainExpr} in (${sql.strList(FREE_MAIL_DOMAINS)}), false)`;
}

/** TRUE when the domain expression is a disposable-mail provider. */
function isDisposable(domainExpr) {
  return `coalesce(${domainExpr} in (${sql.strList(DISPOSABLE_DOMAINS)}), false)`;
}

/**
 * The outcome of an Instantly lead from its OWN fields (status, interest, replies), or NULL when it
 * is still running or only out-of-office while still in sequence (status 1 or 2). Completed is final:
 * a completed lead whose only reply was an out-of-office ends as `completed`, never `replied`. Shared by drain classification (current leads) and contact
 * history (why an earlier sequence ended), so both agree. `l` is an alias with status,
 * lt_interest_status and email_reply_count.
 */
function leadOutcome(l) {
  const i = `${l}.lt_interest_status`;
  return `case
      when ${l}.status = ${LEAD_STATUS.unsubscribed} then 'unsubscribed'
      when ${l}.status = ${LEAD_STATUS.bounced} then 'bounced'
      when ${i} = ${INTEREST.wrongPerson} then 'wrong_person'
      when ${i} in (${INTEREST.notInterested}, ${INTEREST.lost}) then 'not_interested'
      when ${i} in (${INTEREST.meetingBooked}, ${INTEREST.meetingCompleted}, ${INTEREST.won}, ${INTEREST.noShow}) then 'meeting_booked'
      when ${i} = ${INTEREST.interested} then 'interested'
      when ${l}.status = ${LEAD_STATUS.skipped} then 'skipped'
      when ${i} = ${INTEREST.outOfOffice} and ${l}.status in (${LEAD_STATUS.active}, ${LEAD_STATUS.paused}) then null
      when coalesce(${i}, 99) <> ${INTEREST.outOfOffice} and coalesce(${l}.email_reply_count, 0) > 0 then 'replied'
      when ${l}.status = ${LEAD_STATUS.completed} then 'completed'
    end`;
}

/** TRUE when the lead answered for real (a reply or an interest label other than out-of-office). */
function hasRealReply(l) {
  const i = `${l}.lt_interest_status`;
  return `(coalesce(${i}, 99) <> ${INTEREST.outOfOffice} and (coalesce(${l}.email_reply_count, 0) > 0 or ${i} in (${[
    INTEREST.interested,
    INTEREST.meetingBooked,
    INTEREST.meetingCompleted,
    INTEREST.won,
    INTEREST.notInterested,
    INTEREST.wrongPerson,
    INTEREST.lost,
    INTEREST.noShow,
  ].join(", ")})))`;
}

/** TRUE when the lead is only out-of-office (auto-reply): kept, never drained as replied. */
function isOutOfOffice(l) {
  return `coalesce(${l}.lt_interest_status = ${INTEREST.outOfOffice}, false)`;
}

/** CASE mapping a reason expression to a property of DRAIN_REASONS (`suppress`, `block`, `handoff`). */
function reasonFlag(reasonExpr, prop) {
  const yes = DRAIN_REASONS.filter((r) => r[prop]).map((r) => r.code);
  return yes.length === 0 ? "false" : `coalesce(${reasonExpr} in (${sql.strList(yes)}), false)`;
}

/** CASE mapping a sequence-end reason expression to its cooldown in days. */
function cooldownDaysCase(reasonExpr) {
  return `case ${reasonExpr}\n${SEQUENCE_END_REASONS.map((r) => `      when ${sql.str(r.code)} then ${r.cooldownDays}`).join("\n")}\n      else ${config.contact.cooldownDays}\n    end`;
}

/** TRUE when a drain reason proves the lead got an email (DRAIN_REASONS `provesEmail`). */
function reasonProvesEmail(reasonExpr) {
  return reasonFlag(reasonExpr, "provesEmail");
}

/**
 * The cooldown of an ended sequence: its reason's days (cooldownDaysCase), but 0 when the lead never
 * got an email (drained stale while waiting, removed, lost, its campaign emptied): a lead burned unsent
 * goes straight back to the pool. Suppressions are not cooldowns (int_suppression keeps those out);
 * `skipped` (Instantly refused our add: the email was already in the workspace) and `lost_add` (never
 * reached a sequence; var cooldown_days_lost_add) keep their own days.
 */
function sequenceCooldownDays(reasonExpr, emailedExpr) {
  return `case when not coalesce(${emailedExpr}, false) and coalesce(${reasonExpr} not in ('skipped', 'lost_add'), true) then 0 else ${cooldownDaysCase(reasonExpr)} end`;
}

/** Lead-scoring weights. Points per signal; the group maxima sum to 100. */
const SCORING = {
  revenue: {
    max: 40,
    // First band whose threshold the revenue is ABOVE wins; unknown revenue scores 0.
    bands: [
      { above: 5000000, points: 40 },
      { above: 1000000, points: 30 },
      { above: 500000, points: 20 },
    ],
    otherwise: 10,
    missing: 0,
  },
  technology: {
    max: 30,
    klaviyoInstalled: 15,
    largeCatalog: { above: 1000, points: 10 },
    highPrice: { above: 100, points: 5 },
  },
  geography: {
    max: 20,
    // US states (country_code US or unknown) first, then countries.
    highValueStates: { states: ["CA", "NY", "TX", "FL"], points: 20 },
    countries: [
      { codes: ["US"], points: 10 },
      { codes: ["GB", "CA", "AU"], points: 5 },
    ],
  },
  timing: {
    max: 10,
    // The seed scored "business hours in the lead's timezone", which the data cannot know. A recent
    // Klaviyo install is the buying-window signal we do have: it scores when within `recentDays`.
    recentKlaviyoInstall: { withinDays: 180, points: 10 },
  },
};

/** Revenue points for a lead row `l`. */
function revenuePoints(l) {
  const r = SCORING.revenue;
  const col = `${l}.estimated_sales_yearly`;
  return `case\n      when ${col} is null then ${r.missing}\n${r.bands.map((b) => `      when ${col} > ${b.above} then ${b.points}`).join("\n")}\n      else ${r.otherwise}\n    end`;
}

/** Technology points for a lead row `l`. */
function technologyPoints(l) {
  const t = SCORING.technology;
  return `(case when ${l}.klaviyo_installed_at is not null then ${t.klaviyoInstalled} else 0 end
      + case when ${l}.product_count > ${t.largeCatalog.above} then ${t.largeCatalog.points} else 0 end
      + case when ${l}.avg_price > ${t.highPrice.above} then ${t.highPrice.points} else 0 end)`;
}

/** Geography points for a lead row `l` (country_code and state are upper-cased in staging). */
function geographyPoints(l) {
  const g = SCORING.geography;
  return `case\n      when ${l}.state in (${sql.strList(g.highValueStates.states)}) and coalesce(${l}.country_code, 'US') = 'US' then ${g.highValueStates.points}\n${g.countries
    .map((c) => `      when ${l}.country_code in (${sql.strList(c.codes)}) then ${c.points}`)
    .join("\n")}\n      else 0\n    end`;
}

/** Timing points for a lead row `l`, relative to `nowExpr`. */
function timingPoints(l, nowExpr) {
  const t = SCORING.timing.recentKlaviyoInstall;
  return `case when ${l}.klaviyo_installed_at >= ${sql.timestampSubDays(nowExpr, t.withinDays)} then ${t.points} else 0 end`;
}

module.exports = {
  LEAD_STATUS,
  INTEREST,
  DRAIN_REASONS,
  DRAIN_REASON_CODES,
  SEQUENCE_END_REASONS,
  SUPPRESSION_REASONS,
  ELIGIBILITY_RULES,
  eligibilityFails,
  ROLE_PREFIXES,
  FREE_MAIL_DOMAINS,
  DISPOSABLE_DOMAINS,
  EMAIL_PATTERN,
  EMAIL_MAX_LENGTH,
  FIELD_LIMITS,
  CONTROL_CHARS,
  SCORING,
  isValidEmail,
  cleanText,
  cleanJsonText,
  parseJson,
  GMAIL_DOMAINS,
  PLAIN_EMAIL_PATTERN,
  canonicalUdf,
  canonicalEmail,
  canonicalDnc,
  emailIdentity,
  coverMatches,
  dncDomainKey,
  dncEntries,
  normEmail,
  emailDomain,
  emailLocalPart,
  isRoleAccount,
  isFreeMail,
  isDisposable,
  leadOutcome,
  hasRealReply,
  isOutOfOffice,
  reasonFlag,
  cooldownDaysCase,
  sequenceCooldownDays,
  reasonProvesEmail,
  revenuePoints,
  technologyPoints,
  geographyPoints,
  timingPoints,
};
