/**
 * The fleet inventory: the file a platform team keeps for the whole fleet — the planner's fleet
 * format (plan-contract.md, "Fleet file"; ./fleet.ts) plus, per node, where to reach it and how its
 * certificate is trusted, its core shell and BMCs; per cluster an optional rollout stage. `SpsFleet.
 * fromInventory` (sdk/) declares a cluster per entry from it, so 2,000 appliances need no per-node
 * stack config; `sps-upgrade doctor` reads the same file. Pure: parsing and validation only — reading
 * the file and any `caFile` happens at the edge (sdk/inventory-file.ts).
 *
 * Differences to the planner's fleet file (everything else is the same, field by field):
 *  - node `version` is optional: the Pulumi resources read the running version live; when present it
 *    is the offline-planning fallback. `plannerFleet()` needs it (the offline planner reads nothing).
 *  - cluster `target` is optional: `defaults.target`, else the program (SpsFleet.fromInventory's
 *    `target`) names it; `plannerFleet()` needs one.
 *  - node `tls` is optional when the cluster's or `defaults.tls` names one.
 */
import type {
  ClusterDeclarations,
  Fleet,
  FleetIndexer,
  FirmwareImageInput,
  NodeFacts,
  NodeRole,
  NodeSettings,
  PluginFacts,
} from "./fleet-types";
import { type FieldProblem } from "./field-problems";
import { inventorySchema } from "./inventory-schema";
import { fieldProblems } from "./validation";

export { INVENTORY_SCHEMA_VERSION } from "./inventory-version";
export { hasCredentials } from "./appliance-address";

/**
 * How an appliance's HTTPS certificate is trusted, exactly one of: `caPem` (PEM of the issuing CA),
 * `caFile` (a PEM file, relative to the inventory file), `sha256Fingerprint` (pin the appliance's own
 * certificate — SPS ships self-signed ones), `system: true` (the machine's CA store).
 */
export interface InventoryTls {
  caPem?: string | undefined;
  caFile?: string | undefined;
  sha256Fingerprint?: string | undefined;
  system?: true | undefined;
}

/** Core shell over SSH (system-control `ssh` channel) as declared; port 22 when left out. */
export interface CoreShellInput {
  host: string;
  port?: number | undefined;
  /** OpenSSH host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`). */
  hostKeySha256: string;
}

/** The BMC of one HA unit (system-control `ipmi` channel) as declared; port 623 when left out. */
export interface BmcInput {
  host: string;
  port?: number | undefined;
}

/** A node of the inventory as validated (defaults filled in). */
export interface InventoryNode extends NodeFacts {
  name: string;
  /** Optional: the offline-planning fallback (`plannerFleet()` needs it). */
  version?: string | undefined;
  address: string;
  tls?: InventoryTls | undefined;
  units?: string[] | undefined;
  coreShell?: { host: string; port: number; hostKeySha256: string } | undefined;
  bmc?: Record<string, { host: string; port: number }> | undefined;
}

/** An external indexer host of an inventory cluster. */
export interface InventoryIndexer {
  name: string;
  os: FleetIndexer["os"];
  version?: string | undefined;
  /** SSH endpoint of the indexer host and its pinned host key. */
  host?: string | undefined;
  port?: number | undefined;
  hostKeySha256?: string | undefined;
}

/** A cluster of the inventory as validated. */
export interface InventoryCluster extends ClusterDeclarations {
  name: string;
  target?: string | undefined;
  nodes: InventoryNode[];
  indexers: InventoryIndexer[];
  /** Trust for the nodes of this cluster that name none. */
  tls?: InventoryTls | undefined;
  /** The rollout stage this cluster belongs to (SpsFleet `rollout.stages[].name`). */
  stage?: string | undefined;
}

/** The inventory as validated. */
export interface Inventory {
  schemaVersion?: 1 | undefined;
  defaults: { target?: string | undefined; tls?: InventoryTls | undefined };
  clusters: InventoryCluster[];
}

/** What a node declares both in an inventory and in a program (SpsCluster `nodes`), but its trust. */
export interface DeclaredNodeInput {
  name: string;
  /** REST API base URL (https); for an HA pair the cluster address (served by the current primary). */
  address: string;
  roles?: NodeRole[] | undefined;
  ha?: boolean | undefined;
  /** HA: the physical units as the HA page names them (default a, b). */
  units?: string[] | undefined;
  /** V8: pyramid, t1, t4, t10, 3000, 3500 or other, any letter case. */
  hardware?: string | undefined;
  virtual?: boolean | undefined;
  /** Facts for preflight rules that are not read live (P4, P5, P9, P10, P11 ...). */
  settings?: NodeSettings | undefined;
  plugins?: PluginFacts[] | undefined;
  /** The version the node runs: the fallback for offline planning. */
  version?: string | undefined;
  coreShell?: CoreShellInput | undefined;
  /** BMC per HA unit, e.g. { a: {host, port}, b: {host, port} }. */
  bmc?: Record<string, BmcInput> | undefined;
}

/** A node of the inventory as written (an object type, so it is also a `Record<string, unknown>`). */
export type InventoryNodeInput = Flat<DeclaredNodeInput & { tls?: InventoryTls | undefined }>;

/** The same object type, its intersection spelled out. */
type Flat<T> = { [K in keyof T]: T[K] };

/** A cluster of the inventory as written. */
export interface InventoryClusterInput extends Omit<ClusterDeclarations, "firmware" | "maintenanceWindow"> {
  name: string;
  target?: string | undefined;
  nodes: InventoryNodeInput[];
  indexers?: InventoryIndexer[] | undefined;
  firmware?: Record<string, FirmwareImageInput> | undefined;
  /** P13: "4h", "90m", "PT4H" or { seconds }. */
  maintenanceWindow?: string | { seconds: number; text?: string | undefined } | undefined;
  tls?: InventoryTls | undefined;
  stage?: string | undefined;
}

/** The inventory file as written (the document `parseInventory` validates). */
export interface InventoryInput {
  schemaVersion?: 1 | undefined;
  defaults?: { target?: string | undefined; tls?: InventoryTls | undefined } | undefined;
  clusters: InventoryClusterInput[];
}

export type InventoryResult = { ok: true; inventory: Inventory } | { ok: false; problems: FieldProblem[] };

/** Validates an inventory document (already parsed from JSON); problems name the field path and the fix. */
export function parseInventory(document: unknown): InventoryResult {
  const parsed = inventorySchema.safeParse(document);
  return parsed.success
    ? { ok: true, inventory: parsed.data }
    : { ok: false, problems: fieldProblems(parsed.error) };
}

/** A node with the defaults applied: its trust and its cluster's target always set. */
export interface ResolvedInventoryNode extends Omit<InventoryNode, "tls"> {
  tls: InventoryTls;
}
export interface ResolvedInventoryCluster extends Omit<InventoryCluster, "nodes" | "target" | "tls"> {
  /** The cluster's target, else defaults.target; undefined when neither names one. */
  target: string | undefined;
  nodes: ResolvedInventoryNode[];
}

/** Every cluster with `defaults` and the cluster's `tls` applied (a parsed inventory has them all). */
export function resolvedClusters(inv: Inventory): ResolvedInventoryCluster[] {
  return inv.clusters.map((c) => {
    const { tls: clusterTls, target, ...rest } = c;
    return {
      ...rest,
      target: target ?? inv.defaults.target,
      nodes: c.nodes.map((n) => ({ ...n, tls: (n.tls ?? clusterTls ?? inv.defaults.tls) as InventoryTls })),
    };
  });
}

/**
 * The planner's fleet document of an inventory (`sps-upgrade plan`): every node needs its `version`
 * (the offline planner reads nothing live) and every indexer its `version`.
 */
export function plannerFleet(
  inv: Inventory,
): { ok: true; fleet: Fleet } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const clusters = resolvedClusters(inv).map((c, i) => {
    if (c.target === undefined)
      problems.push({
        property: `clusters[${i}].target`,
        reason: 'is required for planning: set the cluster\'s target (e.g. "6.3") or defaults.target',
      });
    return {
      name: c.name,
      target: c.target ?? "0.0.0",
      ...(c.canary !== undefined ? { canary: c.canary } : {}),
      ...(c.firmware !== undefined ? { firmware: c.firmware } : {}),
      ...(c.maintenanceWindow !== undefined ? { maintenanceWindow: c.maintenanceWindow } : {}),
      nodes: c.nodes.map((n, j) => {
        if (n.version === undefined)
          problems.push({
            property: `clusters[${i}].nodes[${j}].version`,
            reason: "is required for offline planning: set the version the node runs (X.Y.Z)",
          });
        return {
          name: n.name,
          version: n.version ?? "0.0.0",
          roles: n.roles,
          ha: n.ha,
          ...(n.hardware !== undefined ? { hardware: n.hardware } : {}),
          ...(n.virtual !== undefined ? { virtual: n.virtual } : {}),
          plugins: n.plugins,
          settings: n.settings,
        };
      }),
      indexers: c.indexers.map((x, j) => {
        if (x.version === undefined)
          problems.push({
            property: `clusters[${i}].indexers[${j}].version`,
            reason: "is required for offline planning: set the indexer version the host runs (X.Y.Z)",
          });
        return { name: x.name, os: x.os, version: x.version ?? "0.0.0" };
      }),
    };
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fleet: { clusters } };
}
