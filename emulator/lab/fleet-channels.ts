/**
 * The out-of-band channels of an emulated fleet, wired to the node model's `systemControl()`:
 * - `coreShellChannel`: one SSH core shell per node (emulator/sps/core-shell.ts) — reboot this node,
 *   "Other node" shutdown/activate, HA status, license install, `firmwarectl install` of a local ISO;
 * - `bmcChannel`: one IPMI BMC per physical unit (emulator/bmc/bmc.ts, real `ipmi_sim`) — chassis power.
 * Use them with `startFleet(doc, { channels: [coreShellChannel(), bmcChannel()] })`; each node's
 * description then lists `ssh` and `ipmi` connection details.
 */
import { promises as fs } from "node:fs";
import { sha256OfFile, ISO_HEADER_BYTES, versionFromIsoHeader } from "../sps/firmware-iso";
import { startBmc, type RunningBmc } from "../bmc/bmc";
import { startCoreShell, type CoreShellHandler } from "../sps/core-shell";
import type { FleetChannelFactory } from "./fleet";
import type { SystemControlHandler, UnitSelector } from "../sps/system-control-handler";

/** The core shell's view of a node: the node model's system control, plus local ISO reading for firmwarectl. */
export function coreShellHandlerFor(sc: SystemControlHandler): CoreShellHandler {
  return {
    rebootThisNode: () => sc.rebootThisNode(),
    rebootCluster: () => sc.rebootCluster(),
    shutdownOtherNode: () => sc.shutdownSecondary(),
    activateOtherNode: () => sc.activateSecondary(),
    haStatus: () => sc.haState(),
    installLicense: ({ content }) => sc.uploadLicense(content.toString("utf8")),
    // The emulated appliance's file system is the local one: the ISO path is read here.
    installFirmware: async (isoPath) => {
      const handle = await fs.open(isoPath, "r");
      let header: Buffer;
      let size: number;
      try {
        header = Buffer.alloc(ISO_HEADER_BYTES);
        await handle.read(header, 0, ISO_HEADER_BYTES, 0);
        size = (await handle.stat()).size;
      } finally {
        await handle.close();
      }
      const version = versionFromIsoHeader(header);
      if (!version) throw new Error(`firmwarectl: ${isoPath} is not an SPS firmware image`);
      return sc.installFirmwareImage({ version, sha256: await sha256OfFile(isoPath), size });
    },
  };
}

export function coreShellChannel(
  options: { username?: string; password?: string } = {},
): FleetChannelFactory {
  return async (handle) => {
    const username = options.username ?? "root";
    const password = options.password ?? handle.credentials[0]?.password;
    const shell = await startCoreShell({
      handler: coreShellHandlerFor(handle.node.systemControl()),
      users: [{ username, password }],
    });
    return {
      describe: () => ({
        ssh: {
          host: shell.host,
          port: shell.port,
          username,
          password,
          hostKeySha256: shell.hostKeyFingerprint,
          knownHostsLine: shell.knownHostsLine,
        },
      }),
      stop: () => shell.stop(),
    };
  };
}

export function bmcChannel(options: { username?: string; password?: string } = {}): FleetChannelFactory {
  return async (handle) => {
    const sc = handle.node.systemControl();
    const bmcs: { unit: UnitSelector; bmc: RunningBmc }[] = [];
    try {
      for (const unit of sc.units() as UnitSelector[]) {
        bmcs.push({
          unit,
          bmc: await startBmc({
            name: `${handle.name}-${unit}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 32),
            username: options.username,
            password: options.password,
            power: {
              powerOn: () => sc.powerOn(unit),
              powerOff: () => sc.powerOff(unit),
              isPoweredOn: () => sc.powerStatus(unit) === "on",
            },
          }),
        });
      }
    } catch (e) {
      await Promise.allSettled(bmcs.map((b) => b.bmc.stop()));
      throw e;
    }
    return {
      describe: () => ({
        ipmi: Object.fromEntries(
          bmcs.map(({ unit, bmc }) => [
            unit,
            { host: bmc.hostIpv4, port: bmc.port, username: bmc.username, password: bmc.password },
          ]),
        ),
      }),
      stop: async () => {
        await Promise.allSettled(bmcs.map((b) => b.bmc.stop()));
      },
    };
  };
}
