/**
 * The fleet description (plan-contract.md, "Fleet file"), validated with zod at the boundary.
 * The same shape is what the Pulumi component takes for its clusters, minus credentials.
 */
import { z } from "zod";
import { INDEXER_OS } from "./indexer-commands";
import { maintenanceWindowSchema } from "./maintenance-window-schema";
import { revisionText, versionSpecText } from "./validation";
import { checkFirmwareSources, firmwareSourceSchema } from "./firmware-source";
import { hardwareSchema } from "./hardware";
import {
  HA_STATUSES,
  NODE_ROLES,
  REMOVED_IN_6_0,
  type Fleet,
  type FleetCluster,
  type FleetIndexer,
  type FleetNode,
  type FirmwareImage,
  type FirmwareImageInput,
  type LocalFile,
  type NodeRole,
  type NodeSettings,
  type PluginFacts,
} from "./fleet-types";
import type { Equal, Same } from "./same-type";

export { HA_STATUSES, NODE_ROLES, REMOVED_IN_6_0 };
export type { Fleet, FleetCluster, FleetIndexer, FleetNode, NodeRole, NodeSettings, PluginFacts };

const SEARCH_ROLES: readonly NodeRole[] = ["search-master", "search-minion", "search-local"];

/** NodeSettings (./fleet-types.ts). */
export const nodeSettingsSchema = z
  .strictObject({
    healthOk: z.boolean(),
    coreDumps: z.number().int().nonnegative(),
    haStatus: z.enum(HA_STATUSES),
    ipmiReachable: z.boolean(),
    vmSnapshot: z.boolean(),
    consoleRedirection: z.boolean(),
    starlingJoined: z.boolean(),
    diskFillupLimitPercent: z.number().min(0).max(100),
    ldapAuth: z.boolean(),
    ldapTimeoutSeconds: z.number().nonnegative(),
    /** P10: features a target removes or deprecates (./feature-removals.ts) that the configuration still uses ([] when none). */
    removedFeaturesInUse: z.array(z.enum(REMOVED_IN_6_0)),
    sha1LdapCertificates: z.boolean(),
    nonRfc5890Hostnames: z.array(z.string()),
    windowsDomainMember: z.boolean(),
  })
  .partial();
export type NodeSettingsSchemaIsNodeSettings = Same<Equal<z.output<typeof nodeSettingsSchema>, NodeSettings>>;

export const pluginSchema = z.strictObject({
  name: z.string().min(1, "must not be empty"),
  version: z.string().min(1, "must not be empty"),
  /**
   * P6: plugin builds you have for target releases, release → build version
   * (e.g. {"6.0": "1.4.0-DEPRECATED", "6.3": "2.1.0"}). Absent: P6 is not checked.
   */
  builds: z.record(z.string(), z.string()).optional(),
});
export type PluginSchemaIsPluginFacts = Same<Equal<z.output<typeof pluginSchema>, PluginFacts>>;

/** The planner's node fields (plan-contract.md); the inventory (./inventory.ts) extends them. */
export const nodeFields = {
  name: z.string().min(1, "must not be empty"),
  version: revisionText,
  roles: z.array(z.enum(NODE_ROLES)).default([]),
  ha: z.boolean().default(false),
  /** V8: the appliance hardware (./hardware.ts), a closed set; absent on a physical node: V8 not checked. */
  hardware: hardwareSchema.optional(),
  virtual: z.boolean().optional(),
  plugins: z.array(pluginSchema).default([]),
  settings: nodeSettingsSchema.default({}),
};

/** A node's roles: at most one search role, none twice. */
export function checkNodeRoles(n: { roles: readonly NodeRole[] }, ctx: z.RefinementCtx): void {
  const search = n.roles.filter((r) => SEARCH_ROLES.includes(r));
  if (search.length > 1) {
    ctx.addIssue({
      code: "custom",
      path: ["roles"],
      message: `a node has at most one search role; found ${search.join(", ")} — keep one`,
    });
  }
  if (new Set(n.roles).size !== n.roles.length) {
    ctx.addIssue({ code: "custom", path: ["roles"], message: "lists a role twice; remove the duplicate" });
  }
}

export const nodeSchema = z.object(nodeFields).strict().superRefine(checkNodeRoles);
export type NodeSchemaIsFleetNode = Same<Equal<z.output<typeof nodeSchema>, FleetNode>>;

export const indexerFields = {
  name: z.string().min(1, "must not be empty"),
  os: z.enum(INDEXER_OS),
  version: revisionText,
};

export const indexerSchema = z.object(indexerFields).strict();
export type IndexerSchemaIsFleetIndexer = Same<Equal<z.output<typeof indexerSchema>, FleetIndexer>>;

export const localFileSchema = z.strictObject({
  path: z.string().min(1, "must be a file path"),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits")
    .optional(),
});

export const clusterFields = {
  name: z.string().min(1, "must not be empty"),
  target: versionSpecText,
  nodes: z.array(nodeSchema).min(1, "must list at least one node"),
  indexers: z.array(indexerSchema).default([]),
  /**
   * V7: firmware images per revision (X.Y.Z → image). When present, every hop target needs one;
   * absent: images are not checked (offline what-if planning).
   */
  firmware: z
    .record(revisionText, firmwareSourceSchema)
    .superRefine((m, ctx) => checkFirmwareSources(m, ctx))
    .optional(),
  /**
   * S2, S11: the license file per LTS major the plan enters ("6" → file). When present, every LTS the
   * plan enters needs one, and the CLI checks each file is readable (and its sha256, when given); absent:
   * "not checked".
   */
  licenses: z.record(z.string().regex(/^\d+$/, 'must be an LTS major, e.g. "6"'), localFileSchema).optional(),
  /**
   * I1, I3: the indexer RPM per SPS revision the indexers are brought to (downloaded from the SPS: Local
   * Services → Indexer service). When present, every such revision needs one; absent: "not checked".
   */
  indexerPackages: z.record(revisionText, localFileSchema).optional(),
  /** Fleet rollout: canary clusters are upgraded and verified before the rest. */
  canary: z.boolean().optional(),
  /** P13: the window the upgrade must fit ("4h", "90m", "PT4H" or { seconds }); checked against the estimate. */
  maintenanceWindow: maintenanceWindowSchema.optional(),
};

/** Within a cluster: node and indexer names unique, at most one search master and one CM. */
export function checkClusterMembers(
  c: {
    name: string;
    nodes: ReadonlyArray<{ name: string; roles: readonly NodeRole[] }>;
    indexers: ReadonlyArray<{ name: string }>;
  },
  ctx: z.RefinementCtx,
): void {
  const names = new Set<string>();
  const hosts = [
    ...c.nodes.map((n, i) => ["nodes", i, n.name] as const),
    ...c.indexers.map((x, i) => ["indexers", i, x.name] as const),
  ];
  for (const [kind, idx, name] of hosts) {
    if (names.has(name))
      ctx.addIssue({
        code: "custom",
        path: [kind, idx, "name"],
        message: `"${name}" is used twice in cluster "${c.name}"; node and indexer names must be unique within a cluster`,
      });
    names.add(name);
  }
  for (const role of ["search-master", "central-management"] as const) {
    const holders = c.nodes.flatMap((n, i) => (n.roles.includes(role) ? [i] : []));
    if (holders.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["nodes", holders[1], "roles"],
        message: `a cluster has at most one ${role} node; nodes[${holders[0]}] already is one`,
      });
    }
  }
}

export const clusterSchema = z.object(clusterFields).strict().superRefine(checkClusterMembers);
export type ClusterSchemaIsFleetCluster = Same<Equal<z.output<typeof clusterSchema>, FleetCluster>>;

/** Cluster names are unique in a fleet. */
export function checkClusterNames(
  f: { clusters: ReadonlyArray<{ name: string }> },
  ctx: z.RefinementCtx,
): void {
  const seen = new Map<string, number>();
  f.clusters.forEach((c, i) => {
    const first = seen.get(c.name);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["clusters", i, "name"],
        message: `cluster name "${c.name}" is also used by clusters[${first}]; cluster names must be unique`,
      });
    } else seen.set(c.name, i);
  });
}

export const fleetSchema = z
  .strictObject({
    clusters: z.array(clusterSchema),
  })
  .superRefine(checkClusterNames);
export type FleetSchemaIsFleet = Same<Equal<z.output<typeof fleetSchema>, Fleet>>;
export type LocalFileSchemaIsLocalFile = Same<Equal<z.output<typeof localFileSchema>, LocalFile>>;
export type FirmwareSchemaTakesFirmwareImageInput = Same<
  Equal<z.input<typeof firmwareSourceSchema>, FirmwareImageInput>
>;
export type FirmwareSchemaIsFirmwareImage = Same<Equal<z.output<typeof firmwareSourceSchema>, FirmwareImage>>;
