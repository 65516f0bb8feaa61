/**
 * The one email normaliser of the engine: what includes/rules.js normEmail does in SQL
 * (sql.lowerAscii(sql.trimAll(x))), so an email the engine compares is the rules' email. It strips
 * the whitespace BigQuery's TRIM strips (includes/sql.js WHITESPACE_CODE_POINTS, the same list here,
 * kept equal by test/structure.test.ts) and lower-cases A-Z only, never other letters: `toLowerCase`
 * would also fold "É" or the Kelvin sign, which the SQL leaves as they are.
 */
export const WHITESPACE_CODE_POINTS: readonly number[] = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
  0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];
const WHITESPACE = new Set(WHITESPACE_CODE_POINTS);

/** `lower_ascii(trim(email))` as the rules compute it; "" for null or undefined. */
export function normaliseEmail(email: string | null | undefined): string {
  const s = email ?? "";
  let start = 0;
  let end = s.length;
  while (start < end && WHITESPACE.has(s.charCodeAt(start))) start++;
  while (end > start && WHITESPACE.has(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end).replace(/[A-Z]+/g, (m) => m.toLowerCase());
}
