/**
 * The one base of every error the project throws on purpose. Each error class states a stable
 * `code` (a static string, the same for every instance of the class, distinct between classes), so
 * a printer, a log reader or a test tells errors apart without a chain of `instanceof`. An error
 * about the user's input also names the `field` as the user wrote it (`nodes.sps-a.ssh.hostKey`,
 * `sps:credentials.ipmi`) and the `hint` (the fix), when the thrower knows them. Its `name` is its
 * class's name. Pure.
 */

export interface SpsErrorDetails {
  /** The input a user should fix, spelled as the user wrote it. */
  field?: string | undefined;
  /** What to do about it, in one sentence. */
  hint?: string | undefined;
  cause?: unknown;
}

/** The message of anything thrown (an Error's message, anything else as a string). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class SpsError extends Error {
  /** The class's stable code; every subclass states its own. */
  static readonly code: string = "SPS_ERROR";
  // Declared, not initialised: an error without them carries no extra own property (printed errors
  // and recorded error objects stay as they were).
  declare readonly field?: string;
  declare readonly hint?: string;

  constructor(message?: string, details: SpsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    if (details.field !== undefined) Object.defineProperty(this, "field", { value: details.field });
    if (details.hint !== undefined) Object.defineProperty(this, "hint", { value: details.hint });
  }

  /** The stable code of this error's class (`HOST_KEY_MISMATCH`, `SSH_COMMAND_FAILED`, …). */
  get code(): string {
    return (this.constructor as typeof SpsError).code;
  }
}
