// Shared by the example programs: what the emulated lab (test/support/sps-lab.ts, run by scripts/demo.sh
// and the e2e tests) puts into stack config — node addresses and CA, firmware images, system-control
// routes and deadlines. Credentials are not here: they are the secret `sps:credentials`, read only by
// the providers through configure().
import * as pulumi from "@pulumi/pulumi";
import type { ApplianceNodeInput, SystemControlInput } from "pulumi-sps";

const lab = new pulumi.Config("lab");

export interface LabNode {
  address: string;
  caPem: string;
  /** Present when the lab runs the emulator's SSH core shell and BMCs ("native" channels). */
  coreShell?: { host: string; port: number; hostKeySha256: string };
  bmc?: Record<string, { host: string; port: number }>;
}

export function labNodes(): Record<string, LabNode> {
  return lab.requireObject<Record<string, LabNode>>("nodes");
}

/** A node declaration with its address and TLS trust from the lab. */
export function node(
  name: string,
  rest: Omit<ApplianceNodeInput, "name" | "address" | "tls"> = {},
): ApplianceNodeInput {
  const found = labNodes()[name];
  if (!found) throw new Error(`lab:nodes has no node "${name}"`);
  return {
    name,
    address: found.address,
    tls: { caPem: found.caPem },
    ...(found.coreShell ? { coreShell: found.coreShell } : {}),
    ...(found.bmc ? { bmc: found.bmc } : {}),
    ...rest,
  };
}

export function firmware(): Record<string, { path: string; sha256: string }> {
  return lab.requireObject("firmware");
}

export function systemControl(): SystemControlInput {
  return lab.getObject<SystemControlInput>("systemControl") ?? {};
}

/**
 * The lab's system-control routes for a cluster with an HA pair (secondary shutdown, power-on through
 * IPMI, "Activate slave": H2) and none for a cluster of standalone nodes (docs/design-notes.md): the REST upgrade call
 * reboots a standalone node, and its S11 license upload is the manual web-interface gate (no REST call
 * uploads a license [doc: REST guide "Manage the SPS license"]).
 */
export function haSystemControl(nodes: ReadonlyArray<{ ha?: boolean }>): {
  systemControl?: SystemControlInput;
} {
  return nodes.some((n) => n.ha === true) ? { systemControl: systemControl() } : {};
}

export function deadlines(): Record<string, number> | undefined {
  return lab.getObject<Record<string, number>>("deadlines");
}

/** Where support bundles go (S8): the lab's directory, or the demo's work directory (`lab:evidenceDir`). */
export function evidenceDir(): string | undefined {
  return lab.get("evidenceDir");
}

/** Target release of the example (`lab:target` overrides, e.g. in tests). */
export function target(fallback: string): string {
  return lab.get("target") ?? fallback;
}

export interface LabIndexer {
  os: "rhel6" | "rhel7" | "rhel8" | "rhel9";
  host: string;
  port: number;
  hostKeySha256: string;
  rootPrefix?: string;
  packages: Record<string, { path: string; version?: string }>;
}

/** Indexer hosts the lab started (empty when it started none). */
export function indexers(): Array<LabIndexer & { name: string }> {
  const found = lab.getObject<Record<string, LabIndexer>>("indexers") ?? {};
  return Object.entries(found).map(([name, i]) => ({ name, ...i }));
}

/** Plugin zips the lab wrote: name → version → path. */
export function plugins(): Record<string, Record<string, string>> {
  return lab.getObject<Record<string, Record<string, string>>>("plugins") ?? {};
}

/**
 * The operator's confirmations of the manual gates the tool cannot see passed (P1 backup and export per
 * cluster and hop, S8 support bundle made by hand, P5/P15): `pulumi config set confirmed
 * '["backup dc1 8.0.0"]'`. Each gate prints the one it needs.
 */
export function confirmed(): { confirmed?: string[] } {
  const list = new pulumi.Config().getObject<string[]>("confirmed");
  return list && list.length > 0 ? { confirmed: list } : {};
}
