import type {
  BlocklistCreateResult,
  BulkAddFlags,
  BulkAddResult,
  DeleteLeadsResult,
  InstantlyClient,
  LeadInput,
  VerificationOutcome,
} from "../instantly/index.ts";

/**
 * Every call of the loop that changes something in Instantly (or spends credits) goes through this
 * port. `apply` uses the live writer (the client); `plan` uses the recording writer, which answers as
 * if every call succeeded and sends nothing — the SAME code path decides what to do in both, so the
 * plan cannot drift from what apply does ("a dry run that writes is worse than no dry run").
 */
export interface InstantlyWriter {
  readonly recording: boolean;
  deleteLeads(campaignId: string, ids: readonly string[]): Promise<DeleteLeadsResult>;
  createBlocklistEntries(values: readonly string[]): Promise<BlocklistCreateResult>;
  /** The POST that spends the credit; may answer `pending`. */
  startVerification(email: string): Promise<VerificationOutcome>;
  /** An earlier run's pending verification: its result first (free); a new POST only on a 404. */
  resumeVerification(email: string): Promise<VerificationOutcome>;
  /** Polls a `pending` start to its final result (free); returns any other answer unchanged. */
  awaitVerification(email: string, started: VerificationOutcome): Promise<VerificationOutcome>;
  bulkAddLeads(campaignId: string, leads: readonly LeadInput[], flags?: BulkAddFlags): Promise<BulkAddResult>;
}

export class LiveWriter implements InstantlyWriter {
  readonly recording = false;
  constructor(private readonly client: InstantlyClient) {}
  deleteLeads(campaignId: string, ids: readonly string[]) {
    return this.client.deleteLeads(campaignId, ids);
  }
  createBlocklistEntries(values: readonly string[]) {
    return this.client.createBlocklistEntries(values);
  }
  startVerification(email: string) {
    return this.client.startVerification(email);
  }
  awaitVerification(email: string, started: VerificationOutcome) {
    return this.client.awaitVerification(email, started);
  }
  resumeVerification(email: string) {
    return this.client.resumeVerification(email);
  }
  bulkAddLeads(campaignId: string, leads: readonly LeadInput[], flags?: BulkAddFlags) {
    return this.client.bulkAddLeads(campaignId, leads, flags);
  }
}

/** Answers every write as a success, records the call counts, sends nothing. */
export class RecordingWriter implements InstantlyWriter {
  readonly recording = true;
  readonly calls: Record<string, number> = {};

  #count(op: string) {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
  }

  async deleteLeads(_campaignId: string, ids: readonly string[]): Promise<DeleteLeadsResult> {
    this.#count("deleteLeads");
    return { rows: ids.map((id) => ({ id, status: "deleted" as const })), deletedCount: ids.length };
  }

  async createBlocklistEntries(values: readonly string[]): Promise<BlocklistCreateResult> {
    this.#count("createBlocklistEntries");
    return {
      entries: values.map((v, i) => ({ id: `planned-${i}`, bl_value: v, is_domain: !v.includes("@") })),
      validCount: values.length,
      invalidCount: 0,
    };
  }

  /** A plan assumes a verification passes; apply --plan then adds only those that really do. */
  async startVerification(): Promise<VerificationOutcome> {
    this.#count("verifyEmail");
    return { result: "verified", catchAll: false, credits: null, creditsUsed: 0, polls: 0 };
  }

  async awaitVerification(_email: string, started: VerificationOutcome): Promise<VerificationOutcome> {
    return started;
  }

  resumeVerification(): Promise<VerificationOutcome> {
    return this.startVerification();
  }

  async bulkAddLeads(_campaignId: string, leads: readonly LeadInput[]): Promise<BulkAddResult> {
    this.#count("bulkAddLeads");
    return {
      rows: leads.map((_, index) => ({
        index,
        status: "created" as const,
        state: "succeeded" as const,
        retryable: false,
        reason: "planned",
      })),
      summary: { total_sent: leads.length, leads_uploaded: leads.length },
      lookupRequests: 0,
    };
  }
}
