/**
 * The node facts of the fleet description (plan-contract.md, "Fleet file") as plain types; fleet.ts
 * validates them with zod and ties its schemas to these types with `Same` checks. No zod here: the
 * package's public declarations reach this file.
 */

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
