/**
 * From an inventory file (./inventory-file.ts) to the cluster declarations of `SpsFleet`: per cluster
 * its nodes (address, trust, roles, HA units, core shell, BMCs, settings, plugins, offline version),
 * target, canary flag and stage; what is the same for the whole fleet — firmware images, system-control
 * routes, license, deadlines, indexer RPMs — comes from the program. `cluster` adds per-cluster
 * arguments (e.g. a license per site).
 */
import type { ApplianceNodeInput } from "./input-types";
import { InventoryFileError, readInventoryFile, type InventoryFile } from "./inventory-file";
import type { SpsClusterArgs } from "./cluster";
import type { FieldProblem } from "../core/validation";

export type InventoryCluster = InventoryFile["clusters"][number];

export interface FleetInventoryArgs extends Omit<
  SpsClusterArgs,
  "cluster" | "target" | "canary" | "nodes" | "indexers"
> {
  /** Path of the inventory JSON file (relative paths: from the program's working directory). */
  inventory: string;
  /** Target of clusters whose inventory entry and `defaults.target` name none. */
  target?: string;
  /** Indexer RPM per SPS revision, for the inventory's indexer hosts (I3). */
  indexerPackages?: Record<string, { path: string; version?: string }>;
  /** Per-cluster additions or overrides (e.g. a site's license). */
  cluster?: (c: InventoryCluster) => Partial<Omit<SpsClusterArgs, "cluster" | "nodes">>;
}

export interface InventoryClusterArgs extends SpsClusterArgs {
  cluster: string;
  /** The rollout stage the inventory names for this cluster. */
  stage?: string;
}

/** A node of the inventory as SpsCluster takes it: the same fields, empty settings and plugins left out. */
function nodeInput({ settings, plugins, ...n }: InventoryCluster["nodes"][number]): ApplianceNodeInput {
  return {
    ...n,
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
    ...(plugins.length > 0 ? { plugins } : {}),
  };
}

/** The cluster declarations of an inventory file; throws InventoryFileError naming every problem. */
export function clustersFromInventory(args: FleetInventoryArgs): InventoryClusterArgs[] {
  const read = readInventoryFile(args.inventory);
  const { target: fallbackTarget, indexerPackages, cluster: extra, ...rest } = args;
  const common: Omit<typeof rest, "inventory"> & { inventory?: string } = { ...rest };
  delete common.inventory;
  const problems: FieldProblem[] = [];
  const out = read.clusters.map((c, i): InventoryClusterArgs => {
    const target = c.target ?? fallbackTarget;
    if (target === undefined)
      problems.push({
        property: `clusters[${i}].target`,
        reason: "is required: set it in the inventory (or defaults.target) or pass `target` to fromInventory",
      });
    const firmware = { ...common.firmware };
    // `path` (the tool uploads it) or, 7.0 and later, `url` (each node fetches it itself; S3).
    for (const [revision, image] of Object.entries(c.firmware ?? {})) firmware[revision] = image;
    const indexers = c.indexers.map((x, j) => {
      if (x.host === undefined || x.hostKeySha256 === undefined || indexerPackages === undefined)
        problems.push({
          property: `clusters[${i}].indexers[${j}]`,
          reason:
            "the resources reach indexer hosts over SSH: set host and hostKeySha256 in the inventory and pass indexerPackages to fromInventory",
        });
      return {
        name: x.name,
        os: x.os,
        host: x.host ?? "",
        ...(x.port !== undefined ? { port: x.port } : {}),
        hostKeySha256: x.hostKeySha256 ?? "",
        packages: indexerPackages ?? {},
      };
    });
    return {
      ...common,
      firmware,
      cluster: c.name,
      target: target ?? "",
      ...(c.canary !== undefined ? { canary: c.canary } : {}),
      ...(c.stage !== undefined ? { stage: c.stage } : {}),
      nodes: c.nodes.map(nodeInput),
      ...(indexers.length > 0 ? { indexers } : {}),
      ...(extra ? extra(c) : {}),
    };
  });
  if (problems.length > 0) throw new InventoryFileError(read.file, problems);
  return out;
}
