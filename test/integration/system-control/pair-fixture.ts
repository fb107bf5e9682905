/**
 * A tiny in-test HA pair standing in for the emulator's node model (wired later by the emulator):
 * two units with power, role and firmware, a core-shell handler for the primary, and BMC power
 * callbacks per unit. Records every call so tests can see what reached the "appliance".
 */
import type { BmcPowerCallbacks } from "../../../emulator/bmc/bmc";
import type { CoreShellHandler } from "../../../emulator/sps/core-shell";
import type { HaState } from "../../../provider/clients/system-control";

export interface UnitModel {
  unit: string;
  power: "on" | "off";
  role: "primary" | "secondary";
  current: string;
  active: string;
}

export class FakePair {
  readonly units: Record<string, UnitModel> = {
    a: { unit: "a", power: "on", role: "primary", current: "6.0.4", active: "6.0.4" },
    b: { unit: "b", power: "on", role: "secondary", current: "6.0.4", active: "6.0.4" },
  };
  readonly calls: string[] = [];
  readonly licenses: { fileName: string; content: Buffer }[] = [];

  private unitWithRole(role: "primary" | "secondary"): UnitModel {
    const u = Object.values(this.units).find((x) => x.role === role);
    if (!u) throw new Error(`no ${role}`);
    return u;
  }

  haState(): HaState {
    const both = Object.values(this.units).every((u) => u.power === "on");
    return {
      status: both ? "HA" : "Degraded",
      sync: both ? "synced" : "disconnected",
      firmwareSynced: both,
      nodes: Object.values(this.units).map((u) => ({
        unit: u.unit,
        role: u.role,
        power: u.power,
        firmware: { current: u.current, active: u.active },
      })),
    };
  }

  /** Core-shell handler of the primary. */
  shell(): CoreShellHandler {
    return {
      rebootThisNode: () => {
        this.calls.push("rebootThisNode");
      },
      rebootCluster: () => {
        this.calls.push("rebootCluster");
      },
      shutdownOtherNode: () => {
        this.calls.push("shutdownOtherNode");
        this.unitWithRole("secondary").power = "off";
      },
      activateOtherNode: () => {
        this.calls.push("activateOtherNode");
        const s = this.unitWithRole("secondary");
        if (s.power !== "on") throw new Error("activate slave refused: the other node is not running");
        const p = this.unitWithRole("primary");
        p.role = "secondary";
        s.role = "primary";
      },
      haStatus: () => {
        this.calls.push("haStatus");
        return this.haState();
      },
      installLicense: (license) => {
        this.calls.push(`installLicense:${license.fileName}`);
        this.licenses.push(license);
      },
    };
  }

  /** BMC power callbacks of one unit. */
  bmc(unit: string): BmcPowerCallbacks {
    const u = this.units[unit];
    if (!u) throw new Error(`no unit ${unit}`);
    return {
      powerOn: () => {
        this.calls.push(`powerOn:${unit}`);
        u.power = "on";
      },
      powerOff: () => {
        this.calls.push(`powerOff:${unit}`);
        u.power = "off";
      },
      isPoweredOn: () => u.power === "on",
    };
  }
}
