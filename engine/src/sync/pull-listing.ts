import { ExitCode, UserError } from "../core/errors.ts";
import type { InstantlyClient } from "../instantly/index.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";
import { instantlyLeadsTable } from "../warehouse/tables.ts";
import { crashPoint } from "./crash-points.ts";
import type { MonotonicClock } from "./journal.ts";
import { leadRow } from "./pull-rows.ts";
import { norm, type OpenAction } from "./reconcile.ts";

/**
 * One campaign's lead listing, streamed into `instantly_leads` in batches, with what makes a
 * listing untrustworthy counted on the way: leads without an email (they cannot be matched to a
 * person, so no action may come from them) and lead ids listed twice (the completeness check counts
 * DISTINCT ids; a repeated id's row is not stored again). The client stops a listing that loops
 * (client-core.ts `paginate`); the pull's budget stops one that is merely endless.
 */

export interface Listing {
  /** Distinct lead ids listed. */
  distinct: number;
  /** Leads listed with a null or blank email. */
  nullEmails: number;
  /** Rows whose lead id was already listed in this campaign. */
  duplicateIds: number;
}

/** The pull's overall time budget; `check` throws once it is spent. */
export class PullBudget {
  readonly #endsAt: number;
  constructor(readonly budgetMs: number) {
    this.#endsAt = performance.now() + budgetMs;
  }
  check(where: string): void {
    if (performance.now() >= this.#endsAt) {
      throw new UserError(
        `pull stopped ${where}: it ran past its budget of ${Math.round(this.budgetMs / 1000)} s`,
        {
          hint: "the Instantly API is answering slowly or without end; run `engine pull` again later (a larger budget: runPull's budgetMs option)",
          exitCode: ExitCode.failed,
        },
      );
    }
  }
}

export interface ListingOptions {
  client: InstantlyClient;
  warehouse: Warehouse;
  runId: string;
  clock: MonotonicClock;
  campaignId: string;
  batchRows: number;
  budget: PullBudget;
  /** Open add intents by `campaign|email` and drain intents by lead id (reconcile.ts). */
  addIndex: Map<string, OpenAction>;
  drainIndex: Map<string, OpenAction>;
  progress: (count: number) => void;
}

export async function listCampaignLeads(o: ListingOptions): Promise<Listing> {
  const seen = new Set<string>();
  const out: Listing = { distinct: 0, nullEmails: 0, duplicateIds: 0 };
  let buffer: Row[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    await o.warehouse.append(instantlyLeadsTable, buffer);
    buffer = [];
    crashPoint("pull.snapshot");
  };
  o.budget.check(`listing campaign ${o.campaignId}`);
  for await (const page of o.client.listLeads(o.campaignId)) {
    const at = o.clock.next();
    for (const lead of page) {
      if (seen.has(lead.id)) {
        out.duplicateIds++;
        continue;
      }
      seen.add(lead.id);
      if (!lead.email || lead.email.trim() === "") out.nullEmails++;
      buffer.push(leadRow(o.runId, at, o.campaignId, lead));
      if (lead.email) {
        const add = o.addIndex.get(`${(lead.campaign ?? o.campaignId).toLowerCase()}|${norm(lead.email)}`);
        if (add) add.foundLeadId = lead.id;
      }
      const drain = o.drainIndex.get(lead.id);
      if (drain) drain.stillPresent = true;
    }
    if (buffer.length >= o.batchRows) {
      await flush();
      o.progress(seen.size);
    }
    o.budget.check(`listing campaign ${o.campaignId}`);
  }
  await flush();
  out.distinct = seen.size;
  return out;
}
