import { isValidEmail } from "./lead-model.ts";
import type { BlockListEntry } from "./models.ts";
import type { SandboxState } from "./state.ts";

/**
 * Block-list values: an email blocks that address, a bare domain blocks every address at it. The
 * server decides `is_domain` from the value (docs/instantly-api-v2.md §3.14). Values are stored lower-cased.
 */
const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function normaliseBlockValue(raw: string): { value: string; isDomain: boolean } | null {
  const value = raw.trim().toLowerCase();
  if (value.includes("@")) return isValidEmail(value) ? { value, isDomain: false } : null;
  return DOMAIN_RE.test(value) ? { value, isDomain: true } : null;
}

/** Add a value (or find it if already listed). Returns null for a value that is neither email nor domain. */
export function addBlocklistValue(
  state: SandboxState,
  raw: string,
): { entry: BlockListEntry; created: boolean } | null {
  const norm = normaliseBlockValue(raw);
  if (!norm) return null;
  const existing = state.blocklist.findValue(norm.value);
  if (existing) return { entry: existing, created: false };
  const now = state.clock.now();
  const entry: BlockListEntry = {
    id: state.ids.uuidv7(now),
    timestamp_created: state.clock.iso(now),
    organization_id: state.workspace.id,
    bl_value: norm.value,
    is_domain: norm.isDomain,
  };
  state.blocklist.set(entry.id, entry);
  return { entry, created: true };
}
