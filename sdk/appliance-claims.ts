/**
 * One declaration per appliance in a program. Two firmware resources naming the same SPS (a
 * mis-copied address, an appliance listed in two clusters) would each run its own upgrade of it at
 * the same time: two uploads, two tests, two upgrade calls, one of them while the other's reboot is
 * under way. The checkpoints and run locks are per cluster, so nothing else would stop it; the
 * program is refused at preview instead, naming both declarations.
 *
 * The registry is module-level: a Pulumi program runs once per process, and every declaration
 * (SpsCluster, SpsFleet's clusters, a ClusterFirmware used directly) registers at construction.
 * Addresses are compared by core/appliance-address.ts (case, default port, trailing slash).
 */
import * as pulumi from "@pulumi/pulumi";
import { applianceKey } from "../core/appliance-address";

interface Claim {
  /** `SpsCluster "dc1" nodes[0]` */
  where: string;
  address: string;
}

/** Two declarations name one appliance (shown without a stack trace: it is the program's input). */
export class DuplicateApplianceError extends pulumi.RunError {
  constructor(
    readonly first: Claim,
    readonly second: Claim,
  ) {
    const spelled = first.address === second.address ? "" : ` (written ${second.address})`;
    super(
      `${first.where} and ${second.where} both name ${first.address}${spelled}: two runs would upgrade one appliance at once. Declare each appliance in one cluster only (an HA pair is one node, under its cluster address); if these are two appliances, correct the address of one of them.`,
    );
    this.name = "DuplicateApplianceError";
  }
}

export interface ApplianceClaims {
  /** Registers `nodes` under `declaration`; throws DuplicateApplianceError on an address already claimed. */
  claim(declaration: string, nodes: ReadonlyArray<{ address: string }>): void;
}

export function newApplianceClaims(): ApplianceClaims {
  const claims = new Map<string, Claim>();
  return {
    claim(declaration, nodes) {
      // Checked as a whole first: a refused declaration claims nothing.
      const mine = new Map<string, Claim>();
      nodes.forEach((n, i) => {
        const key = applianceKey(n.address);
        const here: Claim = { where: `${declaration} nodes[${i}]`, address: n.address };
        const first = claims.get(key) ?? mine.get(key);
        if (first) throw new DuplicateApplianceError(first, here);
        mine.set(key, here);
      });
      for (const [k, c] of mine) claims.set(k, c);
    },
  };
}

const programClaims = newApplianceClaims();
/** Components (SpsCluster) whose firmware resource was claimed for them, under their own name. */
const claimedParents = new WeakSet<pulumi.Resource>();

/** SpsCluster (and through it SpsFleet): claims its nodes under `SpsCluster "<name>"`. */
export function claimClusterNodes(
  component: pulumi.Resource,
  declaration: string,
  nodes: ReadonlyArray<{ address: string }>,
): void {
  programClaims.claim(declaration, nodes);
  claimedParents.add(component);
}

/**
 * ClusterFirmware: its nodes as the resource takes them — claimed now when they are plain values,
 * when they resolve otherwise (the resource then fails with the same message) — unless its parent
 * component claimed them already.
 */
export function claimedFirmwareNodes<T extends { address: string }>(
  declaration: string,
  nodes: pulumi.Input<T[]>,
  parent: pulumi.Resource | undefined,
): pulumi.Input<T[]> {
  if (parent && claimedParents.has(parent)) return nodes;
  if (Array.isArray(nodes) && nodes.every((n) => typeof (n as { address?: unknown }).address === "string")) {
    programClaims.claim(declaration, nodes);
    return nodes;
  }
  return pulumi.output(nodes).apply((list) => {
    programClaims.claim(declaration, list);
    return list;
  }) as unknown as pulumi.Input<T[]>;
}
