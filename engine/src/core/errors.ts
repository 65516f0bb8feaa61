/**
 * An error the user can act on: a bad setting, a missing file, a bad column. The CLI prints its
 * message and hint without a stack trace and exits with `exitCode`. Messages must never contain a
 * secret or lead PII (emails, names): name the field, file or row number instead.
 */
export class UserError extends Error {
  override readonly name = "UserError";
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 2;
  }
}

/** Exit codes shared by every command, so CI can tell outcomes apart. */
export const ExitCode = {
  ok: 0,
  /** The run finished but some rows were rejected or failed (`partial`). */
  partial: 1,
  /** Bad input: settings, files, arguments. Nothing was changed. */
  usage: 2,
  /** A fatal error during a run (`failed`). */
  failed: 3,
  /** Another run holds the lock (`skipped`). */
  locked: 4,
} as const;
