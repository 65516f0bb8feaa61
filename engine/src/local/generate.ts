import { Prng, Weighted } from "../sandbox/prng.ts";
import { capitalise, clamp, Reservoir, Ring, round2 } from "./samplers.ts";
import { type DncRow, dncMix, type LeadRow, leadMix, type Merchant } from "./synthetic-rows.ts";
import {
  companyTlds,
  countries,
  countryTlds,
  disposableDomains,
  dncDomainReasons,
  dncEmailReasons,
  firstNames,
  freeMailDomains,
  lastNames,
  leadSources,
  regions,
  rolePrefixes,
  slugSuffixes,
  storeAdjectives,
  storeNouns,
  usStates,
} from "./vocab.ts";

export { type DncRow, dncMix, type LeadRow, leadMix } from "./synthetic-rows.ts";

/**
 * Pure generators of synthetic leads and DNC entries (no I/O): one row at a time, so a caller can
 * stream millions of rows through an appender with flat memory. Everything comes from seeded PRNG
 * streams, so (seed, asOf, counts) fully determine the output. Leads and DNC use separate streams:
 * changing the DNC count never changes the leads.
 *
 * The mess is deliberate and measured by test/local: ~8% malformed emails, mixed case and
 * whitespace, the same address twice in different case, role inboxes, free-mail and disposable
 * domains, a few company domains with hundreds of contacts, missing revenue, an SMB majority.
 */

const DAY_MS = 86_400_000;
const pickers = {
  tld: new Weighted(companyTlds),
  freeMail: new Weighted(freeMailDomains),
  role: new Weighted(rolePrefixes),
  country: new Weighted(countries),
  usState: new Weighted(usStates),
  source: new Weighted(leadSources),
  dncEmail: new Weighted(dncEmailReasons.map((r) => [r, r[1]] as const)),
  dncDomain: new Weighted(dncDomainReasons.map((r) => [r, r[1]] as const)),
};

export class SyntheticData {
  private readonly rng: Prng;
  private readonly dncRng: Prng;
  private readonly recentStores = new Ring<Merchant>(256);
  private readonly recentLeads = new Ring<LeadRow & { canonical: string }>(2048);
  private readonly bigCompanies: Merchant[];
  private readonly emailSample: Reservoir<string>;
  private readonly domainSample: Reservoir<string>;
  private readonly dncCount: number;

  constructor(
    readonly seed: number,
    /** The generation clock: every timestamp lies before it (updated_at within the two years before). */
    readonly asOfMs: number,
    counts: { leads: number; dnc: number },
  ) {
    this.rng = Prng.fromInteger(seed);
    this.dncRng = new Prng((seed ^ 0x5bd1e995) >>> 0);
    this.dncCount = counts.dnc;
    const domains = Math.round(counts.dnc * dncMix.domainShare);
    this.emailSample = new Reservoir(
      Math.round((counts.dnc - domains) * dncMix.emailsMatchingLeads),
      this.dncRng,
    );
    this.domainSample = new Reservoir(Math.round(domains * dncMix.domainsMatchingLeads), this.dncRng);
    const big = clamp(Math.round(counts.leads / 15_000), 3, 40);
    this.bigCompanies = Array.from({ length: big }, () => this.newMerchant(true));
  }

  /** The next lead row. */
  nextLead(): LeadRow {
    const rng = this.rng;
    if (rng.chance(leadMix.duplicate)) {
      const earlier = this.recentLeads.pick(rng);
      if (earlier) return this.duplicateOf(earlier);
    }
    let merchant: Merchant;
    const bigCompany = rng.chance(leadMix.bigCompany);
    if (bigCompany) merchant = rng.pick(this.bigCompanies);
    else merchant = (rng.chance(leadMix.sameStoreAgain) && this.recentStores.pick(rng)) || this.newMerchant();
    this.recentStores.push(merchant);

    const first = rng.pick(firstNames);
    const last = rng.pick(lastNames);
    let firstName: string | null = capitalise(first);
    let lastName: string | null = capitalise(last);
    let email: string;
    const kind = rng.next();
    if (!bigCompany && kind < leadMix.disposable) {
      email = `${first}${rng.int(1, 9999)}@${rng.pick(disposableDomains)}`;
    } else if (!bigCompany && kind < leadMix.disposable + leadMix.freeMail) {
      email = `${this.freeMailLocal(first, last)}@${pickers.freeMail.pick(rng)}`;
    } else {
      const roleCut = bigCompany ? leadMix.role : leadMix.disposable + leadMix.freeMail + leadMix.role;
      if (kind < roleCut) {
        email = `${pickers.role.pick(rng)}@${merchant.domain}`;
        if (rng.chance(0.7)) firstName = lastName = null;
      } else {
        email = `${this.companyLocal(first, last)}@${merchant.domain}`;
      }
      if (!merchant.offered) {
        merchant.offered = true;
        this.domainSample.offer(merchant.domain);
      }
    }
    if (firstName && rng.chance(0.04)) firstName = null;
    if (lastName && rng.chance(0.07)) lastName = null;
    if (firstName && rng.chance(0.02)) firstName = firstName.toUpperCase();

    const row: LeadRow = {
      email,
      first_name: firstName,
      last_name: lastName,
      merchant_name: merchant.name,
      platform_domain: merchant.platformDomain,
      state: merchant.state,
      country_code: merchant.country,
      estimated_sales_yearly: merchant.revenue,
      employee_count: merchant.employees,
      product_count: merchant.products,
      avg_price: merchant.avgPrice,
      klaviyo_installed_at: merchant.klaviyoAt,
      source: merchant.source,
      updated_at: this.pastMs(730),
    };
    if (rng.chance(leadMix.malformed)) {
      row.email = this.malform(email);
      return row;
    }
    this.emailSample.offer(email);
    this.recentLeads.push({ ...row, canonical: email });
    row.email = this.decorate(email);
    return row;
  }

  /**
   * The DNC list, after all leads were generated: emails (some the seeded leads' addresses in
   * another case) and domains (some the seeded stores' domains, always one of the big companies).
   */
  *dncRows(): Generator<DncRow> {
    const rng = this.dncRng;
    const domains = Math.round(this.dncCount * dncMix.domainShare);
    const emails = this.dncCount - domains;
    const matchedDomains = this.domainSample.items.slice();
    const bigDomain = this.bigCompanies[0]?.domain;
    if (domains > 0 && bigDomain && !matchedDomains.includes(bigDomain)) matchedDomains[0] = bigDomain;
    for (let i = 0; i < emails; i++) {
      const [reason, , source] = pickers.dncEmail.pick(rng);
      const matched = this.emailSample.items[i];
      const value = matched ? this.dncCase(matched) : this.randomEmail();
      yield { value, kind: "email", reason, source, added_at: this.pastMs(1095, rng) };
    }
    for (let i = 0; i < domains; i++) {
      const [reason, , source] = pickers.dncDomain.pick(rng);
      const matched = matchedDomains[i];
      let value = matched ?? this.randomDomain();
      if (rng.chance(0.15)) value = value.toUpperCase();
      yield { value, kind: "domain", reason, source, added_at: this.pastMs(1095, rng) };
    }
  }

  private newMerchant(big = false): Merchant {
    const rng = this.rng;
    const adjective = rng.pick(storeAdjectives);
    const noun = rng.pick(storeNouns);
    let slug = `${adjective}${noun}`;
    const flavour = rng.next();
    if (flavour < 0.25) slug += rng.pick(slugSuffixes);
    else if (flavour < 0.45) slug = `${adjective}-${noun}`;
    else if (flavour < 0.7) slug += String(rng.int(1, 999));
    const country = pickers.country.pick(rng) || null;
    const state =
      country === "US"
        ? rng.chance(0.03)
          ? null
          : pickers.usState.pick(rng)
        : country && regions[country]
          ? rng.pick(regions[country] as string[])
          : null;
    const tld =
      country && countryTlds[country] && rng.chance(0.6) ? countryTlds[country] : pickers.tld.pick(rng);
    const domain = `${slug.replace(/-/g, rng.chance(0.5) ? "" : "-")}${tld}`;
    const platformDomain = rng.chance(0.92)
      ? `${rng.chance(0.85) ? slug : `${slug}-${rng.int(2, 99)}`}.myshopify.com`
      : null;

    // Revenue: log-normal around $250k with a long tail, so about 80% are SMB (< $1M).
    let revenue: number | null = Math.round(clamp(rng.logNormal(big ? 8_000_000 : 250_000, 1.6), 5_000, 2e9));
    if (!big && rng.chance(leadMix.missingRevenue)) revenue = null;
    const employees = rng.chance(0.12)
      ? null
      : Math.max(
          1,
          Math.round(revenue === null ? rng.logNormal(5, 0.9) : revenue / rng.logNormal(150_000, 0.5)),
        );
    const products = rng.chance(0.05) ? null : Math.round(clamp(rng.logNormal(60, 1.3), 1, 100_000));
    const avgPrice = rng.chance(0.05) ? null : round2(clamp(rng.logNormal(42, 0.8), 1, 5_000));
    const klaviyoAt = rng.chance(leadMix.klaviyo) ? this.pastMs(6 * 365, rng, 20) : null;
    const display = [capitalise(adjective), capitalise(noun)].join(" ");
    return {
      name: rng.chance(0.02) ? null : rng.chance(0.3) ? `${display} Co.` : display,
      slug,
      domain,
      platformDomain,
      country,
      state,
      revenue,
      employees,
      products,
      avgPrice,
      klaviyoAt,
      source: pickers.source.pick(rng),
      offered: false,
    };
  }

  private companyLocal(first: string, last: string): string {
    const f = first[0] ?? "x";
    switch (this.rng.int(0, 5)) {
      case 0:
        return first;
      case 1:
        return `${first}.${last}`;
      case 2:
        return `${f}${last}`;
      case 3:
        return `${first}${last[0] ?? ""}`;
      case 4:
        return `${first}_${last}`;
      default:
        return `${first}${last}`;
    }
  }

  private freeMailLocal(first: string, last: string): string {
    const rng = this.rng;
    switch (rng.int(0, 4)) {
      case 0:
        return `${first}.${last}`;
      case 1:
        return `${first}${last}${rng.int(1, 99)}`;
      case 2:
        return `${first}_${last}`;
      case 3:
        return `${first[0] ?? "x"}${last}${rng.int(10, 9999)}`;
      default:
        return `${first}${rng.int(1960, 2005)}`;
    }
  }

  /** Break a well-formed address in one of the ways real exports do. */
  private malform(email: string): string {
    const rng = this.rng;
    const at = email.indexOf("@");
    const local = email.slice(0, at);
    const domain = email.slice(at + 1);
    const dot = domain.lastIndexOf(".");
    switch (rng.int(0, 9)) {
      case 0:
        return `${local}${domain}`; // missing @
      case 1:
        return `${local}@@${domain}`; // double @
      case 2:
        return `${local}@${domain.slice(0, dot)}@${domain.slice(dot + 1)}`; // @ instead of the dot
      case 3:
        return `${local.slice(0, 2)} ${local.slice(2)}@${domain}`; // space inside
      case 4:
        return `${email}.`; // trailing dot
      case 5:
        return `${local}@${domain.slice(0, dot)}.${rng.pick(["c", "cm", "c0m", "123", "con1"])}`; // bad TLD
      case 6:
        return `${local}@${domain.slice(0, domain.indexOf("."))}`; // no TLD at all
      case 7:
        return `${local.slice(0, 1)}..${local.slice(1)}@${domain}`; // consecutive dots
      case 8:
        return `@${domain}`; // empty local part
      default:
        return rng.chance(0.3) ? "" : `${local}@${domain.replace(".", ",")}`; // blank or comma
    }
  }

  /** Mixed case and stray whitespace on a well-formed address (normalisation must undo it). */
  private decorate(email: string): string {
    const rng = this.rng;
    let out = email;
    if (rng.chance(leadMix.mixedCase)) out = this.caseVariant(out);
    if (rng.chance(leadMix.whitespace)) out = rng.pick([` ${out}`, `${out} `, `  ${out}  `]);
    return out;
  }

  private caseVariant(email: string): string {
    const rng = this.rng;
    const at = email.indexOf("@");
    switch (rng.int(0, 3)) {
      case 0:
        return email.toUpperCase();
      case 1:
        return email.slice(0, at) + email.slice(at).toUpperCase();
      case 2:
        return email.replace(/(^|[._])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase());
      default:
        return capitalise(email);
    }
  }

  /** The same person again: same address in another case (or with whitespace), a later or earlier edit. */
  private duplicateOf(earlier: LeadRow & { canonical: string }): LeadRow {
    const rng = this.rng;
    let email = this.caseVariant(earlier.canonical);
    if (email === earlier.canonical || rng.chance(0.25)) email = ` ${email.toLowerCase()} `;
    const { canonical: _canonical, ...rest } = earlier;
    const row: LeadRow = { ...rest, email, updated_at: this.pastMs(730) };
    if (row.estimated_sales_yearly !== null && rng.chance(0.3)) {
      row.estimated_sales_yearly = Math.round(row.estimated_sales_yearly * (0.8 + 0.4 * rng.next()));
    }
    if (rng.chance(0.3)) row.source = pickers.source.pick(rng);
    return row;
  }

  private dncCase(email: string): string {
    const rng = this.dncRng;
    const r = rng.next();
    if (r < 0.4) return email.toUpperCase();
    if (r < 0.7) return capitalise(email);
    if (r < 0.85) return ` ${email} `;
    return email;
  }

  private randomEmail(): string {
    const rng = this.dncRng;
    const local = `${rng.pick(firstNames)}.${rng.pick(lastNames)}${rng.int(1, 999)}`;
    return `${local}@${rng.chance(0.5) ? pickers.freeMail.pick(rng) : this.randomDomain()}`;
  }

  private randomDomain(): string {
    const rng = this.dncRng;
    return `${rng.pick(storeAdjectives)}${rng.pick(storeNouns)}${rng.int(1000, 9999)}${pickers.tld.pick(rng)}`;
  }

  /** A whole-second instant within `days` before asOf (and at least `minDays` before it). */
  private pastMs(days: number, rng: Prng = this.rng, minDays = 0): number {
    const span = (days - minDays) * 86_400;
    return this.asOfMs - minDays * DAY_MS - rng.int(0, span) * 1000;
  }
}
