/**
 * The ordered actions one appliance node goes through within one hop (rules S1–S15, H1–H3, P1, P6, P12).
 * Standalone nodes and HA pairs (primary + secondary behind one name) differ only in the HA steps.
 */
import { FleetNode } from "./fleet";
import { ApplianceAction } from "./plan";
import { RevisionHop } from "./upgrade-path";
import { compareRevisions, parseRevision } from "./version";

export interface NodeAction {
  readonly action: ApplianceAction;
  readonly plugin?: string;
  /** fetch-firmware: the host the appliance downloads the ISO from (never userinfo, path or query). */
  readonly host?: string;
}

/** Rule H3: the 5.11 procedure has no "activate slave" step; 6.0 and later do. */
export function needsActivateSecondary(hop: RevisionHop): boolean {
  return compareRevisions(hop.to, parseRevision("6.0.0")) >= 0;
}

/** Rules S2, S11: a new license file for every LTS major, uploaded after the reboot into it. */
export function needsLicenseUpload(hop: RevisionHop): boolean {
  return hop.to.major > hop.from.major;
}

/**
 * Actions of one node for one hop, in execution order.
 * `lastHopOfNode`: after the node's last hop, plugins are upgraded to their newest builds (S15).
 */
export function nodeHopActions(
  node: FleetNode,
  hop: RevisionHop,
  lastHopOfNode: boolean,
  fetchFrom?: { host: string },
): NodeAction[] {
  const out: NodeAction[] = [];
  const ha = node.ha;
  // Rule P6 / S4: upload the plugin builds the hop target needs before the upgrade.
  if (hop.kind === "release")
    for (const p of node.plugins) out.push({ action: "upload-plugin", plugin: p.name });
  // S5–S7: upload the ISO (or, declared by url on 7.0 and later, the appliance fetches it; S3 either way),
  // run the firmware's own upgrade test (P12), mark it "after reboot".
  out.push(
    fetchFrom ? { action: "fetch-firmware", host: fetchFrom.host } : { action: "upload-firmware" },
    { action: "test-firmware" },
    { action: "activate-firmware" },
  );
  // Rule H2: HA — wait until the new firmware reached the secondary, then shut the secondary down.
  if (ha) out.push({ action: "wait-secondary-sync" }, { action: "shutdown-secondary" });
  // S8: support bundle before the reboot; S9 / H1: reboot this node only, never the cluster.
  out.push({ action: "support-bundle" }, { action: "reboot" });
  // S11: the new license after the reboot into a new LTS major.
  if (needsLicenseUpload(hop)) out.push({ action: "upload-license" });
  // S13: the running version equals the hop target, or SPS rolled back.
  out.push({ action: "verify-version" });
  if (ha) {
    // Rule H2: power the secondary on through IPMI, wait for it to sync and reappear,
    // activate it (H3: 6.0 and later), verify current = active on both units.
    out.push({ action: "power-on-secondary" }, { action: "wait-secondary-rejoin" });
    if (needsActivateSecondary(hop)) out.push({ action: "activate-secondary" });
    out.push({ action: "verify-ha" });
  }
  // S15: plugins to their newest builds after the last hop.
  if (lastHopOfNode) for (const p of node.plugins) out.push({ action: "upgrade-plugin", plugin: p.name });
  return out;
}
