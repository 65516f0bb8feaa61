/**
 * Slack's documented size limits for a message posted through an incoming webhook, a validator that
 * lists every violation, and a truncation helper that never splits an emoji. Slack answers a payload
 * over a limit with HTTP 400 `invalid_blocks`, and the whole message is lost — so the Block Kit
 * builder truncates to these limits and the tests (and the sandbox sink) validate with them.
 *
 * Sources: Slack Block Kit reference (blocks, header, section, context, actions, button, text object)
 * and the chat.postMessage `text` guidance (keep ≤ 4,000 characters; Slack truncates at 40,000).
 * `maxTotalBlockChars` is not a documented per-field limit: Slack rejects messages whose blocks add
 * up to roughly 13,000 characters with `msg_blocks_too_long` (slackapi/bolt-js#2509), so we stay well
 * under it.
 */
export const slackLimits = {
  maxBlocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  blockId: 255,
  /** Top-level `text` (notification fallback): Slack's recommended maximum. */
  messageText: 4000,
  maxTotalBlockChars: 12_000,
} as const;

/**
 * Cut `text` to at most `max` UTF-16 units (what Slack counts, and ≥ the code-point count), ending
 * with "…" when cut. Cuts on a code-point boundary, so a surrogate-pair emoji is never split.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const ellipsis = "…";
  let out = "";
  for (const ch of text) {
    if (out.length + ch.length + ellipsis.length > max) break;
    out += ch;
  }
  return out + ellipsis;
}

/**
 * Keep whole lines while they fit in `max` characters; replace the rest with one "…and N more" line.
 * A single line longer than the budget is cut with `truncateText`.
 */
export function truncateLines(
  lines: string[],
  max: number,
  more = (n: number) => `• …and ${n} more`,
): string {
  const joined = lines.join("\n");
  if (joined.length <= max) return joined;
  const kept: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const tail = more(lines.length - i);
    const cost = (kept.length > 0 ? 1 : 0) + line.length;
    if (used + cost + 1 + tail.length > max) {
      if (kept.length === 0) return truncateText(line, max);
      kept.push(tail);
      return kept.join("\n");
    }
    kept.push(line);
    used += cost;
  }
  return kept.join("\n");
}

type Json = Record<string, unknown>;

const textOf = (obj: unknown): string | undefined =>
  obj && typeof obj === "object" && typeof (obj as Json).text === "string"
    ? ((obj as Json).text as string)
    : undefined;

/**
 * Every way `payload` (an incoming-webhook body: `{text?, blocks?}`) breaks a Slack limit, as
 * human-readable strings ("blocks[3] section text is 3120 chars (max 3000)"). Empty means valid.
 */
export function validateSlackPayload(payload: unknown): string[] {
  const problems: string[] = [];
  if (!payload || typeof payload !== "object") return ["payload is not a JSON object"];
  const body = payload as Json;
  const L = slackLimits;
  if (body.text === undefined && body.blocks === undefined)
    problems.push("payload has neither text nor blocks");
  if (body.text !== undefined) {
    if (typeof body.text !== "string") problems.push("text is not a string");
    else if (body.text.length > L.messageText)
      problems.push(`text is ${body.text.length} chars (max ${L.messageText})`);
  }
  if (body.blocks === undefined) return problems;
  if (!Array.isArray(body.blocks)) return [...problems, "blocks is not an array"];
  if (body.blocks.length > L.maxBlocks) problems.push(`${body.blocks.length} blocks (max ${L.maxBlocks})`);
  let total = 0;
  body.blocks.forEach((raw, i) => {
    const at = `blocks[${i}]`;
    if (!raw || typeof raw !== "object") {
      problems.push(`${at} is not an object`);
      return;
    }
    const block = raw as Json;
    if (typeof block.block_id === "string" && block.block_id.length > L.blockId)
      problems.push(`${at} block_id is ${block.block_id.length} chars (max ${L.blockId})`);
    const check = (label: string, text: string | undefined, max: number, required = true) => {
      if (text === undefined) {
        if (required) problems.push(`${at} ${label} is missing`);
        return;
      }
      total += text.length;
      if (text.length === 0 && required) problems.push(`${at} ${label} is empty`);
      if (text.length > max) problems.push(`${at} ${label} is ${text.length} chars (max ${max})`);
    };
    switch (block.type) {
      case "header": {
        const text = block.text as Json | undefined;
        if (text?.type !== "plain_text") problems.push(`${at} header text must be plain_text`);
        check("header text", textOf(text), L.headerText);
        break;
      }
      case "section": {
        const fields = block.fields as unknown[] | undefined;
        if (block.text === undefined && fields === undefined)
          problems.push(`${at} section needs text or fields`);
        if (block.text !== undefined) check("section text", textOf(block.text), L.sectionText);
        if (fields !== undefined) {
          if (fields.length > L.sectionFields)
            problems.push(`${at} section has ${fields.length} fields (max ${L.sectionFields})`);
          fields.forEach((f, j) => {
            check(`field ${j}`, textOf(f), L.sectionFieldText);
          });
        }
        break;
      }
      case "context": {
        const elements = (block.elements as unknown[] | undefined) ?? [];
        if (elements.length === 0) problems.push(`${at} context has no elements`);
        if (elements.length > L.contextElements)
          problems.push(`${at} context has ${elements.length} elements (max ${L.contextElements})`);
        elements.forEach((e, j) => {
          check(`context element ${j}`, textOf(e), L.contextText, false);
        });
        break;
      }
      case "actions": {
        const elements = (block.elements as Json[] | undefined) ?? [];
        if (elements.length === 0) problems.push(`${at} actions has no elements`);
        if (elements.length > L.actionsElements)
          problems.push(`${at} actions has ${elements.length} elements (max ${L.actionsElements})`);
        elements.forEach((e, j) => {
          if (e.type !== "button") return;
          check(`button ${j} text`, textOf(e.text), L.buttonText);
          if (typeof e.url === "string") {
            if (e.url.length > L.buttonUrl) problems.push(`${at} button ${j} url is too long`);
            if (!/^https?:\/\//.test(e.url)) problems.push(`${at} button ${j} url is not http(s)`);
          }
        });
        break;
      }
      case "divider":
        break;
      default:
        problems.push(`${at} has unsupported type ${JSON.stringify(block.type)}`);
    }
  });
  if (total > L.maxTotalBlockChars)
    problems.push(`blocks hold ${total} chars of text (keep under ${L.maxTotalBlockChars})`);
  return problems;
}
