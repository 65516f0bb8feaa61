/**
 * One canonical form for lead emails and do-not-contact values (definitions/README.md, "DNC matching").
 *
 * Why JavaScript: the form needs Unicode NFKC and IDN -> punycode. DuckDB has no NFKC and neither
 * dialect has punycode, so a SQL version would differ between the engines. The functions below are
 * written ONCE and run unchanged in both: on BigQuery as persistent JavaScript UDFs created by
 * definitions/operations/canonical_functions.sqlx (their body is `parseContact.toString()`), on DuckDB
 * as scalar functions the engine registers on every connection (engine/src/dataform/canonical-udf.ts
 * requires this file). test/sql/canonical.test.ts runs the UDF body the way BigQuery does and compares.
 *
 * `parseContact` must stay self-contained (no outer variables, no require): its source text is the UDF.
 *
 * CommonJS on purpose: Dataform evaluates includes in its own sandbox with `require`/`module.exports`.
 */

/**
 * Read one value as people write it: `{ value, kind: "email" | "domain", notation }`, or NULL when it
 * is neither an email nor a domain. Steps: NFKC (full-width `＠` -> `@`), invisible and format
 * characters removed (Cc/Cf: U+200B, U+200C, U+200D, U+2060, U+FEFF, soft hyphen ...), notations read
 * (`Name <a@b.c>`, `mailto:a@b.c?x`, `https://host/path`, `*.x.com`, `.x.com`, `@x.com`, `www.x.com`),
 * lower-cased, IDN labels to punycode (`bücher.de` -> `xn--bcher-kva.de`), trailing dots dropped.
 * A domain needs two or more labels of a-z 0-9 and `-`; an email a local part without spaces.
 */
function parseContact(raw) {
  if (raw === null || raw === undefined) return null;

  function punycode(label) {
    // RFC 3492 encoder (the IDNA form of one label, without the xn-- prefix).
    const base = 36;
    const tMin = 1;
    const tMax = 26;
    const cps = Array.from(label).map((c) => c.codePointAt(0));
    let out = cps
      .filter((c) => c < 128)
      .map((c) => String.fromCharCode(c))
      .join("");
    const basic = out.length;
    let handled = basic;
    if (basic > 0) out += "-";
    let n = 128;
    let delta = 0;
    let bias = 72;
    function digit(d) {
      return String.fromCharCode(d < 26 ? d + 97 : d + 22);
    }
    function adapt(d, points, first) {
      d = first ? Math.floor(d / 700) : d >> 1;
      d += Math.floor(d / points);
      let k = 0;
      while (d > ((base - tMin) * tMax) >> 1) {
        d = Math.floor(d / (base - tMin));
        k += base;
      }
      return k + Math.floor(((base - tMin + 1) * d) / (d + 38));
    }
    while (handled < cps.length) {
      let m = Infinity;
      for (let i = 0; i < cps.length; i++) if (cps[i] >= n && cps[i] < m) m = cps[i];
      delta += (m - n) * (handled + 1);
      n = m;
      for (let j = 0; j < cps.length; j++) {
        if (cps[j] < n) delta++;
        if (cps[j] === n) {
          let q = delta;
          for (let k = base; ; k += base) {
            const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
            if (q < t) break;
            out += digit(t + ((q - t) % (base - t)));
            q = Math.floor((q - t) / (base - t));
          }
          out += digit(q);
          bias = adapt(delta, handled + 1, handled === basic);
          delta = 0;
          handled++;
        }
      }
      delta++;
      n++;
    }
    return out;
  }

  function domainOf(text) {
    // Ideographic full stops are dots in IDNA; trailing dots (the DNS root) are dropped.
    const d = text.replace(/[\u3002\uff61]/g, ".").replace(/\.+$/, "");
    const labels = d.split(".");
    if (labels.length < 2) return null;
    const ascii = [];
    for (let i = 0; i < labels.length; i++) {
      const label = /^[ -~]*$/.test(labels[i]) ? labels[i] : `xn--${punycode(labels[i])}`;
      if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label) || label.length > 63) return null;
      ascii.push(label);
    }
    if (!/[a-z]/.test(ascii[ascii.length - 1])) return null;
    return ascii.join(".");
  }

  let s = String(raw)
    .normalize("NFKC")
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .replace(/^[\s\u0085]+|[\s\u0085]+$/g, "");
  let notation = null;
  const named = /^[^<>]*<([^<>]*)>$/.exec(s);
  if (named) {
    s = named[1].trim();
    notation = "name_address";
  }
  s = s.toLowerCase();
  if (/^mailto:/.test(s)) {
    s = s.slice(7).replace(/[?#].*$/, "");
    notation = notation || "mailto";
  } else if (/^[a-z][a-z0-9+.-]*:\/\//.test(s)) {
    s = s
      .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
      .replace(/[/?#].*$/, "")
      .replace(/^.*@/, "")
      .replace(/:\d*$/, "");
    notation = notation || "url";
  }
  if (/\s/.test(s) || s === "") return null;
  const at = s.lastIndexOf("@");
  if (at > 0) {
    const local = s.slice(0, at);
    const emailDomain = domainOf(s.slice(at + 1));
    if (emailDomain === null || /[@<>(),;:"[\]\\]/.test(local)) return null;
    return { value: `${local}@${emailDomain}`, kind: "email", notation: notation || "email" };
  }
  let bare = s;
  if (at === 0) {
    bare = s.slice(1);
    notation = notation || "at_domain";
  } else if (/^\*\./.test(s)) {
    bare = s.slice(2);
    notation = notation || "wildcard";
  } else if (/^\./.test(s)) {
    bare = s.slice(1);
    notation = notation || "leading_dot";
  }
  if (/^www\./.test(bare)) {
    bare = bare.slice(4);
    notation = notation || "www";
  }
  const domain = domainOf(bare);
  if (domain === null) return null;
  return { value: domain, kind: "domain", notation: notation || "domain" };
}

/** The canonical DNC value (an email or a domain), or NULL when unreadable. */
function canonicalDnc(raw) {
  const read = parseContact(raw);
  return read === null ? null : read.value;
}

/**
 * The canonical form of a lead's email. A value that does not read as an email keeps a cleaned form
 * (NFKC, invisible characters removed, lower-cased, trimmed) so the syntax check still flags it; NULL
 * when nothing is left.
 */
function canonicalEmail(raw) {
  if (raw === null || raw === undefined) return null;
  const read = parseContact(raw);
  if (read !== null && read.kind === "email") return read.value;
  const cleaned = String(raw)
    .normalize("NFKC")
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .replace(/^[\s\u0085]+|[\s\u0085]+$/g, "")
    .toLowerCase();
  return cleaned === "" ? null : cleaned;
}

/** The UDFs: name, JavaScript body (BigQuery `LANGUAGE js`; DuckDB runs the same text). */
const UDFS = {
  canonical_dnc: `${parseContact.toString()}\nvar read = parseContact(value);\nreturn read === null ? null : read.value;`,
  canonical_email: `${parseContact.toString()}\n${canonicalEmail.toString()}\nreturn canonicalEmail(value);`,
};

/** A one-argument JavaScript function `(value) => string | null` from a UDF body (DuckDB registration, tests). */
function compileUdf(name) {
  return new Function("value", UDFS[name]);
}

module.exports = { parseContact, canonicalDnc, canonicalEmail, UDFS, compileUdf };
