/**
 * Names for Instantly's numeric codes, for people reading `engine status` / `engine explain` (the
 * meanings are in includes/rules.js's header, the campaign codes in Instantly's campaign schema).
 * Display only: no rule reads these.
 */
const CAMPAIGN_STATUS: Record<number, string> = {
  0: "draft",
  1: "active",
  2: "paused",
  3: "completed",
  4: "running subsequences",
  [-1]: "accounts unhealthy",
  [-2]: "bounce protect",
  [-99]: "account suspended",
};

const LEAD_STATUS: Record<number, string> = {
  1: "active",
  2: "paused",
  3: "completed",
  [-1]: "bounced",
  [-2]: "unsubscribed",
  [-3]: "skipped",
};

const INTEREST_STATUS: Record<number, string> = {
  0: "out of office",
  1: "interested",
  2: "meeting booked",
  3: "meeting completed",
  4: "won",
  [-1]: "not interested",
  [-2]: "wrong person",
  [-3]: "lost",
  [-4]: "no show",
};

function named(table: Record<number, string>, code: unknown): string | null {
  if (code === null || code === undefined || code === "") return null;
  const n = Number(code);
  return table[n] ?? `code ${String(code)}`;
}

export const campaignStatusName = (code: unknown) => named(CAMPAIGN_STATUS, code);
export const leadStatusName = (code: unknown) => named(LEAD_STATUS, code);
export const interestStatusName = (code: unknown) => named(INTEREST_STATUS, code);
