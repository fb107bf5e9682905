/**
 * Rule P16: the cautions the upgrade guides give for a version, shown on every plan whose path crosses
 * that version, each with its consequence and its source. Data, not logic: `from` is the first revision
 * the caution is about (a path from below it to at or above it crosses it); `from: "any"` applies to
 * every upgrade (`releaseHopsOnly`: to every hop into another release).
 */
import { Finding } from "./plan";
import { RevisionHop } from "./upgrade-path";
import { crosses, formatRelease, releaseOf } from "./version";

export interface VersionCaution {
  readonly id: string;
  /** First revision (X.Y.Z) the caution is about, or "any"; several when more than one guide gives it for its own version. */
  readonly from: string | readonly string[];
  /** Applies only when the node changes release (not to a revision update within its release). */
  readonly releaseHopsOnly?: true;
  /** Applies only when the path starts on this release (e.g. "5.0"). */
  readonly startingOn?: string;
  /** What changes, and what it does to the operator's setup. */
  readonly text: string;
  readonly source: string;
}

const UG511 = "SPS 5.11 Upgrade Guide";
const UG60 = "SPS 6.0 Upgrade Guide";
const UG63 = "SPS 6.3 Upgrade Guide";
const NOTES = '"Notes and warnings about the upgrade"';

export const VERSION_CAUTIONS: readonly VersionCaution[] = [
  {
    id: "release-notes",
    from: "any",
    text: "read the Release Notes of each firmware before updating: they may include instructions specific to that version",
    source: 'SPS Administration Guide, "Upgrade checklist"',
  },
  {
    id: "test-in-vm",
    from: "any",
    releaseHopsOnly: true,
    text: "test the upgrade first in a virtual machine (import this configuration into a VMware image of the new version and upgrade it there): the upgrade cannot be reversed",
    source: `${UG511}, ${UG60} and ${UG63}, "Upgrading …" prerequisites; SPS Administration Guide, "Upgrade checklist"`,
  },
  {
    id: "aes-gcm-audit-trails",
    from: "5.4.0",
    text: "from 5 F4, audit trails are encrypted with AES128-GCM: external indexers must be upgraded to index them, and only the latest Safeguard Desktop Player (or the browser player) can replay them",
    source: `${UG511} and ${UG60}, ${NOTES}`,
  },
  {
    id: "tls-1.2-only",
    from: "5.8.0",
    text: 'from 5.8.0 the option "Required minimum version of encryption protocol" is removed and SPS uses TLS 1.2 regardless of the configured version: old browsers can no longer open the web interface',
    source: `${UG511} and ${UG60}, ${NOTES}`,
  },
  {
    id: "case-insensitive-detection",
    from: "5.8.0",
    text: "from 5.8.0 command detection and window title detection in content policies are case-insensitive (they were case-sensitive): review content policies that rely on letter case",
    source: `${UG511} and ${UG60}, ${NOTES}`,
  },
  {
    id: "gssapi-username",
    from: "5.9.0",
    text: "from 5.9.0, SSH connections authenticated with GSSAPI log in to the target as client-username instead of client-username@REALM: configure the servers accordingly, or a Usermapping Policy",
    source: `${UG511} and ${UG60}, ${NOTES}`,
  },
  {
    id: "no-sslv3",
    from: "5.10.0",
    text: "from 5.10 SSLv3 is not supported: the browser used to configure SPS, and the clients and servers of audited HTTP, Telnet or VNC sessions with TLS, must support at least TLSv1",
    source: `${UG511} and ${UG60}, ${NOTES}`,
  },
  {
    id: "spa-risk-scores",
    // Given by the 5.11 and the 6.0 guide for their own upgrade: shown when either version is crossed.
    from: ["5.11.0", "6.0.0"],
    text: "the upgrade removes all risk scores generated earlier by Safeguard for Privileged Analytics (a database change); sessions after the upgrade are scored again",
    source: `${UG511} and ${UG60}, ${NOTES}`,
  },
  {
    id: "audit-player-screen-search",
    from: "5.11.0",
    text: "screen contents indexed by the old Audit Player can no longer be searched on the new search interface or the REST API (metadata and extracted events can); contact support for such searches in historical sessions",
    source: `${UG511}, ${UG60} and ${UG63}, ${NOTES} (first stated in the 5.11 guide)`,
  },
  {
    id: "no-logs-from-5.0",
    from: "any",
    releaseHopsOnly: true,
    startingOn: "5.0",
    text: "upgrading from 5.0.x, status information appears on the web interface only after the first boot into the new version: follow the upgrade on the console (IPMI or console access) meanwhile",
    source: `${UG511}, ${UG60} and ${UG63}, step "Click System Control > This node > Reboot" (NOTE)`,
  },
  {
    id: "hardened-ssl",
    from: "6.10.0",
    text: "from 6.10.0 SPS uses hardened SSL settings: RSA or DSA keys under 2048 bits, ECC keys under 224 bits and SHA-1 or MD5 signed certificates (other than root CAs) are not accepted, and SPS cannot be upgraded while its configuration holds such certificates or keys (web interface, internal CA, connection policy TLS, LDAP/SMTP/Syslog client credentials, SMTP/Splunk server certificates, indexer credentials, trusted CA lists)",
    source:
      "SPS release notes, 'Upgrade and installation instructions' (https://support.oneidentity.com/technical-documents/safeguard-for-privileged-sessions-on-demand/hosted/release-notes/4)",
  },
];

/** Does the path of `hops` cross the caution (reach it from below), or start where it applies? */
export function cautionApplies(c: VersionCaution, hops: readonly RevisionHop[]): boolean {
  if (hops.length === 0) return false;
  const first = hops[0].from;
  const last = hops[hops.length - 1].to;
  if (c.releaseHopsOnly && !hops.some((h) => h.kind === "release")) return false;
  if (c.startingOn !== undefined && formatRelease(releaseOf(first)) !== c.startingOn) return false;
  if (c.from === "any") return true;
  const froms: readonly string[] = typeof c.from === "string" ? [c.from] : c.from;
  return froms.some((f) => crosses(first, last, f));
}

/** Rule P16: one warning per caution a node's path crosses in the cluster, naming the nodes when not all. */
export function cautionFindings(
  nodes: ReadonlyArray<{ name: string; hops: readonly RevisionHop[] }>,
): Finding[] {
  const working = nodes.filter((n) => n.hops.length > 0);
  const out: Finding[] = [];
  for (const c of VERSION_CAUTIONS) {
    const hit = working.filter((n) => cautionApplies(c, n.hops));
    if (hit.length === 0) continue;
    const who = hit.length === working.length ? "" : ` (nodes ${hit.map((n) => n.name).join(", ")})`;
    out.push({ rule: "P16", severity: "warning", message: `caution${who}: ${c.text} — ${c.source}` });
  }
  return out;
}
