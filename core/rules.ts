/**
 * The upgrade rules as data: one entry per rule of docs/rules.md (same IDs, same order, same "Source:"
 * line — test/unit/core/rules-table.test.ts holds the two together) with the severity of the finding
 * it gives when broken, and where the project checks it before a node is touched:
 *   - `offline`: on the declared fleet facts of one node and its hops — the planner (preflightNode);
 *   - `live`: on facts read from an appliance — the executor's preflight and `sps-upgrade doctor`.
 * A rule with neither is enforced where the plan or the run is built (upgrade path, steps, gates), which
 * cite it by ID. Each check exists once: P2, P4 and P8 judge a declared setting and a live answer with
 * the same logic. Pure; no I/O.
 */
import type { FleetNode } from "./fleet";
import { finding, type Severity } from "./plan";
import {
  checkConsoleRedirection,
  checkCoreDumps,
  checkDomainMembership,
  checkFeatureRemovals,
  checkLdapTimeout,
  checkPlugins,
  checkRfc5890,
  checkStarlingPlugins,
  checkVmSnapshot,
  declared,
  type NodePath,
  type PreflightFinding,
} from "./preflight";
import type { RevisionHop } from "./upgrade-path";
import { compareRevisions, crosses, parseRevision } from "./version";

/** A live check's answer: broken when not `ok`, with what is wrong in the appliance's own terms. */
export interface LiveVerdict {
  ok: boolean;
  problems: string[];
}

export interface Rule {
  /** Where the requirement is written: guide and section, as the rule's "Source:" line in docs/rules.md. */
  source: string;
  /** The severity of the rule's finding when the facts break it (a check may state a milder case). */
  severity: Severity;
  /** The first version the rule applies to: a target at or past it. */
  from?: string;
  /** The planner's check on the declared facts of one node and the hops its plan takes. */
  offline?: (path: NodePath) => PreflightFinding[];
  /** The check on what an appliance answered (each rule names the facts it reads). */
  live?: (facts: never) => LiveVerdict;
}

/** P2 reads the System Monitor signals of /api/health_status [doc REST §11]. */
export interface HealthAnswer {
  firmwareIntegrity: Record<string, string>;
  taintedFiles: Record<string, number>;
  raidStatus: string | undefined;
}

/**
 * P2 live: firmware integrity "OK", no tainted file, RAID not degraded — unless the run itself degraded
 * the pair (its secondary shut down or rebooting by us), whose RAID status shows that on purpose.
 */
function healthLive(f: { health: HealthAnswer; pairDegradedByUs?: boolean }): LiveVerdict {
  const problems: string[] = [];
  for (const [part, state] of Object.entries(f.health.firmwareIntegrity))
    if (state !== "OK") problems.push(`firmware integrity ${part}: ${state}`);
  for (const [part, n] of Object.entries(f.health.taintedFiles))
    if (n > 0) problems.push(`${n} tainted file(s) in ${part}`);
  const raid = f.health.raidStatus;
  if (raid !== undefined && raid !== "OK" && f.pairDegradedByUs !== true) problems.push(`RAID ${raid}`);
  return { ok: problems.length === 0, problems };
}

function healthOffline({ node }: NodePath): PreflightFinding[] {
  return declared("P2", node, "healthOk", "System Monitor health", (ok) =>
    ok ? undefined : "System Monitor shows a problem; fix it before upgrading",
  );
}

/** P4 live: the pair's HA status is "HA" — or degraded on purpose by the run itself. */
function haLive(f: { haStatus: string; pairDegradedByUs?: boolean }): LiveVerdict {
  const ok = f.haStatus === "HA" || f.pairDegradedByUs === true;
  return { ok, problems: ok ? [] : [`HA status is ${f.haStatus}`] };
}

/** P4 offline: an HA pair declares its secondary's IPMI reachable and its HA status "HA". */
function haOffline({ node }: NodePath): PreflightFinding[] {
  if (!node.ha) return [];
  const ipmi = "IPMI of the secondary (the only way to power it back on)";
  return [
    ...declared("P4", node, "ipmiReachable", ipmi, (reachable) =>
      reachable
        ? undefined
        : "IPMI of the HA secondary is not reachable; it is the only way to power the secondary back on — fix IPMI access first",
    ),
    ...declared("P4", node, "haStatus", "HA status", (haStatus) =>
      haLive({ haStatus }).ok
        ? undefined
        : `HA status is ${haStatus}, not HA; repair the HA pair before upgrading`,
    ),
  ];
}

/** P8 [doc] UG 6.0, "Notes and warnings": from 6.0.4 the disk fill-up limit must be within 50–98 %. */
const FILLUP_FROM = "6.0.4";

function fillupLive(f: { diskFillupLimitPercent: number }): LiveVerdict {
  const limit = f.diskFillupLimitPercent;
  const ok = limit >= 50 && limit <= 98;
  return { ok, problems: ok ? [] : [`disk fill-up limit ${limit}% is outside 50–98%`] };
}

function fillupOffline({ node, last }: NodePath): PreflightFinding[] {
  if (compareRevisions(last, parseRevision(FILLUP_FROM)) < 0) return [];
  const what = '"disconnect clients when disks are N% used" must be within 50–98 from 6.0.4';
  return declared("P8", node, "diskFillupLimitPercent", what, (limit) =>
    fillupLive({ diskFillupLimitPercent: limit }).ok
      ? undefined
      : `"disconnect clients when disks are N% used" is ${limit}%; from 6.0.4 it must be within 50–98 or the upgrade cannot start — set it to a value in 50–98`,
  );
}

/** P14 [doc] UG 6.3, "Notes and warnings": the first boot into 6.3.0 or later reorganises the data storage. */
const STORAGE_FROM = "6.3.0";

/** P14 for the executor and the estimate: does a hop from `from` to `to` (X.Y.Z) boot into 6.3 for the first time? */
export function crossesStorageReorganisation(from: string, to: string): boolean {
  return crosses(parseRevision(from), parseRevision(to), STORAGE_FROM);
}

function storageOffline({ node, first, last }: NodePath): PreflightFinding[] {
  if (!crosses(first, last, STORAGE_FROM)) return [];
  const message =
    "the first boot into 6.3 reorganises internal data storage (30 minutes or more; the estimate is shown at activation); plan the maintenance window for it";
  return [finding("P14", "warning", message, node.name)];
}

type Checks = Omit<Rule, "source" | "severity">;
const rule =
  (severity: Severity) =>
  <C extends Checks>(source: string, checks?: C): Rule & C =>
    ({ source, severity, ...checks }) as Rule & C;
/** A rule whose finding, when broken, blocks (severity "error"). */
const blocks = rule("error");
/** A rule whose finding is advisory (severity "warning"). */
const warns = rule("warning");

// One row per rule, as the catalogue lists them (kept on one line each, like the catalogue's headings).
// prettier-ignore
export const RULES = {
  V1: blocks('UG 5.11, UG 6.0, UG 6.3, section "Versions and releases of SPS"; the guides\' own use of "5 F11".'),
  V2: warns('UG 5.11, UG 6.0, UG 6.3, "Versions and releases of SPS"; AG upgrade, "Upgrading SPS".'),
  V3: blocks('UG 5.11/6.0/6.3, "Upgrading a single SPS node", prerequisites caution ("irreversible process"); "Versions and releases of SPS" caution (downgrading from a feature release is not supported); AG upgrade ("You cannot roll back to an LTS release from a Feature Release").'),
  V4: blocks('UG 5.11/6.0/6.3, "Versions and releases of SPS" caution; AG upgrade, "Upgrading SPS".'),
  V5: blocks('UG 5.11, "Upgrade path to SPS 5 F11"; UG 6.0, "Upgrade path to SPS 6.0"; UG 6.3, "Upgrade path to SPS 6.3".'),
  V6: blocks('UG 5.11/6.0/6.3, "Upgrade path to …" ("Always upgrade to the latest available maintenance version") and step 1 of every procedure ("upgrade SPS to the latest revision of the current version"); AG upgrade ("always installing the latest Revision").'),
  V7: blocks("project rule — V5 and V6 need the list of releases and revisions, and that list changes with every One Identity release; the bundled catalog cites a public source per release."),
  V8: blocks('UG 5.11 and UG 6.0, "Upgrading from SPS 5.0.0 or later" (Pyramid caution).'),
  P1: blocks('UG 5.11/6.0/6.3, "Prerequisites for upgrading SPS" ("Back up your configuration and your data", "Export your configuration"); AG upgrade, "Upgrade checklist".'),
  P2: blocks('UG 5.11/6.0/6.3, "Prerequisites for upgrading SPS"; AG upgrade, "Upgrade checklist".', { offline: healthOffline, live: healthLive }),
  P3: warns('UG 5.11/6.0/6.3, "Prerequisites for upgrading SPS" (optional item, Basic Settings > Troubleshooting > Core files); AG upgrade, "Upgrade checklist".', { offline: checkCoreDumps }),
  P4: blocks('UG 5.11/6.0/6.3, "Prerequisites for upgrading SPS" (high availability items) and "Upgrading an SPS high-availability cluster", prerequisites; AG upgrade, "Upgrade checklist".', { offline: haOffline, live: haLive }),
  P5: warns('UG 5.11/6.0/6.3, "Prerequisites for upgrading SPS" (virtual environment items); AG upgrade, "Upgrade checklist".', { offline: checkVmSnapshot }),
  P6: blocks('UG 6.0, "Prerequisites for upgrading SPS" (plugin item) and step 4 of the single-node and HA procedures; UG 6.3, "Prerequisites for upgrading SPS".', { offline: checkPlugins }),
  P7: blocks('UG 6.3, "Prerequisites for upgrading SPS" and "Notes and warnings about the upgrade" (NOTE on the Starling plugin).', { offline: checkStarlingPlugins }),
  P8: blocks('UG 6.0, "Notes and warnings about the upgrade" (Disk space fill-up prevention caution).', { from: FILLUP_FROM, offline: fillupOffline, live: fillupLive }),
  P9: blocks('UG 6.0 and UG 6.3, "Notes and warnings about the upgrade".', { offline: checkLdapTimeout }),
  P10: blocks('UG 6.0, "Notes and warnings about the upgrade" (SHA-1, removed features, Lieberman ERPM, 1024-bit keys); UG 5.11, same section (deprecations announced for 6.0, 1024-bit keys); UG 6.3, same section.', { offline: checkFeatureRemovals }),
  P11: blocks('UG 6.3, "Notes and warnings about the upgrade".', { offline: checkRfc5890 }),
  P12: blocks('UG 5.11/6.0/6.3, every procedure, "Click Test for the new firmware…"; AG upgrade, "Upgrading SPS (single node)" ("Proceed only if the upgrade test is successful").'),
  P13: blocks('AG upgrade, "Upgrade checklist" ("Upgrading SPS requires a reboot … maintenance hours"); UG 6.0/6.3, "Upgrading an SPS central cluster", prerequisites ("Reserve an adequate maintenance window").'),
  P14: warns('UG 6.3, "Notes and warnings about the upgrade".', { from: STORAGE_FROM, offline: storageOffline }),
  P15: warns('UG 5.11/6.0/6.3, "Prerequisites for upgrading SPS" (virtual environment items: "Configure and enable console redirection (if the virtual environment allows it)"); AG upgrade, "Upgrade checklist".', { offline: checkConsoleRedirection }),
  P16: warns('UG 5.11 and UG 6.0, "Notes and warnings about the upgrade"; UG 5.11/6.0/6.3, "Upgrading …" prerequisites (VMware test) and the reboot step NOTE (5.0.x); AG upgrade, "Upgrade checklist" (release notes); SPS release notes, "Upgrade and installation instructions" (hardened SSL settings from 6.10.0).'),
  S1: blocks("UG 5.11/6.0/6.3, procedures, step 1."),
  S2: blocks('UG 6.0 and UG 6.3, procedures, step 2 ("You need a new license file for every LTS release"); UG 5.11, "Prerequisites for upgrading SPS" (subscription and new license file).'),
  S3: blocks('UG 5.11/6.0/6.3, procedures ("Download the … firmware ISO file"); checksum: project rule (a corrupted or substituted image must never reach the appliance; REST 7.0 LTS and later takes a SHA-256 with a firmware URL).'),
  S4: blocks('UG 6.0, procedures, step 4 ("Upload the plugin to your SPS").'),
  S5: blocks('UG 5.11/6.0/6.3, procedures ("Upload the latest … firmware").'),
  S6: blocks('UG 5.11/6.0/6.3, procedures ("Click Test").'),
  S7: blocks('UG 5.11/6.0/6.3, procedures ("Select After reboot", "activate the firmware").'),
  S8: blocks('UG 5.11/6.0/6.3, procedures ("Recommended step … create a support bundle now").'),
  S9: blocks('UG 5.11/6.0/6.3, procedures (caution "Do NOT click Reboot cluster"); AG upgrade, "Upgrading SPS (single node)".'),
  S10: blocks('UG 5.11/6.0/6.3, "Notes and warnings about the upgrade" (session database caution) and the procedures\' cautions after the reboot step.'),
  S11: blocks('UG 6.0, procedures, step "After the reboot, login to the web interface and upload the new license file".'),
  S12: blocks('UG 5.11/6.0/6.3, procedures and "Troubleshooting".'),
  S13: blocks('UG 5.11/6.0/6.3, procedures ("verify that SPS is running version …").'),
  S14: warns("UG 5.11/6.0/6.3, procedures (optional step, RDP Control > Domain membership).", { offline: checkDomainMembership }),
  S15: blocks("UG 6.3, single-node procedure, step 12."),
  S16: warns('UG 5.11/6.0/6.3, procedures (last steps) and "Upgrading the Safeguard Desktop Player".'),
  H1: blocks('UG 5.11/6.0/6.3, "Upgrading an SPS high-availability cluster", cautions.'),
  H2: blocks('UG 6.0 and UG 6.3, "Upgrading an SPS high-availability cluster", steps 5–16 (6.3: 4–15), including the note on Other node > Boot firmware version; UG 5.11, "Upgrading a SPS cluster to 5 F11".'),
  H3: blocks('UG 5.11, "Upgrading a SPS cluster to 5 F11" (ends after powering the slave on); UG 6.0/6.3, HA procedure ("Click Activate Slave").'),
  H4: blocks("AG next hop."),
  C1: blocks('UG 6.0 and UG 6.3, "Upgrading an SPS central cluster", steps 1–4.'),
  C2: blocks('UG 6.0 and UG 6.3, "Upgrading an SPS central cluster", step 1 note and prerequisites.'),
  C3: warns('UG 6.0 and UG 6.3, "Upgrading an SPS central cluster", prerequisites.'),
  I1: blocks('UG 6.3, "Upgrading the external indexer" (NOTE); UG 5.11/6.0, AES128-GCM caution ("you must upgrade them to the latest version").'),
  I2: blocks('UG 5.11/6.0/6.3, "Upgrading the external indexer", prerequisites.'),
  I3: blocks('UG 6.0 and UG 6.3, "Upgrading the external indexer", step 1 and NOTE.'),
  I4: blocks('UG 5.11/6.0/6.3, "Upgrading the external indexer", steps 2–7; UG 6.3, NOTE (Worker status).'),
  I5: blocks('project rule — the guides\' step 5 ("Resolve any warnings") assumes an operator at the host; an unattended run must not leave audit-trail indexing down.'),
  J1: blocks("AG SPP join (IMPORTANT and caution; the join procedure's success message)."),
  J2: blocks("AG SPP join, prerequisites."),
  J3: blocks('AG SPP join, prerequisites; "SPP to SPS join error resolution" (certificate mismatch).'),
  J4: blocks("AG SPP join, prerequisites."),
  J5: blocks("AG SPP join, prerequisites."),
  J6: blocks('AG SPP join, "SPP to SPS join error resolution".'),
};

export type RuleId = keyof typeof RULES;

/**
 * The order of a node's preflight findings in the plan, one step a word; "P6+P7" runs per plugin (P6 then
 * P7 for each plugin).
 */
export const PREFLIGHT_ORDER: readonly (readonly RuleId[])[] = "P2 P3 P4 P5 P15 P6+P7 P8 P9 P10 P11 P14 S14"
  .split(" ")
  .map((step) => step.split("+") as RuleId[]);

/** The offline checks of the table for one node that has `hops` to take; nothing to do, no findings. */
export function preflightNode(node: FleetNode, hops: readonly RevisionHop[]): PreflightFinding[] {
  if (hops.length === 0) return [];
  const path: NodePath = {
    node,
    hops,
    first: hops[0].from,
    last: hops[hops.length - 1].to,
    releaseHops: hops.filter((h) => h.kind === "release"),
  };
  const offline = (id: RuleId, p: NodePath): PreflightFinding[] => RULES[id].offline?.(p) ?? [];
  return PREFLIGHT_ORDER.flatMap((step) =>
    step.length === 1
      ? offline(step[0], path)
      : node.plugins.flatMap((plugin) =>
          step.flatMap((id) => offline(id, { ...path, node: { ...node, plugins: [plugin] } })),
        ),
  );
}
