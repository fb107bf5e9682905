/**
 * `sps-emulator --fleet FLEET.json [--time-scale N] [--control-port P] [--no-ssh] [--no-ipmi]`
 * Starts an emulated SPS fleet on loopback — per node an HTTPS SPS API, an SSH core shell and one
 * IPMI BMC (ipmi_sim) per unit — prints one JSON document (each node's URL, CA path, certificate
 * fingerprint, credentials, ssh and ipmi details, and the control surface URL) on stdout, and runs until
 * SIGINT/SIGTERM, then stops every server and removes its temporary files.
 * Exit 2 on bad input (unreadable or invalid fleet file), 1 on a start failure.
 */
import { readFileSync } from "node:fs";
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
  return "usage: sps-emulator --fleet FLEET.json [--time-scale N] [--control-port PORT] [--no-ssh] [--no-ipmi]";
}

export function parseArgs(argv: string[]): CliArgs {
  let fleet: string | undefined;
  let timeScale: number | undefined;
  let controlPort: number | undefined;
  let ssh = true;
  let ipmi = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${usage()}`);
      return v;
    };
    if (a === "--fleet") fleet = value();
    else if (a === "--time-scale") timeScale = Number(value());
    else if (a === "--control-port") controlPort = Number(value());
    else if (a === "--no-ssh") ssh = false;
    else if (a === "--no-ipmi") ipmi = false;
    else if (a === "--help" || a === "-h") throw new Error(usage());
    else throw new Error(`unknown argument ${a}\n${usage()}`);
  }
  if (!fleet) throw new Error(`--fleet is required\n${usage()}`);
  if (timeScale !== undefined && !(timeScale > 0)) throw new Error("--time-scale must be a positive number");
  if (
    controlPort !== undefined &&
    !(Number.isInteger(controlPort) && controlPort >= 0 && controlPort < 65536)
  ) {
    throw new Error("--control-port must be a port number");
  }
  return { fleet, timeScale, controlPort, ssh, ipmi };
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  let document: unknown;
  try {
    args = parseArgs(argv);
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
