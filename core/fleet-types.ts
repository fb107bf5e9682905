/**
 * The node facts of the fleet description (plan-contract.md, "Fleet file") as plain types, without zod
 * (./same-type.ts says why); ./fleet.ts holds their schemas.
 */
import type { MaintenanceWindow } from "./maintenance-window";

export const NODE_ROLES = [
  "central-management",
  "search-master",
  "search-minion",
  "search-local",
  "managed-host",
] as const;
export type NodeRole = (typeof NODE_ROLES)[number];
export const REMOVED_IN_6_0 = [
  "x509-host-certificates",
  "dsa-keys",
  "log-ingestion",
  "lieberman-erpm",
  "ssh-keys-under-1024-bits",
] as const;

export const HA_STATUSES = ["HA", "Degraded", "Half", "Broken", "Standalone"] as const;

/** Node facts the preflight rules read. Absent facts make their rule "not checked", never "passed". */
export interface NodeSettings {
  /** P2: System Monitor shows no problem. */
  healthOk?: boolean | undefined;
  /** P3: number of core dump files on the node. */
  coreDumps?: number | undefined;
  /** P4: HA status as the High Availability page shows it. */
  haStatus?: (typeof HA_STATUSES)[number] | undefined;
  /** P4: the secondary's IPMI interface answers. */
  ipmiReachable?: boolean | undefined;
  /** P5: a VM snapshot was taken (virtual appliances). */
  vmSnapshot?: boolean | undefined;
  /** P15: console redirection is configured and enabled (virtual appliances, where the environment allows it). */
  consoleRedirection?: boolean | undefined;
  /** P7: SPS has joined Starling. */
  starlingJoined?: boolean | undefined;
  /** P8: "disconnect clients when disks are N% used". */
  diskFillupLimitPercent?: number | undefined;
  /** P9: SPS authenticates its users against LDAP / AD. */
  ldapAuth?: boolean | undefined;
  /** P9: directory response timeout in seconds. */
  ldapTimeoutSeconds?: number | undefined;
  /** P10: features a target removes or deprecates that the configuration still uses ([] when none). */
  removedFeaturesInUse?: (typeof REMOVED_IN_6_0)[number][] | undefined;
  /** P10: AD/LDAP servers present SHA-1-signed certificates. */
  sha1LdapCertificates?: boolean | undefined;
  /** P11: in-band destination hostnames that do not follow RFC 5890 ([] when none). */
  nonRfc5890Hostnames?: string[] | undefined;
  /** S14: the node is a member of a Windows domain. */
  windowsDomainMember?: boolean | undefined;
}

/** A plugin installed on a node. */
export interface PluginFacts {
  name: string;
  version: string;
  /** P6: plugin builds you have for target releases, release → build version. Absent: P6 is not checked. */
  builds?: Record<string, string> | undefined;
}

/** V8: the appliance hardware, canonical spelling (core/hardware.ts HARDWARE). */
export type HardwareName = "pyramid" | "t1" | "t4" | "t10" | "3000" | "3500" | "other";

/** A firmware image as the code sees it: exactly one of `path` (upload) or `url` (fetch, 7.0 and later). */
export type FirmwareImage = { path: string; sha256: string } | { url: string; sha256: string };

/** A firmware image as declared: `path` or `url`, and its SHA-256. */
export interface FirmwareImageInput {
  path?: string | undefined;
  url?: string | undefined;
  sha256: string;
}

/** A local file the run needs: its path and, optionally, its SHA-256 (checked before the first change). */
export interface LocalFile {
  path: string;
  sha256?: string | undefined;
}

/** What the planner knows of a node besides its name and version (defaults filled in). */
export interface NodeFacts {
  roles: NodeRole[];
  ha: boolean;
  hardware?: HardwareName | undefined;
  virtual?: boolean | undefined;
  plugins: PluginFacts[];
  settings: NodeSettings;
}

/** A node of the planner's fleet file. */
export interface FleetNode extends NodeFacts {
  name: string;
  version: string;
}

/** An external indexer host of a cluster. */
export interface FleetIndexer {
  name: string;
  os: "rhel6" | "rhel7" | "rhel8" | "rhel9";
  version: string;
}

/** What a cluster declares besides its members: the files its run needs, canary, maintenance window. */
export interface ClusterDeclarations {
  /** V7: firmware images per revision (X.Y.Z → image). */
  firmware?: Record<string, FirmwareImage> | undefined;
  /** S2, S11: the license file per LTS major the plan enters ("6" → file). */
  licenses?: Record<string, LocalFile> | undefined;
  /** I1, I3: the indexer RPM per SPS revision the indexers are brought to. */
  indexerPackages?: Record<string, LocalFile> | undefined;
  canary?: boolean | undefined;
  /** P13: the window the upgrade must fit. */
  maintenanceWindow?: MaintenanceWindow | undefined;
}

/** A cluster of the planner's fleet file (plan-contract.md, "Fleet file"). */
export interface FleetCluster extends ClusterDeclarations {
  name: string;
  target: string;
  nodes: FleetNode[];
  indexers: FleetIndexer[];
}

/** The planner's fleet file. */
export interface Fleet {
  clusters: FleetCluster[];
}
