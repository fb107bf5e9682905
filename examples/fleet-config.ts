// Shared by the example programs: the fleet they manage comes from stack config in the `fleet` namespace,
// so a program runs against a real fleet by changing config alone (the emulated lab of the tests and the
// demo, test/support/sps-lab.ts, sets the same keys):
//   fleet:nodes          {"<node>": {"address": "https://…", "tls": {"caPem" | "sha256Fingerprint" | "system"},
//                         "coreShell"?: {host, port, hostKeySha256}, "bmc"?: {"<unit>": {host, port}}}}
//                        ("caPem": "<PEM>" is accepted for tls: {caPem})
//   fleet:firmware       {"X.Y.Z": {"path" | "url", "sha256"}}        fleet:systemControl  routes per operation
//   fleet:deadlines, fleet:target, fleet:evidenceDir, fleet:indexers, fleet:plugins (optional)
// A fleet of hundreds of appliances belongs in an inventory file instead (examples/inventory).
// Credentials are not here: they are the secret `sps:credentials`, read only by the providers.
import * as pulumi from "@pulumi/pulumi";
import type {
  ApplianceNodeInput,
  FleetInventoryArgs,
  IndexerHostArg,
  SystemControlInput,
  TlsInput,
} from "pulumi-sps";

const fleet = new pulumi.Config("fleet");

export interface FleetNode extends Pick<ApplianceNodeInput, "address" | "coreShell" | "bmc"> {
  /** How the appliance's certificate is trusted (the node's `tls`). */
  tls?: TlsInput;
  /** Shorthand for `tls: { caPem }`. */
  caPem?: string;
}

/** A node declaration with its address, TLS trust and channels from `fleet:nodes`. */
export function node(
  name: string,
  rest: Omit<ApplianceNodeInput, "name" | "address" | "tls"> = {},
): ApplianceNodeInput {
  const found = fleet.requireObject<Record<string, FleetNode>>("nodes")[name];
  if (!found)
    throw new pulumi.RunError(
      `fleet:nodes has no node "${name}": add {"${name}": {"address": "https://…", "tls": {…}}} to fleet:nodes`,
    );
  const tls = found.tls ?? (found.caPem !== undefined ? { caPem: found.caPem } : undefined);
  if (!tls)
    throw new pulumi.RunError(
      `fleet:nodes["${name}"].tls: missing; set one of caPem, sha256Fingerprint or system: true`,
    );
  return {
    name,
    address: found.address,
    tls,
    ...(found.coreShell ? { coreShell: found.coreShell } : {}),
    ...(found.bmc ? { bmc: found.bmc } : {}),
    ...rest,
  };
}

export function firmware(): Record<string, { path: string; sha256: string }> {
  return fleet.requireObject("firmware");
}

export function systemControl(): SystemControlInput {
  return fleet.getObject<SystemControlInput>("systemControl") ?? {};
}

/**
 * A fleet from an inventory file (examples/inventory, examples/multi-stack): the file's path in stack config
 * `inventory`, the target in `target` (default 6.3), firmware and deadlines from fleet: config, and per
 * cluster the operator's confirmations and the system-control routes (fleet:systemControl) only for a
 * cluster with an HA pair (secondary shutdown, power-on through IPMI, "Activate slave": H2), none for a
 * cluster of standalone nodes (docs/design-notes.md#standalone-nodes-need-no-channel): the REST upgrade call
 * reboots a standalone node, and its S11 license upload is the manual web-interface gate (no REST call
 * uploads a license [doc: REST guide "Manage the SPS license"]).
 */
export function inventoryFleet(): FleetInventoryArgs {
  const config = new pulumi.Config();
  return {
    inventory: config.require("inventory"),
    target: config.get("target") ?? "6.3",
    firmware: firmware(),
    cluster: (c) => ({
      ...(c.nodes.some((n) => n.ha === true) ? { systemControl: systemControl() } : {}),
      ...confirmed(),
    }),
    deadlines: deadlines(),
  };
}

export function deadlines(): Record<string, number> | undefined {
  return fleet.getObject<Record<string, number>>("deadlines");
}

/** Where support bundles go (S8): fleet:evidenceDir (the demo sets its work directory) (`fleet:evidenceDir`). */
export function evidenceDir(): string | undefined {
  return fleet.get("evidenceDir");
}

/** Target release of the example (`fleet:target` overrides, e.g. in tests). */
export function target(fallback: string): string {
  return fleet.get("target") ?? fallback;
}

/** Indexer hosts (fleet:indexers; empty when none). */
export function indexers(): IndexerHostArg[] {
  const found = fleet.getObject<Record<string, Omit<IndexerHostArg, "name">>>("indexers") ?? {};
  return Object.entries(found).map(([name, i]) => ({ name, ...i }));
}

/** Plugin zips (fleet:plugins): name → version → path. */
export function plugins(): Record<string, Record<string, string>> {
  return fleet.getObject<Record<string, Record<string, string>>>("plugins") ?? {};
}

/**
 * The operator's confirmations of the manual gates the tool cannot see passed (P1 backup and export per
 * cluster and hop, S8 support bundle made by hand, P5/P15, V6 "newest-revision X.Y.Z" where the catalog
 * cannot show a node leaves its release from the newest revision): `pulumi config set confirmed
 * '["backup dc1 8.0.0"]'`. Each gate prints the one it needs.
 */
export function confirmed(): { confirmed?: string[] } {
  const list = new pulumi.Config().getObject<string[]>("confirmed");
  return list && list.length > 0 ? { confirmed: list } : {};
}
