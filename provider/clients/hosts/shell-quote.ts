/**
 * Quoting for POSIX shells: every argument that reaches a remote shell goes through here, so a path
 * or a version with a space, a quote or a `$` stays one literal argument.
 */

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, quoted for `sh`: safe words stay as they are, anything else is single-quoted. */
export function shellQuote(arg: string): string {
  if (arg.includes("\0")) throw new Error("shellQuote: an argument cannot contain a NUL byte");
  if (arg === "") return "''";
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from separate arguments, each quoted with `shellQuote`. */
export function shellJoin(args: readonly string[]): string {
  return args.map(shellQuote).join(" ");
}
