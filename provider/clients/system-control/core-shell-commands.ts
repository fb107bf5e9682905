/**
 * The commands the ssh channel runs on an SPS core shell — and the emulator's core shell
 * (`emulator/sps/core-shell.ts`) implements. Pure: builders, a parser for the command line (for the
 * emulator) and parsers for the machine-readable (JSON) answers.
 *
 * [doc] SPS has a root "Core shell" (console menu *Shells > Core shell*) and documents exactly one
 *       command there: `/opt/scb/bin/firmwarectl install <iso>` (docs/rest-api.md, "Other settings preflight reads").
 * Ours, not SPS's: One Identity documents no shell command for reboot, "Other node > Shutdown",
 *       "Activate slave", HA status or license upload (real-appliance facts §9). Those go through
 *       `pulumi-sps-wrapper`, a wrapper contract of this project (docs/reference/system-control.md, "The
 *       core-shell wrapper contract"): a script the OPERATOR installs on the core shell and implements with whatever
 *       their SPS offers. It is not an SPS command, and no SPS ships it. Without it, route these
 *       operations to the ipmi, command or manual channel (manual is the default).
 *
 * Rule H1: an upgrade reboots with `this-node reboot` only. `cluster reboot` ("Reboot Cluster") is for
 * next-hop monitoring alone, where the HA next-hop monitoring text instructs it (rule H4).
 */
import { z } from "zod";
import { HA_ROLES, HA_STATUSES, SYNC_STATES, type HaState, type PowerState } from "./operations";

/** The wrapper contract's command: ours, installed by the operator, never shipped by SPS. */
export const WRAPPER_COMMAND = "pulumi-sps-wrapper";
/** The contract version a wrapper prints for `pulumi-sps-wrapper contract-version`. */
export const WRAPPER_CONTRACT_VERSION = "1";
/** [doc] The documented firmware installer on the core shell. */
export const FIRMWARECTL = "/opt/scb/bin/firmwarectl";

/** The exit code of an unknown command (as a POSIX shell: command not found). */
export const EXIT_UNKNOWN_COMMAND = 127;

export type CoreShellCommand =
  | { kind: WrapperVerb }
  | { kind: "install-license"; fileName: string }
  | { kind: "install-firmware"; isoPath: string };

/** The wrapper contract's commands without arguments, by kind. */
const WRAPPER_VERBS = {
  "reboot-this-node": "this-node reboot",
  "reboot-cluster": "cluster reboot",
  "shutdown-other-node": "other-node shutdown",
  "activate-other-node": "other-node activate",
  "ha-status": "ha status --json",
  "contract-version": "contract-version",
} as const;
type WrapperVerb = keyof typeof WRAPPER_VERBS;
const wrapper = (kind: WrapperVerb): string => `${WRAPPER_COMMAND} ${WRAPPER_VERBS[kind]}`;

const SAFE_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/-]{1,1023}$/;

/** Wrapper contract: reboot this node only (S9, H1). Prints one line; exit 0 = reboot scheduled. */
export function rebootThisNodeCommand(): string {
  return wrapper("reboot-this-node");
}

/** Wrapper contract: "Reboot Cluster" run on the primary — next-hop monitoring only (H4), never an upgrade (H1). */
export function rebootClusterCommand(): string {
  return wrapper("reboot-cluster");
}

/** Wrapper contract: "Other node > Shutdown" run on the primary (H2). */
export function shutdownOtherNodeCommand(): string {
  return wrapper("shutdown-other-node");
}

/** Wrapper contract: "Activate slave" run on the primary (H2): the synced secondary becomes primary. */
export function activateOtherNodeCommand(): string {
  return wrapper("activate-other-node");
}

/** Wrapper contract: HA state as one JSON object on stdout (see `parseHaStatusOutput`). */
export function haStatusCommand(): string {
  return wrapper("ha-status");
}

/** Wrapper contract: install a license whose bytes arrive base64-encoded on stdin. */
export function installLicenseCommand(fileName: string): string {
  const name = SAFE_NAME.test(fileName) ? fileName : "license";
  return `${WRAPPER_COMMAND} license install --stdin-base64 --name ${name}`;
}

/** Wrapper contract: print the contract version (one line), so a check can tell it is installed. */
export function wrapperContractVersionCommand(): string {
  return wrapper("contract-version");
}

/** [doc] Install a firmware ISO already copied to the appliance (e.g. under /root/). */
export function installFirmwareCommand(isoPath: string): string {
  if (!SAFE_PATH.test(isoPath)) throw new Error(`firmware ISO path must be absolute and plain: ${isoPath}`);
  return `${FIRMWARECTL} install ${isoPath}`;
}

/** Parses a command line (the documented firmwarectl, or the wrapper contract); `null` for anything else (the shell answers 127). */
export function parseCoreShellCommand(line: string): CoreShellCommand | null {
  const words = line.trim().split(/\s+/);
  const [tool, ...rest] = words;
  const tail = rest.join(" ");
  if (tool === FIRMWARECTL || tool === "firmwarectl") {
    const [verb, path, ...extra] = rest;
    if (verb === "install" && path !== undefined && extra.length === 0 && SAFE_PATH.test(path))
      return { kind: "install-firmware", isoPath: path };
    return null;
  }
  if (tool !== WRAPPER_COMMAND) return null;
  const kind = (Object.keys(WRAPPER_VERBS) as WrapperVerb[]).find((k) => WRAPPER_VERBS[k] === tail);
  if (kind) return { kind };
  const m = /^license install --stdin-base64 --name (\S+)$/.exec(tail);
  if (m?.[1] !== undefined && SAFE_NAME.test(m[1])) return { kind: "install-license", fileName: m[1] };
  return null;
}

const versionOrNull = z.string().min(1).nullable();

/** The JSON shape of `pulumi-sps-wrapper ha status --json` (and the `command` channel's readHaState output). */
export const haStateSchema = z.object({
  status: z.enum(HA_STATUSES),
  sync: z.enum(SYNC_STATES),
  firmwareSynced: z.boolean().nullable(),
  nodes: z.array(
    z.object({
      unit: z.string().min(1),
      role: z.enum(HA_ROLES),
      power: z.enum(["on", "off", "unknown"]),
      firmware: z.object({ current: versionOrNull, active: versionOrNull }),
    }),
  ),
});

/** Parses and validates the HA status JSON; throws an Error naming the offending field. */
export function parseHaStatusOutput(stdout: string): HaState {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new Error(`HA status is not JSON: ${stdout.slice(0, 200)}`);
  }
  const parsed = haStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join(".") || "(root)" : "(root)";
    throw new Error(`HA status JSON field ${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** Renders HA state as the JSON line the core shell prints (emulator side). */
export function formatHaStatusOutput(state: HaState): string {
  return `${JSON.stringify(haStateSchema.parse(state))}\n`;
}

/** Parses a power answer: `on`/`off`, ipmitool's `Chassis Power is on|off`, or `{"power":"on"}`. */
export function parsePowerOutput(stdout: string): PowerState {
  const text = stdout.trim();
  const m = /(?:^|Chassis Power is\s+)(on|off)$/i.exec(text);
  if (m?.[1] !== undefined) return m[1].toLowerCase() === "on" ? "on" : "off";
  try {
    const j = JSON.parse(text) as { power?: unknown };
    if (j.power === "on" || j.power === "off") return j.power;
  } catch {
    // fall through
  }
  throw new Error(`cannot read a power state (on/off) from: ${text.slice(0, 200)}`);
}
