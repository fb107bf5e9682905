/**
 * The planner's checks of the preflight rules (P3, P5–P7, P9–P11, P15, S14) on the node facts of the
 * fleet description; ./rules.ts holds them in the rule table (with P2, P4, P8 and P14, whose checks the
 * executor shares) and evaluates them. A rule whose facts are absent is reported as "not checked" (a warning
 * that says which fact to declare), never as passed. Rules the plan itself satisfies are cited where the
 * steps are built: P1 (backup-config step), P12 (test-firmware step).
 */
import { FleetNode, NodeSettings, PluginFacts } from "./fleet";
import { FEATURE_REMOVALS } from "./feature-removals";
import { Finding, finding, uncheckedFinding } from "./plan";
import type { RevisionHop } from "./upgrade-path";
import {
  compareRevisions,
  crosses,
  formatRelease,
  parseRevision,
  releaseOf,
  Revision,
  VersionSyntaxError,
} from "./version";

/** Findings can carry `status: "not-checked"` (an extension of the contract's finding). */
export interface PreflightFinding extends Finding {
  status?: "not-checked";
}

/** One node and the hops its plan takes (at least one): what an offline rule check reads. */
export interface NodePath {
  node: FleetNode;
  hops: readonly RevisionHop[];
  first: Revision;
  last: Revision;
  /** The hops into another release (not revision hops within one). */
  releaseHops: readonly RevisionHop[];
}

export function notChecked(rule: string, node: string, what: string, fact: string): PreflightFinding {
  return uncheckedFinding(
    rule,
    `not checked: ${what}; declare settings.${fact} for this node to check it`,
    node,
  );
}

/**
 * A rule over one declared setting: absent, "not checked" (naming the setting to declare); declared,
 * `judge` gives the message of the rule's finding when the value breaks it.
 */
export function declared<K extends keyof NodeSettings>(
  rule: string,
  node: FleetNode,
  fact: K,
  what: string,
  judge: (value: NonNullable<NodeSettings[K]>) => string | undefined,
  severity: "error" | "warning" = "error",
): PreflightFinding[] {
  const value = node.settings[fact];
  if (value === undefined) return [notChecked(rule, node.name, what, fact)];
  const message = judge(value);
  return message === undefined ? [] : [{ rule, severity, node: node.name, message }];
}

const STARLING = /starling/i;

function pluginVersionAtLeast(version: string, threshold: string): boolean {
  try {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
    if (!m) return false;
    const v = parseRevision(`${m[1]}.${m[2]}.${m[3] ?? "0"}`);
    return compareRevisions(v, parseRevision(threshold)) >= 0;
  } catch (e) {
    if (e instanceof VersionSyntaxError) return false;
    throw e;
  }
}

/** P6: the plugin build variant a target release needs. */
export function pluginBuildNeeded(target: Revision): "DEPRECATED" | "new implementation" | "any" {
  if (target.major === 6 && target.minor === 0) return "DEPRECATED";
  if (compareRevisions(target, parseRevision("6.1.0")) >= 0) return "new implementation";
  return "any";
}

/** Rule P7 [doc] SPS 6.3 Upgrade Guide, "Prerequisites for upgrading SPS": Starling 2FA 2.2.0 and later. */
const STARLING_JOIN_FROM = "2.2.0";

/** P6 over every plugin of the node. */
export function checkPlugins(p: NodePath): PreflightFinding[] {
  return p.node.plugins.flatMap((plugin) => checkPluginBuilds(p.node.name, plugin, p.releaseHops));
}

/** P7 over every Starling plugin of the node. */
export function checkStarlingPlugins(p: NodePath): PreflightFinding[] {
  return p.node.plugins.flatMap((plugin) => checkStarling(p.node, plugin, p.releaseHops));
}

/**
 * Rule P7: "If you want use version 2.2.0 and later of the One Identity Starling Two-Factor
 * Authentication plugin, complete the 'Joining to One Identity Starling' procedure before upgrading
 * the plugin." Checked against every version the plan leaves installed: the running one and the
 * build declared for each release the node enters (what upload-plugin / upgrade-plugin install).
 * Builds not declared while the node enters a new release: the version it will get is unknown,
 * so P7 is "not checked" unless the node has joined Starling.
 */
function checkStarling(
  node: FleetNode,
  plugin: PluginFacts,
  hops: readonly RevisionHop[],
): PreflightFinding[] {
  const planned: { version: string; what: string }[] = [{ version: plugin.version, what: "installed" }];
  let unknownTarget = false;
  for (const hop of hops) {
    const release = formatRelease(releaseOf(hop.to));
    const build = plugin.builds?.[release];
    if (build === undefined) unknownTarget = true;
    else planned.push({ version: build, what: `build for ${release}` });
  }
  return starlingFindings(node.name, node.settings.starlingJoined, plugin.name, planned, unknownTarget);
}

/**
 * P7's verdict on the Starling plugin versions a node will have (`planned`: version and where it
 * comes from — installed, a release's build, a Plugin resource). `unknownTarget`: the node enters a
 * release whose build is not declared. Also used for versions the planner does not install itself
 * (the Pulumi `Plugin` resources, provider/resources/firmware-plan.ts).
 */
export function starlingFindings(
  nodeName: string,
  joined: boolean | undefined,
  pluginName: string,
  planned: readonly { version: string; what: string }[],
  unknownTarget = false,
): PreflightFinding[] {
  if (joined === true || !STARLING.test(pluginName)) return [];
  const needsJoin = planned.filter((p) => pluginVersionAtLeast(p.version, STARLING_JOIN_FROM));
  if (needsJoin.length > 0) {
    const which = needsJoin.map((p) => `${p.version} (${p.what})`).join(", ");
    const what = `plugin ${pluginName} ${which} needs a Starling-joined SPS (${STARLING_JOIN_FROM} or later)`;
    if (joined === undefined) return [notChecked("P7", nodeName, what, "starlingJoined")];
    const message = `plugin ${pluginName} ${which} is ${STARLING_JOIN_FROM} or later, which works only after SPS has joined Starling; complete "Joining to One Identity Starling" before upgrading the plugin, or keep a build below ${STARLING_JOIN_FROM}`;
    return [finding("P7", "error", message, nodeName)];
  }
  if (!unknownTarget) return [];
  const message = `not checked: the ${pluginName} version this upgrade installs is not declared (${STARLING_JOIN_FROM} or later needs a Starling-joined SPS); declare plugins[].builds for the target releases, or settings.starlingJoined: true`;
  return [uncheckedFinding("P7", message, nodeName)];
}

function checkPluginBuilds(
  nodeName: string,
  plugin: PluginFacts,
  hops: readonly RevisionHop[],
): PreflightFinding[] {
  return hops.flatMap((hop) => {
    const need = pluginBuildNeeded(hop.to);
    const release = formatRelease(releaseOf(hop.to));
    if (!plugin.builds) {
      const message = `not checked: plugin ${plugin.name} needs a build that supports ${release}${need === "any" ? "" : ` (${need} build)`}; declare plugins[].builds["${release}"] to check it`;
      return [uncheckedFinding("P6", message, nodeName)];
    }
    const build = plugin.builds[release];
    const message =
      build === undefined
        ? `plugin ${plugin.name} has no build for ${release}${need === "any" ? "" : ` (it needs the ${need} build)`}; add plugins[].builds["${release}"] or remove the plugin before upgrading`
        : need === "DEPRECATED" && !/deprecated/i.test(build)
          ? `plugin ${plugin.name} build ${build} for 6.0 is not the build labelled DEPRECATED that 6.0 needs`
          : need === "new implementation" && /deprecated/i.test(build)
            ? `plugin ${plugin.name} build ${build} is a DEPRECATED build; from 6.1 on the new plugin implementation is required`
            : undefined;
    return message === undefined ? [] : [finding("P6", "error", message, nodeName)];
  });
}

/**
 * Rule P10 over FEATURE_REMOVALS: every removal or deprecation the node's path crosses; then the SHA-1
 * certificates, no longer trusted from 6.0.4 (on a path through 6.0) or 6.5.0.
 */
export function checkFeatureRemovals({ node, hops, first, last }: NodePath): PreflightFinding[] {
  const out: PreflightFinding[] = [];
  removedFeatures(node, first, last, out);
  const sha1Threshold = hops.some((h) => h.to.major === 6 && h.to.minor === 0) ? "6.0.4" : "6.5.0";
  if (!crosses(first, last, sha1Threshold)) return out;
  const what = `SHA-1-signed AD/LDAP certificates (no longer trusted from ${sha1Threshold})`;
  const broken = `AD/LDAP servers present SHA-1-signed certificates, no longer trusted from ${sha1Threshold}; replace them before upgrading`;
  return out.concat(
    declared("P10", node, "sha1LdapCertificates", what, (sha1) => (sha1 ? broken : undefined)),
  );
}

function removedFeatures(node: FleetNode, first: Revision, last: Revision, out: PreflightFinding[]): void {
  const inUse = node.settings.removedFeaturesInUse;
  const removing = FEATURE_REMOVALS.filter((r) => crosses(first, last, r.removedFrom));
  const deprecating = FEATURE_REMOVALS.filter(
    (r) => r.deprecatedFrom !== undefined && crosses(first, last, r.deprecatedFrom) && !removing.includes(r),
  );
  if (inUse === undefined) {
    const what = `features this upgrade removes (${removing.map((r) => `${r.label} from ${r.removedFrom}`).join(", ")})`;
    if (removing.length > 0) out.push(notChecked("P10", node.name, what, "removedFeaturesInUse"));
    return;
  }
  const uses = `the configuration uses`;
  for (const r of removing.filter((r) => inUse.includes(r.feature))) {
    const message = `${uses} ${r.label}, which ${r.removedFrom} removes (${r.source}); ${r.instead} — replace it before upgrading`;
    out.push(finding("P10", "error", message, node.name));
  }
  for (const r of deprecating.filter((r) => inUse.includes(r.feature))) {
    const message = `${uses} ${r.label}, deprecated from ${r.deprecatedFrom ?? ""} and removed in ${r.removedFrom} (${r.source}); ${r.instead} before the upgrade to ${r.removedFrom}`;
    out.push(finding("P10", "warning", message, node.name));
  }
}

/** P3: the upgrade deletes core dump files. */
export function checkCoreDumps({ node }: NodePath): PreflightFinding[] {
  const what = "core dump files (deleted by the upgrade)";
  const deleted = (n: number): string | undefined =>
    n > 0
      ? `${n} core dump file(s) will be deleted by the upgrade; download them first if support needs them`
      : undefined;
  return declared("P3", node, "coreDumps", what, deleted, "warning");
}

/**
 * P5, P15: a virtual appliance — [doc] UG 5.11/6.0/6.3, "Prerequisites": "Create a snapshot of the
 * virtual machine before starting the upgrade process", "Configure and enable console redirection (if
 * the virtual environment allows it)". Declared false: the run stops at preflight until confirmed.
 */
function virtualPrerequisite(
  rule: "P5" | "P15",
  fact: "vmSnapshot" | "consoleRedirection",
  what: string,
  unknown: string,
): (p: NodePath) => PreflightFinding[] {
  return ({ node }) => {
    if (node.virtual === undefined) {
      const message = `not checked: ${unknown}; declare virtual (and settings.${fact}) for this node to check it`;
      return [uncheckedFinding(rule, message, node.name)];
    }
    if (!node.virtual) return [];
    const done = node.settings[fact];
    if (done === undefined) return [notChecked(rule, node.name, `virtual appliance: ${what}`, fact)];
    if (done) return [];
    const confirm = `${fact === "vmSnapshot" ? "vm-snapshot" : "console-redirection"} ${node.name}`;
    const message = `virtual appliance declared without ${what} (settings.${fact}: false); the run stops at this node's preflight until it is done and confirmed: add "${confirm}" to confirmed`;
    return [{ rule, severity: "warning", node: node.name, confirm, message }];
  };
}

export const checkVmSnapshot = virtualPrerequisite(
  "P5",
  "vmSnapshot",
  "a VM snapshot taken before the upgrade",
  "virtual appliance VM snapshot",
);
export const checkConsoleRedirection = virtualPrerequisite(
  "P15",
  "consoleRedirection",
  "console redirection configured and enabled (if the virtual environment allows it)",
  "console redirection of a virtual appliance",
);

/** P9: an LDAP/AD-authenticated SPS needs a directory response timeout of at least 120 s (from 6.0). */
export function checkLdapTimeout({ node, last }: NodePath): PreflightFinding[] {
  if (compareRevisions(last, parseRevision("6.0.0")) < 0 || node.settings.ldapAuth === false) return [];
  if (node.settings.ldapAuth === undefined)
    return [notChecked("P9", node.name, "LDAP/AD authentication timeout (at least 120 s)", "ldapAuth")];
  return declared("P9", node, "ldapTimeoutSeconds", "LDAP/AD response timeout (at least 120 s)", (t) =>
    t < 120
      ? `LDAP/AD response timeout is ${t} s; it must be at least 120 s — raise it before upgrading`
      : undefined,
  );
}

/** P11: from 6.1.0, in-band destination hostnames must follow RFC 5890. */
export function checkRfc5890({ node, first, last }: NodePath): PreflightFinding[] {
  if (!crosses(first, last, "6.1.0")) return [];
  const what = "in-band destination hostnames must follow RFC 5890 from 6.1.0";
  return declared("P11", node, "nonRfc5890Hostnames", what, (hosts) =>
    hosts.length > 0
      ? `in-band destination hostnames ${hosts.map((h) => JSON.stringify(h)).join(", ")} do not follow RFC 5890, required from 6.1.0; fix them before upgrading`
      : undefined,
  );
}

/** S14: Windows domain membership is checked after the reboot. */
export function checkDomainMembership({ node }: NodePath): PreflightFinding[] {
  if (!node.settings.windowsDomainMember) return [];
  const message = "the node is in a Windows domain: check its domain membership after each reboot";
  return [finding("S14", "warning", message, node.name)];
}
