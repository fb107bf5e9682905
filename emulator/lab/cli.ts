/**
 * `sps-emulator --fleet FLEET.json [--time-scale N] [--control-port P] [--no-ssh] [--no-ipmi]`
 * Starts an emulated SPS fleet on loopback — per node an HTTPS SPS API, an SSH core shell and one
 * IPMI BMC (ipmi_sim) per unit — prints one JSON document (each node's URL, CA path, certificate
 * fingerprint, credentials, ssh and ipmi details, and the control surface URL) on stdout, and runs until
 * SIGINT/SIGTERM, then stops every server and removes its temporary files.
 * Exit 2 on bad input (unreadable or invalid fleet file, unknown flag), 1 on a start failure; `--help`
 * prints the usage and `--version` the package version, both exit 0. Flags parsed by `util.parseArgs`.
 */
import { readFileSync } from "node:fs";
import { parseArgs as parseArgv } from "node:util";
import { packageVersion } from "../../cli/package-version";
import { startFleet, type FleetChannelFactory, type StartFleetOptions } from "./fleet";
import { bmcChannel, coreShellChannel } from "./fleet-channels";

interface CliArgs {
  fleet: string;
  timeScale?: number;
  controlPort?: number;
  ssh: boolean;
  ipmi: boolean;
}

function usage(): string {
  return "usage: sps-emulator --fleet FLEET.json [--time-scale N] [--control-port PORT] [--no-ssh] [--no-ipmi]\n       sps-emulator --help | --version";
}

/** The arguments, or what to print instead of starting (`--help`, `--version`). Throws on bad input (exit 2). */
export function parseArgs(argv: readonly string[]): CliArgs | "help" | "version" {
  let values;
  try {
    values = parseArgv({
      args: [...argv],
      options: {
        fleet: { type: "string" },
        "time-scale": { type: "string" },
        "control-port": { type: "string" },
        "no-ssh": { type: "boolean" },
        "no-ipmi": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${usage()}`);
  }
  if (values.help) return "help";
  if (values.version) return "version";
  const { fleet } = values;
  if (!fleet) throw new Error(`--fleet is required\n${usage()}`);
  const timeScale = values["time-scale"] === undefined ? undefined : Number(values["time-scale"]);
  const controlPort = values["control-port"] === undefined ? undefined : Number(values["control-port"]);
  if (timeScale !== undefined && !(timeScale > 0)) {
    throw new Error(`--time-scale: "${values["time-scale"]}" must be a positive number`);
  }
  if (
    controlPort !== undefined &&
    !(Number.isInteger(controlPort) && controlPort >= 0 && controlPort < 65536)
  ) {
    throw new Error(`--control-port: "${values["control-port"]}" must be a port number (0–65535)`);
  }
  return { fleet, timeScale, controlPort, ssh: !values["no-ssh"], ipmi: !values["no-ipmi"] };
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  let document: unknown;
  try {
    const parsed = parseArgs(argv);
    if (parsed === "help" || parsed === "version") {
      process.stdout.write(`${parsed === "help" ? usage() : packageVersion()}\n`);
      return 0;
    }
    args = parsed;
    document = JSON.parse(readFileSync(args.fleet, "utf8")) as unknown;
  } catch (e) {
    process.stderr.write(`sps-emulator: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const channels: FleetChannelFactory[] = [];
  if (args.ssh) channels.push(coreShellChannel());
  if (args.ipmi) channels.push(bmcChannel());
  const options: StartFleetOptions = { channels };
  if (args.timeScale !== undefined) options.timeScale = args.timeScale;
  if (args.controlPort !== undefined) options.controlPort = args.controlPort;
  let fleet;
  try {
    fleet = await startFleet(document, options);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(
      `sps-emulator: ${message.startsWith("fleet:") ? `${args.fleet}${message.slice(5)}` : message}\n`,
    );
    return message.startsWith("fleet:") ? 2 : 1;
  }
  process.stdout.write(JSON.stringify(fleet.describe(), null, 2) + "\n");
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      process.stderr.write(`sps-emulator: ${signal}, stopping\n`);
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await fleet.stop();
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`sps-emulator: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
