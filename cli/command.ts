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

/**
 * `util.parseArgs` in strict mode, with `--help` / `-h` added: the parsed values, `"help"` when help
 * was asked for, or the parse error's message (unknown flag, missing value) for a usage error.
 */
export function parseCommandArgs<O extends Options>(
  args: readonly string[],
  options: O,
  allowPositionals = false,
):
  | { values: ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"]; positionals: string[] }
  | "help"
  | { error: string } {
  try {
    const r = parseArgs({
      args: [...args],
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals,
    });
    if ((r.values as { help?: boolean }).help) return "help";
    return {
      values: r.values,
      positionals: r.positionals,
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * `parseCommandArgs` and the answer every subcommand gives to its outcome: `--help` prints the usage
 * (exit 0), a parse error is a usage error (exit 2). The values and positionals, or the exit code.
 */
export function commandArgs<O extends Options>(
  args: readonly string[],
  options: O,
  io: CliIo,
  usage: string,
  allowPositionals = false,
):
  | {
      values: ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"];
      positionals: string[];
    }
  | number {
  const parsed = parseCommandArgs(args, options, allowPositionals);
  if (parsed === "help") {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if ("error" in parsed) return usageError(io, usage, parsed.error);
  return parsed;
}
