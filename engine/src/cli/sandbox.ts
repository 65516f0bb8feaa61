import { defineCommand } from "citty";
import { UserError } from "../core/errors.ts";
import { commandMeta } from "./command-list.ts";
// Heavy modules load in run(): `engine --help` reads every command's meta, so top-level imports stay light.

/**
 * `engine sandbox`: run the local Instantly API V2 simulator until Ctrl-C, so the engine (or curl)
 * can be pointed at it with INSTANTLY_BASE_URL / INSTANTLY_API_KEY. The key is a local fake.
 */
export default defineCommand({
  meta: commandMeta("sandbox"),
  args: {
    port: {
      type: "string",
      description: "Port to listen on, on 127.0.0.1 (0 = a random free port)",
      default: "4010",
    },
    seed: {
      type: "string",
      description: "Seed for ids, faults and the simulation (same seed → same run)",
      default: "sandbox",
    },
    "rate-limit": {
      type: "boolean",
      description:
        "Enforce the real API's 100 req/s + 6,000 req/min workspace limit (--no-rate-limit to disable)",
      default: true,
    },
    "retry-after": { type: "boolean", description: "Send Retry-After on 429 responses", default: false },
    "latency-ms": { type: "string", description: "Added latency per API request, in ms", default: "0" },
    faults: {
      type: "string",
      description:
        'Fault injection as JSON, e.g. \'{"rate5xx":0.02,"rate429Burst":0.01,"timeoutRate":0.005}\'',
    },
    persist: {
      type: "string",
      description: "JSON file to load state from and save it to (on advance and exit)",
    },
    "advance-days": {
      type: "string",
      description: "Advance the simulated clock by N days at start",
      default: "0",
    },
    "synthetic-leads": {
      type: "string",
      description: "Synthetic leads to create in each campaign at start",
      default: "0",
    },
    mailboxes: {
      type: "string",
      description: "Sending accounts per campaign (0 = none: every campaign sends without limit)",
      default: "0",
    },
    "mailbox-daily-limit": {
      type: "string",
      description: "Emails a day each sending account may send, shared by its campaigns",
      default: "30",
    },
    json: { type: "boolean", description: "Print the connection details as one JSON line", default: false },
  },
  async run({ args }) {
    const { startSandbox } = await import("../sandbox/server.ts");
    const port = wholeNumber("--port", args.port, 65535);
    const latencyMs = wholeNumber("--latency-ms", args["latency-ms"], 600_000);
    const advanceDays = wholeNumber("--advance-days", args["advance-days"], 3650);
    const syntheticLeads = wholeNumber("--synthetic-leads", args["synthetic-leads"], 1_000_000);
    const mailboxes = wholeNumber("--mailboxes", args.mailboxes, 500);
    const mailboxDailyLimit = wholeNumber("--mailbox-daily-limit", args["mailbox-daily-limit"], 100_000);
    let faults: Record<string, unknown> = {};
    if (args.faults) {
      try {
        faults = JSON.parse(args.faults) as Record<string, unknown>;
      } catch {
        throw new UserError(`--faults must be a JSON object, got ${JSON.stringify(args.faults)}`);
      }
    }
    let sandbox: Awaited<ReturnType<typeof startSandbox>>;
    try {
      sandbox = await startSandbox({
        port,
        seed: args.seed,
        rateLimit: args["rate-limit"] ? { retryAfter: args["retry-after"] } : false,
        faults: { latencyMs, ...faults },
        syntheticLeadsPerCampaign: syntheticLeads,
        sending: { accountsPerCampaign: mailboxes, accountDailyLimit: mailboxDailyLimit },
        ...(args.persist ? { persistPath: args.persist } : {}),
      });
    } catch (error) {
      if ((error as { code?: string }).code === "EADDRINUSE") {
        throw new UserError(`port ${port} is already in use`, {
          hint: "pass --port 0 for a random free port",
        });
      }
      throw error;
    }
    if (advanceDays > 0) sandbox.advance(advanceDays);
    const admin = sandbox.url.replace(/\/api\/v2$/, "/__sandbox");
    if (args.json) {
      console.log(JSON.stringify({ url: sandbox.url, apiKey: sandbox.apiKey, port: sandbox.port, admin }));
    } else {
      console.log(`Instantly sandbox listening (local fake key, safe to print):`);
      console.log(`  export INSTANTLY_BASE_URL=${sandbox.url}`);
      console.log(`  export INSTANTLY_API_KEY=${sandbox.apiKey}`);
      console.log(`  admin: curl -X POST ${admin}/advance -d '{"days":1}'   |   curl ${admin}/stats`);
      console.log("Ctrl-C to stop.");
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await sandbox.close();
    if (!args.json)
      console.log(args.persist ? `sandbox stopped; state saved to ${args.persist}` : "sandbox stopped");
  },
});

function wholeNumber(flag: string, raw: string | undefined, max: number): number {
  const value = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new UserError(`${flag} must be a whole number from 0 to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
