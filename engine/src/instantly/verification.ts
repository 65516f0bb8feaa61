/**
 * Email verification results (docs/instantly-api-v2.md §3.13). The API answers `verification_status` ∈
 * pending | verified | invalid plus a separate `catch_all` flag (true | false | "pending"); there is no
 * risky/catch-all status. Our warehouse stores one result (`email_verifications.result`):
 * `invalid`, `catch_all` (verified but the domain accepts everything), `verified`, or `pending`
 * (still unknown when we stopped polling).
 */
import type { EmailVerification } from "./schemas.ts";

export type VerificationResult = "verified" | "invalid" | "catch_all" | "pending";

export interface VerificationOutcome {
  result: VerificationResult;
  /** The raw catch-all flag as Instantly reported it last. */
  catchAll: boolean | "pending" | null;
  /** Credits left after the verification, when reported. */
  credits: number | null;
  /** Credits this verification used, when reported. */
  creditsUsed: number | null;
  /** GET polls made after the initial POST. */
  polls: number;
}

/** Final = nothing left pending: an invalid address, or a verified one whose catch-all flag is known. */
export function isFinal(v: EmailVerification): boolean {
  if (v.verification_status === "invalid") return true;
  return v.verification_status === "verified" && v.catch_all !== "pending";
}

export function toResult(v: EmailVerification): VerificationResult {
  if (v.verification_status === "invalid") return "invalid";
  if (v.verification_status === "pending" || v.catch_all === "pending") return "pending";
  return v.catch_all === true ? "catch_all" : "verified";
}
