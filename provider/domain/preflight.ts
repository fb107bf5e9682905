/**
 * Preflight rules P1–P14 (and S14) evaluated from the node facts of the fleet description.
 * A rule whose facts are absent is reported as "not checked" (a warning that says which fact
 * to declare), never as passed. Rules the plan itself satisfies are cited where the steps are
 * built: P1 (backup-config step), P12 (test-firmware step).
 */
import { FleetNode, PluginFacts } from "./fleet";
import { FEATURE_REMOVALS } from "./feature-removals";
import { Finding } from "./plan";
import { RevisionHop } from "./upgrade-path";
import {
  compareRevisions,
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

/** Does the path cross (reach or pass) `threshold` — from below it to at or above it? */
function crosses(from: Revision, to: Revision, threshold: string): boolean {
  const t = parseRevision(threshold);
  return compareRevisions(from, t) < 0 && compareRevisions(to, t) >= 0;
}

function notChecked(rule: string, node: string, what: string, fact: string): PreflightFinding {
  return {
    rule,
    severity: "warning",
    node,
    status: "not-checked",
    message: `not checked: ${what}; declare settings.${fact} for this node to check it`,
  };
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

function checkPlugins(node: FleetNode, releaseHops: readonly RevisionHop[], out: PreflightFinding[]): void {
  for (const plugin of node.plugins) {
    checkPluginBuilds(node.name, plugin, releaseHops, out);
    if (STARLING.test(plugin.name)) checkStarling(node, plugin, releaseHops, out);
  }
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
  releaseHops: readonly RevisionHop[],
  out: PreflightFinding[],
): void {
  const joined = node.settings.starlingJoined;
  if (joined === true) return;
  const planned: { version: string; what: string }[] = [{ version: plugin.version, what: "installed" }];
  let unknownTarget = false;
  for (const hop of releaseHops) {
    const release = formatRelease(releaseOf(hop.to));
    const build = plugin.builds?.[release];
    if (build === undefined) unknownTarget = true;
    else planned.push({ version: build, what: `build for ${release}` });
  }
  out.push(...starlingFindings(node.name, joined, plugin.name, planned, unknownTarget));
}

/**
 * P7's verdict on the Starling plugin versions a node will have (`planned`: version and where it
 * comes from — installed, a release's build, a Plugin resource). `unknownTarget`: the node enters a
 * release whose build is not declared. Also used for versions the planner does not install itself
 * (the Pulumi `Plugin` resources, sdk/runtime/firmware-plan.ts).
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
    if (joined === undefined)
      return [
        notChecked(
          "P7",
          nodeName,
          `plugin ${pluginName} ${which} needs a Starling-joined SPS (${STARLING_JOIN_FROM} or later)`,
          "starlingJoined",
        ),
      ];
    return [
      {
        rule: "P7",
        severity: "error",
        node: nodeName,
        message: `plugin ${pluginName} ${which} is ${STARLING_JOIN_FROM} or later, which works only after SPS has joined Starling; complete "Joining to One Identity Starling" before upgrading the plugin, or keep a build below ${STARLING_JOIN_FROM}`,
      },
    ];
  }
  if (!unknownTarget) return [];
  return [
    {
      rule: "P7",
      severity: "warning",
      node: nodeName,
      status: "not-checked",
      message: `not checked: the ${pluginName} version this upgrade installs is not declared (${STARLING_JOIN_FROM} or later needs a Starling-joined SPS); declare plugins[].builds for the target releases, or settings.starlingJoined: true`,
    },
  ];
}

function checkPluginBuilds(
  nodeName: string,
  plugin: PluginFacts,
  releaseHops: readonly RevisionHop[],
  out: PreflightFinding[],
): void {
  for (const hop of releaseHops) {
    const need = pluginBuildNeeded(hop.to);
    const release = formatRelease(releaseOf(hop.to));
    if (!plugin.builds) {
      out.push({
        rule: "P6",
        severity: "warning",
        node: nodeName,
        status: "not-checked",
        message: `not checked: plugin ${plugin.name} needs a build that supports ${release}${need === "any" ? "" : ` (${need} build)`}; declare plugins[].builds["${release}"] to check it`,
      });
      continue;
    }
    const build = plugin.builds[release];
    if (build === undefined) {
      out.push({
        rule: "P6",
        severity: "error",
        node: nodeName,
        message: `plugin ${plugin.name} has no build for ${release}${need === "any" ? "" : ` (it needs the ${need} build)`}; add plugins[].builds["${release}"] or remove the plugin before upgrading`,
      });
    } else if (need === "DEPRECATED" && !/deprecated/i.test(build)) {
      out.push({
        rule: "P6",
        severity: "error",
        node: nodeName,
        message: `plugin ${plugin.name} build ${build} for 6.0 is not the build labelled DEPRECATED that 6.0 needs`,
      });
    } else if (need === "new implementation" && /deprecated/i.test(build)) {
      out.push({
        rule: "P6",
        severity: "error",
        node: nodeName,
        message: `plugin ${plugin.name} build ${build} is a DEPRECATED build; from 6.1 on the new plugin implementation is required`,
      });
    }
  }
}

/** Rule P10 over FEATURE_REMOVALS: every removal or deprecation the node's path crosses. */
function checkFeatureRemovals(
  node: FleetNode,
  first: Revision,
  last: Revision,
  out: PreflightFinding[],
): void {
  const inUse = node.settings.removedFeaturesInUse;
  const removing = FEATURE_REMOVALS.filter((r) => crosses(first, last, r.removedFrom));
  const deprecating = FEATURE_REMOVALS.filter(
    (r) => r.deprecatedFrom !== undefined && crosses(first, last, r.deprecatedFrom) && !removing.includes(r),
  );
  if (inUse === undefined) {
    if (removing.length > 0)
      out.push(
        notChecked(
          "P10",
          node.name,
          `features this upgrade removes (${removing.map((r) => `${r.label} from ${r.removedFrom}`).join(", ")})`,
          "removedFeaturesInUse",
        ),
      );
    return;
  }
  for (const r of removing)
    if (inUse.includes(r.feature))
      out.push({
        rule: "P10",
        severity: "error",
        node: node.name,
        message: `the configuration uses ${r.label}, which ${r.removedFrom} removes (${r.source}); ${r.instead} — replace it before upgrading`,
      });
  for (const r of deprecating)
    if (inUse.includes(r.feature))
      out.push({
        rule: "P10",
        severity: "warning",
        node: node.name,
        message: `the configuration uses ${r.label}, deprecated from ${r.deprecatedFrom ?? ""} and removed in ${r.removedFrom} (${r.source}); ${r.instead} before the upgrade to ${r.removedFrom}`,
      });
}

/**
 * Evaluate the preflight rules for one node that has `hops` to take.
 * A node with nothing to do gets no findings.
 */
export function preflightNode(node: FleetNode, hops: readonly RevisionHop[]): PreflightFinding[] {
  if (hops.length === 0) return [];
  const out: PreflightFinding[] = [];
  const s = node.settings;
  const first = hops[0].from;
  const last = hops[hops.length - 1].to;
  const releaseHops = hops.filter((h) => h.kind === "release");

  // P2: System Monitor shows no problem.
  if (s.healthOk === undefined) out.push(notChecked("P2", node.name, "System Monitor health", "healthOk"));
  else if (!s.healthOk)
    out.push({
      rule: "P2",
      severity: "error",
      node: node.name,
      message: "System Monitor shows a problem; fix it before upgrading",
    });

  // P3: core dumps are deleted by an upgrade.
  if (s.coreDumps === undefined)
    out.push(notChecked("P3", node.name, "core dump files (deleted by the upgrade)", "coreDumps"));
  else if (s.coreDumps > 0)
    out.push({
      rule: "P3",
      severity: "warning",
      node: node.name,
      message: `${s.coreDumps} core dump file(s) will be deleted by the upgrade; download them first if support needs them`,
    });

  // P4: HA pair — IPMI of the secondary reachable, HA not degraded.
  if (node.ha) {
    if (s.ipmiReachable === undefined)
      out.push(
        notChecked(
          "P4",
          node.name,
          "IPMI of the secondary (the only way to power it back on)",
          "ipmiReachable",
        ),
      );
    else if (!s.ipmiReachable)
      out.push({
        rule: "P4",
        severity: "error",
        node: node.name,
        message:
          "IPMI of the HA secondary is not reachable; it is the only way to power the secondary back on — fix IPMI access first",
      });
    if (s.haStatus === undefined) out.push(notChecked("P4", node.name, "HA status", "haStatus"));
    else if (s.haStatus !== "HA")
      out.push({
        rule: "P4",
        severity: "error",
        node: node.name,
        message: `HA status is ${s.haStatus}, not HA; repair the HA pair before upgrading`,
      });
  }

  // P5, P15: a virtual appliance — [doc] UG 5.11/6.0/6.3, "Prerequisites": "Create a snapshot of the
  // virtual machine before starting the upgrade process", "Configure and enable console redirection (if
  // the virtual environment allows it)". Declared false: the run stops at preflight until confirmed.
  if (node.virtual === undefined) {
    out.push({
      rule: "P5",
      severity: "warning",
      node: node.name,
      status: "not-checked",
      message:
        "not checked: virtual appliance VM snapshot; declare virtual (and settings.vmSnapshot) for this node to check it",
    });
    out.push({
      rule: "P15",
      severity: "warning",
      node: node.name,
      status: "not-checked",
      message:
        "not checked: console redirection of a virtual appliance; declare virtual (and settings.consoleRedirection) for this node to check it",
    });
  } else if (node.virtual) {
    const prerequisites = [
      {
        rule: "P5",
        fact: s.vmSnapshot,
        name: "vmSnapshot",
        what: "a VM snapshot taken before the upgrade",
        confirm: `vm-snapshot ${node.name}`,
      },
      {
        rule: "P15",
        fact: s.consoleRedirection,
        name: "consoleRedirection",
        what: "console redirection configured and enabled (if the virtual environment allows it)",
        confirm: `console-redirection ${node.name}`,
      },
    ] as const;
    for (const p of prerequisites) {
      if (p.fact === undefined)
        out.push(notChecked(p.rule, node.name, `virtual appliance: ${p.what}`, p.name));
      else if (!p.fact)
        out.push({
          rule: p.rule,
          severity: "warning",
          node: node.name,
          confirm: p.confirm,
          message: `virtual appliance declared without ${p.what} (settings.${p.name}: false); the run stops at this node's preflight until it is done and confirmed: add "${p.confirm}" to confirmed`,
        });
    }
  }

  // P6, P7: plugins.
  checkPlugins(node, releaseHops, out);

  // P8: from 6.0.4, the disk fill-up limit must be within 50–98 %.
  if (compareRevisions(last, parseRevision("6.0.4")) >= 0) {
    const limit = s.diskFillupLimitPercent;
    if (limit === undefined)
      out.push(
        notChecked(
          "P8",
          node.name,
          '"disconnect clients when disks are N% used" must be within 50–98 from 6.0.4',
          "diskFillupLimitPercent",
        ),
      );
    else if (limit < 50 || limit > 98)
      out.push({
        rule: "P8",
        severity: "error",
        node: node.name,
        message: `"disconnect clients when disks are N% used" is ${limit}%; from 6.0.4 it must be within 50–98 or the upgrade cannot start — set it to a value in 50–98`,
      });
  }

  // P9: LDAP/AD-authenticated SPS needs a directory response timeout of at least 120 s.
  if (compareRevisions(last, parseRevision("6.0.0")) >= 0) {
    if (s.ldapAuth === undefined)
      out.push(notChecked("P9", node.name, "LDAP/AD authentication timeout (at least 120 s)", "ldapAuth"));
    else if (s.ldapAuth) {
      if (s.ldapTimeoutSeconds === undefined)
        out.push(
          notChecked("P9", node.name, "LDAP/AD response timeout (at least 120 s)", "ldapTimeoutSeconds"),
        );
      else if (s.ldapTimeoutSeconds < 120)
        out.push({
          rule: "P9",
          severity: "error",
          node: node.name,
          message: `LDAP/AD response timeout is ${s.ldapTimeoutSeconds} s; it must be at least 120 s — raise it before upgrading`,
        });
    }
  }

  // P10: features removed (blocking) or deprecated (warning) at the version each guide states.
  checkFeatureRemovals(node, first, last, out);
  const sha1Threshold = hops.some((h) => h.to.major === 6 && h.to.minor === 0) ? "6.0.4" : "6.5.0";
  if (crosses(first, last, sha1Threshold)) {
    if (s.sha1LdapCertificates === undefined)
      out.push(
        notChecked(
          "P10",
          node.name,
          `SHA-1-signed AD/LDAP certificates (no longer trusted from ${sha1Threshold})`,
          "sha1LdapCertificates",
        ),
      );
    else if (s.sha1LdapCertificates)
      out.push({
        rule: "P10",
        severity: "error",
        node: node.name,
        message: `AD/LDAP servers present SHA-1-signed certificates, no longer trusted from ${sha1Threshold}; replace them before upgrading`,
      });
  }

  // P11: from 6.1.0, in-band destination hostnames must follow RFC 5890.
  if (crosses(first, last, "6.1.0")) {
    if (s.nonRfc5890Hostnames === undefined)
      out.push(
        notChecked(
          "P11",
          node.name,
          "in-band destination hostnames must follow RFC 5890 from 6.1.0",
          "nonRfc5890Hostnames",
        ),
      );
    else if (s.nonRfc5890Hostnames.length > 0)
      out.push({
        rule: "P11",
        severity: "error",
        node: node.name,
        message: `in-band destination hostnames ${s.nonRfc5890Hostnames.map((h) => JSON.stringify(h)).join(", ")} do not follow RFC 5890, required from 6.1.0; fix them before upgrading`,
      });
  }

  // P14: from 6.3.0, internal data storage is reorganised at first boot (30 min or more).
  if (crosses(first, last, "6.3.0")) {
    out.push({
      rule: "P14",
      severity: "warning",
      node: node.name,
      message:
        "the first boot into 6.3 reorganises internal data storage (30 minutes or more; the estimate is shown at activation); plan the maintenance window for it",
    });
  }

  // S14: Windows domain membership is checked after the reboot.
  if (s.windowsDomainMember) {
    out.push({
      rule: "S14",
      severity: "warning",
      node: node.name,
      message: "the node is in a Windows domain: check its domain membership after each reboot",
    });
  }
  return out;
}
