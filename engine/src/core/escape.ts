/**
 * Escaping of untrusted text (campaign names and error messages from Instantly, lead values) for each
 * place it is printed or posted. Every sink imports its function from here, so one file says what
 * "escaped" means per sink:
 *
 * | sink | function |
 * | --- | --- |
 * | Slack mrkdwn (webhook text and blocks) | `escapeSlackMrkdwn` |
 * | Echo (Markdown `content`, titles, notification_data strings) | `escapeEchoMarkdown` |
 * | GitHub job summary (Markdown) | `markdownCode` (free text as an inline code span) |
 * | terminal and CI log lines (the console notifier, stderr, CLI tables) | `escapeTerminal`, `guardWorkflowCommands` |
 *
 * No dependencies: a leaf module.
 */

/** C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  if (ch === "\n" || ch === "\r" || ch === "\t" || ch === "\u2028" || ch === "\u2029") return " ";
  const code = ch.codePointAt(0) ?? 0;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * One line of plain text: line breaks and tabs become spaces, every other control character (ESC of a
 * terminal escape sequence, BEL, backspace, C1 CSI, bidi overrides) its visible `\xNN` / `\uNNNN`
 * form. Untrusted text can then neither start a new line nor drive the terminal.
 */
export function escapeTerminal(text: string): string {
  return text.replace(CONTROL, visible);
}

/** Zero-width space: splits a workflow-command marker without changing what a person reads. */
const ZWSP = "\u200b";

/**
 * A GitHub Actions runner executes a log line as a workflow command when it starts with `::`
 * (after leading whitespace) and, in the older syntax, wherever `##[` appears in it. Both are split
 * with a zero-width space, so no line of `text` is a command, whatever it holds.
 */
export function guardWorkflowCommands(text: string): string {
  return text
    .split(/(\r\n|\r|\n)/)
    .map((part) => part.replace(/^(\s*):(?=:)/, `$1:${ZWSP}`).replace(/##\[/g, `#${ZWSP}#[`))
    .join("");
}

/**
 * Slack mrkdwn: `&`, `<` and `>` are its only control characters (mentions `<!channel>`, links
 * `<url|label>`, user tags); as entities they print as themselves. Control characters become one line.
 */
export function escapeSlackMrkdwn(text: string): string {
  return escapeTerminal(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Echo's Markdown: no HTML, no mention and no link can be formed. `&`, `<`, `>` become entities (Echo
 * posts to Slack, where they are mrkdwn's control characters; a Markdown renderer prints them as
 * themselves), and the brackets of `[label](url)` / `![alt](src)` are backslash-escaped. Other
 * punctuation stays as it is, so the messages keep their layout (test/notify/render.test.ts).
 */
export function escapeEchoMarkdown(text: string): string {
  return escapeSlackMrkdwn(text.replace(/\\(?=[[\]])/g, "\\\\")).replace(/([[\]])/g, "\\$1");
}

/**
 * Free text for GitHub-flavoured Markdown (the job summary) as an inline code span, for a paragraph
 * or a list item (not a table cell): inside one, no Markdown, HTML, autolink or entity is interpreted.
 * The fence is one backtick longer than the longest run inside, as CommonMark requires.
 */
export function markdownCode(text: string): string {
  const flat = escapeTerminal(text);
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat.length === 0 ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Workflow commands this engine writes on purpose (report/github.ts annotations), line for line. */
const trustedCommands = new Set<string>();

/** Marks `line` as a workflow command the engine means: `guardOutput` lets exactly that line through. */
export function trustedWorkflowCommand(line: string): string {
  trustedCommands.add(line);
  return line;
}

/**
 * Output for a GitHub Actions log: every line split like `guardWorkflowCommands`, except the engine's
 * own annotations (`trustedWorkflowCommand`). cli/output-guard.ts applies it to stdout and stderr.
 */
export function guardOutput(text: string): string {
  return text
    .split(/(\r\n|\r|\n)/)
    .map((part) => (trustedCommands.has(part) ? part : guardWorkflowCommands(part)))
    .join("");
}
