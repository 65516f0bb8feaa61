import { actionId } from "../setup/action-id.ts";
import { prng } from "../setup/prng.ts";
import { AS_OF, insert, MIDSIZE, rows, type Scenario, SMB } from "./harness.ts";

export { prng };

/**
 * A small, seeded Instantly for the state-table tests: it holds leads per campaign, moves their
 * sequences on between pulls (replies, out-of-office, bounces, unsubscribes, answers, completions), and
 * writes exactly what the engine would: snapshot rows plus the succeeded sync_runs row of a pull, and
 * intent + final changelog rows for the adds, drains and blocks the action tables ask for. Every write
 * goes to each scenario given, so an incrementally built warehouse and a full-refresh one see the
 * same data.
 */

export interface SimLead {
  lead_id: string;
  email: string;
  campaign_id: string;
  status: number;
  lt_interest_status: number | null;
  email_reply_count: number;
  timestamp_created: string;
  timestamp_last_reply: string | null;
  timestamp_last_interest_change: string | null;
}

/** ISO time `hours` before AS_OF. */
export function hoursAgo(hours: number): string {
  return new Date(Date.parse(AS_OF) - hours * 3_600_000).toISOString();
}

export class SimInstantly {
  readonly leads = new Map<string, SimLead>();
  private nextLead = 1;
  private readonly random: () => number;

  constructor(
    private readonly targets: Scenario[],
    seed = 7,
  ) {
    this.random = prng(seed);
  }

  private async write(schema: string, table: string, data: Record<string, unknown>[]): Promise<void> {
    if (data.length === 0) return;
    for (const s of this.targets) {
      await insert(s, schema, table, data as Parameters<typeof insert>[3]);
    }
  }

  /** A pull at `at`: one snapshot row per lead held plus campaign rows; `complete: false` = killed midway. */
  async pull(runId: string, at: string, complete = true): Promise<void> {
    await this.write(
      "cold_email_ops",
      "instantly_campaigns",
      [SMB, MIDSIZE].map((id) => ({ run_id: runId, recorded_at: at, id, name: id, status: 1 })),
    );
    await this.write(
      "cold_email_ops",
      "instantly_leads",
      [...this.leads.values()].map((l) => ({ run_id: runId, recorded_at: at, ...l })),
    );
    await this.write("cold_email_ops", "sync_runs", [
      complete
        ? { run_id: runId, mode: "pull", started_at: at, finished_at: at, status: "succeeded" }
        : { run_id: runId, mode: "pull", started_at: at, finished_at: at, status: "failed" },
    ]);
  }

  /**
   * What `engine apply` does with the action tables of `from`: drain (and block) every drain_queue
   * row, then add the first `slots` rows of push_queue; each with an intent and a succeeded row.
   */
  async apply(from: Scenario, runId: string, at: string): Promise<{ adds: number; drains: number }> {
    const [budget] = await rows(from, `select slots, pull_run_id from "cold_email"."push_budget"`);
    const pullRunId = String(budget?.pull_run_id ?? "");
    const drains = await rows(from, `select * from "cold_email"."drain_queue" order by action_id`);
    const queue = await rows(from, `select * from "cold_email"."push_queue" order by rank`);
    const log: Record<string, unknown>[] = [];
    const intentAt = at;
    const doneAt = new Date(Date.parse(at) + 1000).toISOString();
    const entry = (a: Record<string, unknown>, state: string, recorded: string) => ({
      run_id: runId,
      recorded_at: recorded,
      ...a,
      state,
    });
    for (const d of drains) {
      const action = {
        action_id: String(d.action_id),
        op: "drain",
        email: String(d.email),
        campaign_id: String(d.campaign_id),
        lead_id: String(d.lead_id),
        reason: String(d.reason),
      };
      log.push(entry(action, "intent", intentAt), entry(action, "succeeded", doneAt));
      this.leads.delete(String(d.lead_id));
      if (d.block) {
        const block = {
          ...action,
          action_id: actionId("block", action.email, action.campaign_id, pullRunId),
          op: "block",
        };
        log.push(entry(block, "intent", intentAt), entry(block, "succeeded", doneAt));
      }
    }
    const slots = Number(budget?.slots ?? 0);
    for (const q of queue.slice(0, slots)) {
      const leadId = `L${this.nextLead++}`;
      const action = {
        action_id: String(q.action_id),
        op: "add",
        email: String(q.email),
        campaign_id: String(q.campaign_id),
        reason: String(q.segment),
      };
      log.push(entry(action, "intent", intentAt), entry({ ...action, lead_id: leadId }, "succeeded", doneAt));
      this.leads.set(leadId, {
        lead_id: leadId,
        email: String(q.email),
        campaign_id: String(q.campaign_id),
        status: 1,
        lt_interest_status: null,
        email_reply_count: 0,
        timestamp_created: doneAt,
        timestamp_last_reply: null,
        timestamp_last_interest_change: null,
      });
    }
    await this.write("cold_email_ops", "sync_changelog", log);
    await this.write("cold_email_ops", "sync_runs", [
      { run_id: runId, mode: "apply", started_at: intentAt, finished_at: doneAt, status: "succeeded" },
    ]);
    return { adds: Math.min(slots, queue.length), drains: drains.length };
  }

  /** Sequences move on by `at`: each running lead may reply, go out of office, bounce, answer, finish. */
  advance(at: string): void {
    for (const lead of this.leads.values()) {
      if (lead.status !== 1) continue;
      const r = this.random();
      if (r < 0.08) {
        lead.email_reply_count += 1;
        lead.timestamp_last_reply = at;
      } else if (r < 0.13) {
        lead.email_reply_count += 1;
        lead.lt_interest_status = 0;
        lead.timestamp_last_reply = at;
        lead.timestamp_last_interest_change = at;
      } else if (r < 0.17) {
        lead.status = -1;
      } else if (r < 0.2) {
        lead.status = -2;
      } else if (r < 0.26) {
        lead.status = 3;
      } else if (r < 0.29) {
        lead.email_reply_count += 1;
        lead.lt_interest_status = 1;
        lead.timestamp_last_reply = at;
        lead.timestamp_last_interest_change = at;
      } else if (r < 0.32) {
        lead.email_reply_count += 1;
        lead.lt_interest_status = -1;
        lead.timestamp_last_interest_change = at;
      } else if (r < 0.34) {
        lead.email_reply_count += 1;
        lead.lt_interest_status = -2;
        lead.timestamp_last_interest_change = at;
      }
    }
  }
}

/** Every row of a table in a stable order, as JSON-safe values (for comparing two warehouses). */
export async function tableRows(s: Scenario, schema: string, table: string): Promise<unknown[]> {
  const reader = await s.conn.runAndReadAll(`select * from "${schema}"."${table}" order by all`);
  return reader.getRowObjectsJson();
}
