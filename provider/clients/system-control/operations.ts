/**
 * The appliance operations the SPS REST API does not document (docs/rest-api.md: "Reboot, shutdown, HA", "License", "Unknowns"),
 * and the `SystemControl` interface the executor codes against. Each operation is carried out by
 * the channel the user configured for it (ssh, ipmi, command, manual): see `composite.ts`.
 *
 * Rule H1: an upgrade reboots one node at a time and never the cluster ("Do NOT click Reboot cluster
 * during the upgrade process unless explicitly instructed" — 5.11, 6.0, 6.3 upgrade guides). The one
 * place a document instructs it is next-hop monitoring (rule H4; the HA next-hop monitoring text: "For
 * the changes to take effect, you have to restart both nodes. To restart both nodes, click Reboot
 * Cluster."): `rebootCluster` exists for that and only next-hop monitoring calls it — never the executor.
 */

export const SYSTEM_CONTROL_OPERATIONS = [
  "rebootNode",
  "rebootCluster",
  "shutdownSecondary",
  "powerOnSecondary",
  "activateSecondary",
  "readHaState",
  "readPowerState",
  "uploadLicense",
] as const;
export type SystemControlOperation = (typeof SYSTEM_CONTROL_OPERATIONS)[number];

export const CHANNEL_KINDS = ["ssh", "ipmi", "command", "manual"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

const WHY_NOT: Partial<Record<`${SystemControlOperation}:${ChannelKind}`, string>> = {
  "rebootNode:ipmi":
    "IPMI can only cut or cycle power, which is not a reboot and can lose data during an upgrade (rules H1, S10)",
  "rebootCluster:ipmi":
    "IPMI can only cut or cycle power of one unit; Reboot Cluster is an action of the appliance (rule H4)",
  "powerOnSecondary:ssh":
    "a node that is off has no shell: the secondary is powered on through IPMI (rule H2)",
  "readPowerState:ssh": "chassis power is read from the BMC, not from the node's own shell",
  "activateSecondary:ipmi": "'Activate slave' is an HA action of the appliance, not of its BMC",
  "readHaState:ipmi": "the BMC knows power, not HA state",
  "uploadLicense:ipmi": "the BMC cannot install a license",
};

/** Whether a channel can carry an operation (no reason against it above). */
export function channelCan(operation: SystemControlOperation, channel: ChannelKind): boolean {
  return WHY_NOT[`${operation}:${channel}`] === undefined;
}

/** Why a channel cannot carry an operation (config validation and the channels' own refusals). */
export function whyChannelCannot(operation: SystemControlOperation, channel: ChannelKind): string {
  return WHY_NOT[`${operation}:${channel}`] ?? `channel ${channel} cannot do ${operation}`;
}

/** An HA pair by node name (names as declared in the system-control config `nodes`). */
export interface HaPair {
  /** The node that is primary now (its core shell offers "Other node" actions). */
  primary: string;
  /** The node that is secondary now (its BMC powers it on and off). */
  secondary: string;
}

/** HA cluster status values of the web UI's High Availability page [doc] (docs/rest-api.md, "Reboot, shutdown, HA"). */
export const HA_STATUSES = ["Standalone", "HA", "Half", "Broken", "Degraded"] as const;
export type HaStatus = (typeof HA_STATUSES)[number];

export const HA_ROLES = ["primary", "secondary", "standalone"] as const;
export type HaRole = (typeof HA_ROLES)[number];

export const SYNC_STATES = ["synced", "syncing", "disconnected", "version-mismatch", "unknown"] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export type PowerState = "on" | "off";

/** One node of the pair as the HA page shows it. */
export interface HaNodeState {
  /** Physical unit / node name. */
  unit: string;
  role: HaRole;
  power: PowerState | "unknown";
  /** `current`: the running firmware; `active`: the firmware selected to boot ("after reboot"). */
  firmware: { current: string | null; active: string | null };
}

/** HA state read from a node (status, per-node role and firmware, replication state). */
export interface HaState {
  status: HaStatus;
  sync: SyncState;
  /** The secondary holds the primary's firmware slots, including the after-reboot one (rule H2). */
  firmwareSynced: boolean | null;
  nodes: HaNodeState[];
}

/** A license file to install (zip or text as downloaded from the support portal). */
export interface LicenseFile {
  fileName: string;
  content: Buffer;
  /** The name the license is declared under (sps:credentials.licenses), for messages; never the content. */
  name?: string;
}

/**
 * Out-of-band control of SPS nodes. Every method has its own deadline (from the config), throws
 * `SystemControlError` on failure and `ManualStepRequired` when the operation is routed to the
 * manual channel; after a manual step the caller re-checks state on the next run (resumable).
 */
export interface SystemControl {
  /** Reboot this one node ("System Control > This node > Reboot"); never the cluster (H1, S9). */
  rebootNode(node: string): Promise<void>;
  /**
   * "Reboot Cluster" run on the pair's primary: both nodes restart. Only for next-hop monitoring (H4:
   * the HA next-hop monitoring text instructs it); the executor never calls it (H1). Resolves once the
   * appliance accepted it; whether the two nodes go down together or one after the other is not
   * documented, so the caller waits until both are back and the change is in effect.
   */
  rebootCluster(pair: HaPair): Promise<void>;
  /** Shut the HA secondary down ("Other node > Shutdown", H2); resolves once it is off where the channel can tell. */
  shutdownSecondary(pair: HaPair): Promise<void>;
  /** Power the HA secondary on (H2: through IPMI); resolves once the BMC reports power on. */
  powerOnSecondary(pair: HaPair): Promise<void>;
  /** "Activate slave": the synced secondary becomes the primary (H2; not in 5.11, H3). */
  activateSecondary(pair: HaPair): Promise<void>;
  /** HA status, per-node role and firmware (current/active), sync state (H2, P4). */
  readHaState(node: string): Promise<HaState>;
  /** Chassis power of one node as its BMC reports it (P4: the secondary's IPMI is reachable). */
  readPowerState(node: string): Promise<PowerState>;
  /** Install a license file on a node (S2, S11: a new license after the reboot into a new LTS). */
  uploadLicense(node: string, license: LicenseFile): Promise<void>;
  /**
   * The channel that carries an operation, where the implementation knows it (the router does), so
   * that messages name the channel actually used ("powered on through IPMI" only when it was).
   */
  channelOf?(operation: SystemControlOperation): ChannelKind;
}

/** How a channel is named in messages ("powered on through IPMI"). */
export const CHANNEL_PHRASES: Record<ChannelKind, string> = {
  ssh: "through the core shell (SSH)",
  ipmi: "through IPMI",
  command: "through the configured command",
  manual: "by hand",
};
