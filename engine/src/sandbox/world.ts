import { loadSettings } from "../config/settings.ts";
import { seedAccounts } from "./accounts.ts";
import { SimClock } from "./clock.ts";
import { IdMinter } from "./ids.ts";
import { buildCampaign, createLead } from "./lead-model.ts";
import type { Workspace } from "./models.ts";
import type { ResolvedOptions } from "./options.ts";
import { Prng } from "./prng.ts";
import { SandboxState } from "./state.ts";

/**
 * The initial world: one paid workspace, the segment campaigns of workflow_settings.yaml (active,
 * with their real ids so the engine's settings point at them) plus any campaigns given in options,
 * and optional synthetic leads. Same seed → same world.
 */
export function createInitialState(options: ResolvedOptions): SandboxState {
  const prng = new Prng(`${options.seed}|state`);
  const startMs = options.simulation.startTime ? Date.parse(options.simulation.startTime) : Date.now();
  const clock = new SimClock(startMs, options.simulation.realTime);
  const ids = new IdMinter(prng);
  const iso = clock.iso();
  const userId = ids.uuidv7(startMs);
  const workspace: Workspace = {
    id: ids.uuidv7(startMs),
    name: "Sandbox workspace",
    owner: userId,
    timestamp_created: iso,
    timestamp_updated: iso,
    plan_id: "pid_hg_v1",
    add_unsub_to_block: options.blocklistUnsubscribes,
    default_opportunity_value: 0,
    plan_id_leadfinder: null,
    plan_id_verification: {},
    org_logo_url: null,
    org_client_domain: null,
    plan_id_crm: null,
    plan_id_website_visitor: null,
    plan_id_inbox_placement: null,
  };
  const state = new SandboxState(
    workspace,
    {
      blocklistUnsubscribes: options.blocklistUnsubscribes,
      verificationCredits: options.verification.credits,
      planLeadLimit: options.planLeadLimit,
      defaultBlocklistId: ids.uuidv7(startMs),
      userId,
    },
    clock,
    ids,
    prng,
  );

  const { sequenceSteps, sequenceLengthDays } = options.simulation;
  if (options.campaignsFromSettings) {
    const settings = loadSettings(options.projectDir ? { projectDir: options.projectDir } : {});
    for (const segment of settings.segments) {
      if (state.campaigns.has(segment.campaignId)) continue;
      const c = buildCampaign(
        state,
        { id: segment.campaignId, name: `Sandbox ${segment.name}`, status: 1 },
        sequenceSteps,
        sequenceLengthDays,
      );
      state.campaigns.set(c.id, c);
    }
  }
  for (const seed of options.campaigns) {
    const c = buildCampaign(state, seed, sequenceSteps, sequenceLengthDays);
    state.campaigns.set(c.id, c);
  }

  seedAccounts(state, options);

  let n = 0;
  for (const campaign of [...state.campaigns.values()]) {
    for (let i = 0; i < options.syntheticLeadsPerCampaign; i++, n++) {
      createLead(
        state,
        {
          email: `lead${n}@company${n % 997}.example`,
          first_name: `First${n}`,
          last_name: `Last${n}`,
          company_name: `Company ${n % 997}`,
        },
        { campaign: campaign.id, list_id: null },
      );
    }
  }
  return state;
}

/** The primary key: given, or derived from the seed in the real keys' shape (base64 of `<uuid>:<secret>`). */
export function defaultApiKey(seed: string | number): string {
  const p = new Prng(`${seed}|apikey`);
  const uuid = `${p.hex(8)}-${p.hex(4)}-4${p.hex(3)}-a${p.hex(3)}-${p.hex(12)}`;
  return Buffer.from(`${uuid}:${p.hex(24)}`).toString("base64");
}
