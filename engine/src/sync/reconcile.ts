import { parseActionOp } from "../core/action-id.ts";
import { isAmbiguousFailure } from "../core/action-state.ts";
import { normaliseEmail } from "../core/email.ts";
import { ExitCode, UserError } from "../core/errors.ts";
import { makeAction, type PlannedAction } from "../core/plan.ts";
import { collectPages, type InstantlyClient, settle } from "../instantly/index.ts";
import type { Row, Warehouse } from "../warehouse/port.ts";
import type { FinalEntry } from "./journal.ts";

/** Emails compare as the rules normalise them (core/email.ts). */
export const norm = normaliseEmail;

export interface OpenAction {
  action: PlannedAction;
  /** When its latest row was written (another process's clock): what this pull writes must sort after it. */
  stateAt?: Date;
  /** add: lead id found in the snapshot. */
  foundLeadId?: string;
  /** drain: lead id still present. */
  stillPresent?: boolean;
}

export const isSnapshotOp = (o: OpenAction) => o.action.op === "add" || o.action.op === "drain";

export async function reconcileOne(
  o: OpenAction,
  managed: Set<string>,
  client: InstantlyClient,
): Promise<FinalEntry> {
  const a = o.action;
  const failed = (errorCode: string, message: string): FinalEntry => ({
    action: a,
    state: "failed",
    retryable: true,
    errorCode,
    message,
  });
  if ((a.op === "add" || a.op === "drain") && !managed.has(a.campaign_id)) {
    return failed("campaign_not_managed", "campaign no longer managed; not in the snapshot");
  }
  switch (a.op) {
    case "add":
      return o.foundLeadId
        ? {
            action: a,
            state: "succeeded",
            leadId: o.foundLeadId,
            message: "reconciled: lead found in the campaign",
          }
        : failed("not_found_after_pull", "reconciled: lead not in the campaign at the next pull");
    case "drain":
      return o.stillPresent
        ? failed("still_present", "reconciled: lead still in the campaign at the next pull")
        : { action: a, state: "succeeded", message: "reconciled: lead gone at the next pull" };
    case "block": {
      const found = await settle(collectPages(client.listBlocklistEntries({ search: a.email })));
      if (found.status === "fatal") throw new UserError(found.message, { exitCode: ExitCode.failed });
      if (found.status !== "succeeded") return failed(found.code, `reconcile check failed: ${found.message}`);
      const present = found.value.some((e) => norm(e.bl_value) === norm(a.email));
      return present
        ? { action: a, state: "succeeded", message: "reconciled: value is in the block list" }
        : failed("not_in_blocklist", "reconciled: value not in the block list");
    }
    default:
      return failed("unconfirmed", "reconciled: verification outcome unknown; verified again when needed");
  }
}

/**
 * Actions whose latest state is `intent` (the run died between the intent and the final row), plus
 * adds whose failure was ambiguous (a partial bulk result, a 5xx or timeout after the request may have
 * been applied: created or not, the snapshot tells).
 * Read from the stg_sync_actions view when the transform has created it, else from the raw changelog.
 */
export async function loadOpenActions(warehouse: Warehouse): Promise<OpenAction[]> {
  const view = { dataset: "staging" as const, name: "stg_sync_actions" };
  const rows: Row[] = [];
  if (await warehouse.exists(view)) {
    for await (const b of warehouse.read(view, { where: { is_unresolved: true } })) rows.push(...b);
    for await (const b of warehouse.read(view, { where: { op: "add", state: "failed" } })) {
      for (const r of b) if (isAmbiguousFailure(r.error_code as string | null)) rows.push(r);
    }
  } else {
    const latest = new Map<string, Row>();
    for await (const b of warehouse.read({ dataset: "ops", name: "sync_changelog" })) {
      for (const r of b) {
        const prev = latest.get(String(r.action_id));
        const at = new Date(r.recorded_at as Date).getTime();
        const prevAt = prev ? new Date(prev.recorded_at as Date).getTime() : -1;
        if (!prev || at > prevAt || (at === prevAt && r.state !== "intent"))
          latest.set(String(r.action_id), r);
      }
    }
    for (const r of latest.values()) {
      const ambiguousAdd =
        r.op === "add" && r.state === "failed" && isAmbiguousFailure(r.error_code as string | null);
      if (r.state === "intent" || ambiguousAdd) rows.push(r);
    }
  }
  return rows.map((r) => ({
    ...stamped(r.state_at ?? r.recorded_at),
    action: makeAction({
      action_id: String(r.action_id),
      op: parseActionOp(r.op),
      email: norm(r.email as string | null),
      campaign_id: String(r.campaign_id ?? "").toLowerCase(),
      lead_id: (r.lead_id as string | null) ?? null,
      reason: (r.reason as string | null) ?? null,
    }),
  }));
}

function stamped(at: unknown): { stateAt?: Date } {
  const d = at instanceof Date ? at : typeof at === "string" ? new Date(at) : null;
  return d && !Number.isNaN(d.getTime()) ? { stateAt: d } : {};
}
