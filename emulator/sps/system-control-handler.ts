/**
 * What the emulated appliance offers to its out-of-band channels — the SSH core shell
 * (`emulator/sps/core-shell.ts`) and the IPMI BMC behind ipmi_sim (`emulator/bmc/bmc.ts`). These are the
 * operations the SPS REST API does not document (docs/rest-api.md: "Reboot, shutdown, HA", "License"): reboot this node,
 * shut down / reboot the other (secondary) node, chassis power, "activate slave", HA state, license upload.
 * Get one from `EmulatedNode.systemControl()` or `RunningFleet.systemControl(name)`.
 * Refusals throw `SystemControlRefused` (from ./api-errors) with a message for the operator.
 */
import type { UnitPhase } from "./appliance-unit";

/** "primary"/"secondary" (HA roles, change on takeover) or a physical unit id ("a", "b"; a BMC is bound to one). */
export type UnitSelector = "primary" | "secondary" | "a" | "b";

export interface UnitView {
  unit: string;
  power: "on" | "off";
  phase: UnitPhase;
  currentVersion: string;
  afterRebootVersion: string;
  bootCount: number;
}

/** One unit as the HA page shows it; same shape as provider/clients/system-control HaNodeState (plus emulator detail). */
export interface HaNodeView {
  unit: string;
  role: "primary" | "secondary" | "standalone";
  power: "on" | "off";
  /**
   * "Boot firmware version" as the HA page shows it [doc: 6.0 and 6.3 upgrade guides, "Upgrading an SPS
   * high-availability cluster"]: `current` the running boot firmware, `active` the firmware selected to
   * boot ("after reboot"). On the secondary of a hop to 6.0 or later, Current stays lower than Active
   * from its boot into the new firmware until "Activate Slave" [doc].
   */
  firmware: { current: string; active: string };
  /**
   * [unknown] Core firmware: the guides name no Current/Active for it; the emulator shows its firmware
   * slots (running, after reboot). Not part of the system-control HA state.
   */
  coreFirmware: { current: string; active: string };
  phase: UnitPhase;
  bootCount: number;
}

/**
 * HA state. `status`, `sync`, `firmwareSynced` and `nodes` have the shape of the system-control
 * `HaState` (provider/clients/system-control/operations.ts), so the core shell can print it as is.
 */
export interface HaState {
  /** Cluster status as on the web UI's High Availability page [doc]: Standalone, HA, Degraded. */
  status: "Standalone" | "HA" | "Degraded";
  /** Replication link between the units (emulator model). */
  sync: "synced" | "syncing" | "disconnected" | "version-mismatch";
  /** The secondary holds the primary's firmware slots, including the after-reboot selection (H2); null when standalone. */
  firmwareSynced: boolean | null;
  nodes: HaNodeView[];
  primary: UnitView;
  secondary: UnitView | null;
}

export interface SystemControlHandler {
  readonly nodeName: string;
  readonly ha: boolean;
  /** Physical unit ids ("a", or "a" and "b"), e.g. to bind one BMC per unit. */
  units(): string[];
  runningVersion(): string;
  serviceState(): "up" | "booting" | "down";
  /** Reboot this node (the primary) only — never the cluster during an upgrade (H1, S9). */
  rebootThisNode(): void;
  /** "Reboot Cluster": both nodes restart — what next-hop monitoring needs (H4), never an upgrade (H1). */
  rebootCluster(): void;
  /** "Other node > Shutdown" (H2). */
  shutdownSecondary(): void;
  rebootSecondary(): void;
  /** IPMI chassis power on / off / status of one unit. */
  powerOn(unit: UnitSelector): void;
  powerOff(unit: UnitSelector): void;
  powerStatus(unit: UnitSelector): "on" | "off";
  /** "Activate slave": the synced secondary becomes the primary (H2, H3). */
  activateSecondary(): void;
  haState(): HaState;
  /** Upload a license file (emulated format: see emulator/sps/license.ts). */
  uploadLicense(text: string): void;
  /** Core shell `firmwarectl install <iso>`: put an image into an empty slot; returns the slot id. */
  installFirmwareImage(image: { version: string; sha256: string; size: number }): number;
}
