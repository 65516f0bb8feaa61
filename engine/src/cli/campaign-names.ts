import type { Warehouse } from "../warehouse/port.ts";

/**
 * Campaign names by id from the pull snapshots (`instantly_campaigns`, the newest name of each id), so
 * `engine plan` and `engine show` name campaigns the way `engine status` does. Empty before the first
 * pull; a campaign never pulled keeps its id.
 */
export async function readCampaignNames(warehouse: Warehouse): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const ref = { dataset: "ops" as const, name: "instantly_campaigns" };
  if (!(await warehouse.exists(ref))) return names;
  const newest = new Map<string, number>();
  for await (const batch of warehouse.read(ref, { columns: ["id", "name", "recorded_at"] })) {
    for (const row of batch) {
      const id = String(row.id).toLowerCase();
      const at =
        row.recorded_at instanceof Date ? row.recorded_at.getTime() : Date.parse(String(row.recorded_at));
      if (typeof row.name === "string" && row.name !== "" && at >= (newest.get(id) ?? -Infinity)) {
        names.set(id, row.name);
        newest.set(id, at);
      }
    }
  }
  return names;
}

/** `name` for a campaign id with a known name, else the id. */
export function campaignLabel(names: ReadonlyMap<string, string>, id: unknown): string | null {
  if (id === null || id === undefined || id === "") return null;
  return names.get(String(id).toLowerCase()) ?? String(id);
}
