/**
 * `sps-upgrade` — the project's command line. One entry per subcommand in COMMANDS; each parses its
 * own flags with `util.parseArgs` (./command.ts). `--help` exits 0, `--version` prints the package
 * version, an unknown command or flag exits 2 (plan-contract.md).
 */
import { type CliIo, type Command, processIo, usageError } from "./command";
import { doctorCommand } from "./doctor";
import { migrateStateCommand } from "./migrate-state";
import { packageVersion } from "./package-version";
import { planCommand } from "./plan-command";
import { renderCommand } from "./render-command";

export type { CliIo } from "./command";

const COMMANDS: Record<string, Command> = {
  plan: planCommand,
  render: renderCommand,
  doctor: doctorCommand,
  "migrate-state": migrateStateCommand,
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return [
    "usage: sps-upgrade <command> [options]     (sps-upgrade <command> --help for its options)",
    "",
    "commands:",
    ...lines,
    "",
    "  --help, -h     this text",
    "  --version, -v  the version of pulumi-sps",
  ].join("\n");
}

export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    io.stdout(`${usage()}\n`);
    return 0;
  }
  if (name === "--version" || name === "-v") {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (name === "help") return runCli([rest[0] ?? "", "--help"], io);
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    const why = name === undefined || name === "" ? "missing command" : `unknown command "${name}"`;
    return usageError(io, usage(), why);
  }
  return command.run(rest, io);
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
