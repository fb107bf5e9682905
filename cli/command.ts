/**
 * What every `sps-upgrade` subcommand shares: the I/O it writes to (injected in tests), its entry in
 * the dispatch table, and the usage-error convention (exit 2, message naming the flag, then usage).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  today: () => string;
}

export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  today: () => new Date().toISOString().slice(0, 10),
};

/** One subcommand: `sps-upgrade <name> ...`. `run` gets the arguments after the name. */
export interface Command {
  /** One line for `sps-upgrade --help`. */
  readonly summary: string;
  /** The command's usage text (printed by `sps-upgrade <name> --help`, exit 0, and after a usage error). */
  readonly usage: string;
  run(args: readonly string[], io: CliIo): number | Promise<number>;
}

/** Exit code 2 (plan-contract.md: bad input), the message first, then the command's usage. */
export function usageError(io: CliIo, usage: string, message: string): number {
  io.stderr(`sps-upgrade: ${message}\n${usage}\n`);
  return 2;
}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"];

/**
 * `util.parseArgs` in strict mode, with `--help` / `-h` added, and the answer every subcommand gives
 * to its outcome: `--help` prints the usage (exit 0), a parse error (unknown flag, missing value) is a
 * usage error (exit 2). The parsed values, or the exit code.
 */
export function commandArgs<O extends Options>(
  args: readonly string[],
  options: O,
  io: CliIo,
  usage: string,
): Values<O> | number {
  let values: Values<O>;
  try {
    values = parseArgs({
      args: [...args],
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
    }).values;
  } catch (e) {
    return usageError(io, usage, (e as Error).message);
  }
  if ((values as { help?: boolean }).help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  return values;
}
