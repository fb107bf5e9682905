/**
 * `sps-upgrade doctor`'s pure core: from what a node's read-only answers showed, the route each
 * operation of an `up` will take, whether the node is ready, and the preflight facts (fleet-file
 * `settings`) the answers establish. No I/O.
 *
 * Routes [doc unless marked]: firmware upload, test and activation go over REST when the node's REST
 * tree lists them; the support bundle over REST where `/api/troubleshooting` lists it (8.0 LTS REST
 * guide), else a manual gate (web interface); reboot, HA operations and license upload are
 * system-control operations — no REST call is documented for them — carried by the configured
 * channel: `ssh` runs our operator-installed wrapper (`pulumi-sps-wrapper`, docs/reference/system-control.md), `ipmi` IPMI,
 * `command` the operator's command, `manual` (the default) a manual gate.
 */
import { RULES } from "./rules";

export type RouteKind = "REST" | "IPMI" | "command" | "wrapper" | "manual gate";

export interface OperationRoute {
  /** A plan action (plan-contract.md "Action vocabulary"). */
  action: string;
  route: RouteKind;
  detail: string;
}

export type Channel = "ssh" | "ipmi" | "command" | "manual";

/** System-control operation → channel (as the SDK's `systemControl` input; missing = manual). */
export type ChannelChoice = Partial<Record<string, { channel: Channel }>>;

/** What doctor read from one node (undefined: not readable). */
export interface NodeFacts {
  version?: string;
  roles?: string[];
  haStatus?: string;
  freeFirmwareSlots?: number;
  /** P2: firmware integrity, tainted files and RAID as /api/health_status shows them. */
  healthOk?: boolean;
  healthProblems?: string[];
  /** P8: the disk fill-up prevention limit (percent). */
  diskFillupLimitPercent?: number;
  license?: { major: number | null; validity: string; warnings: string[] };
}

export interface NodeReadiness {
  ready: boolean;
  /** What will stop the run (ready = false when any). */
  blockers: string[];
  warnings: string[];
}

/** Ready unless something read will stop the run (P2, P4, P8 judged by ./rules.ts); what could not be read is a warning. */
export function readiness(
  node: { ha: boolean },
  access: { reachable: boolean; tls: boolean; login: boolean; error?: string },
  facts: NodeFacts,
): NodeReadiness {
  const blockers: string[] = [];
  const warnings: string[] = [];
  if (!access.reachable) blockers.push(`not reachable${access.error ? `: ${access.error}` : ""}`);
  else if (!access.tls) blockers.push(`TLS trust failed${access.error ? `: ${access.error}` : ""}`);
  else if (!access.login) blockers.push(`login failed${access.error ? `: ${access.error}` : ""}`);
  if (blockers.length > 0) return { ready: false, blockers, warnings };
  if (facts.version === undefined) blockers.push("running version not readable");
  if (facts.healthOk === false)
    blockers.push(`P2: health not OK (${(facts.healthProblems ?? []).join("; ")})`);
  if (facts.healthOk === undefined) warnings.push("P2: health not readable");
  if (facts.freeFirmwareSlots === 0)
    blockers.push("no free firmware slot for the upload (delete an old firmware)");
  const fillup = facts.diskFillupLimitPercent;
  if (fillup !== undefined && !RULES.P8.live({ diskFillupLimitPercent: fillup }).ok)
    warnings.push(
      `P8: disk fill-up limit ${fillup}% is outside 50–98% (blocks upgrades into ${RULES.P8.from} and later)`,
    );
  if (node.ha) {
    if (facts.haStatus === undefined)
      warnings.push("P4: HA state not readable through REST (route readHaState to read it)");
    else if (!RULES.P4.live({ haStatus: facts.haStatus }).ok)
      blockers.push(`P4: HA status is ${facts.haStatus}, not HA`);
  }
  for (const w of facts.license?.warnings ?? []) warnings.push(`license: ${w}`);
  if (facts.license?.validity === "expired") warnings.push("license: expired");
  return { ready: blockers.length === 0, blockers, warnings };
}

/** The fleet-file `settings` these facts establish (only what was read; never a guess). */
export function settingsFromFacts(facts: NodeFacts): Record<string, unknown> {
  const { healthOk, diskFillupLimitPercent, haStatus } = facts;
  const read = { healthOk, diskFillupLimitPercent, haStatus };
  return Object.fromEntries(Object.entries(read).filter(([, v]) => v !== undefined));
}
