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
import { z } from "zod";
import {
  checkClusterMembers,
  checkClusterNames,
  checkNodeRoles,
  clusterFields,
  indexerFields,
  nodeFields,
  type Fleet,
} from "./fleet";
import { applianceKey } from "./appliance-address";
import { type FieldProblem } from "./field-problems";
import { fieldProblems } from "./validation";

export const INVENTORY_SCHEMA_VERSION = 1;

/** A host name or IP address (no scheme, no port). */
export const hostNameText = z
  .string()
  .regex(/^[A-Za-z0-9._:%-]{1,253}$/, "must be a host name or IP address (no scheme, no port)");

/** An OpenSSH host key fingerprint as `ssh-keygen -lf` prints it. */
export const sshFingerprintText = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, "must look like SHA256:<43 base64 characters> (ssh-keygen -lf)");

/** Core shell over SSH (system-control `ssh` channel). */
export const coreShellSchema = z
  .object({
    host: hostNameText,
    port: z.number().int().min(1).max(65535).default(22),
    hostKeySha256: sshFingerprintText,
  })
  .strict();

/** BMC per HA unit (system-control `ipmi` channel), e.g. { a: {host, port}, b: {host, port} }. */
export const bmcSchema = z.record(
  z.string().regex(/^[A-Za-z0-9]{1,16}$/, "must be an HA unit name (letters and digits), e.g. a"),
  z.object({ host: hostNameText, port: z.number().int().min(1).max(65535).default(623) }).strict(),
);

/** The appliance REST API base URL (the SPS REST API is HTTPS only). */
export const applianceAddressText = z
  .string()
  .refine((u) => /^https:\/\/[^\s/]+(\/.*)?$/.test(u), {
    message:
      "must be the appliance's https:// URL, e.g. https://sps1.example.com (the SPS REST API is HTTPS only)",
  })
  .refine((u) => !hasCredentials(u), {
    message:
      "must not hold a user name or password (https://user:password@host would keep the password in the state and logs): write https://host and put the login in the sps:credentials secret config",
  });

/** Whether a URL carries a login (`https://user:password@host`). */
export function hasCredentials(u: string): boolean {
  try {
    const url = new URL(u);
    return url.username !== "" || url.password !== "";
  } catch {
    return /^[a-z]+:\/\/[^/]*@/i.test(u);
  }
}

export const certificateSha256 = z
  .string()
  .regex(
    /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
    "must be the SHA-256 fingerprint of the appliance certificate (64 hex digits, colons optional)",
  );

/**
 * How an appliance's HTTPS certificate is trusted, exactly one of: `caPem` (PEM of the issuing CA),
 * `caFile` (a PEM file, relative to the inventory file), `sha256Fingerprint` (pin the appliance's own
 * certificate — SPS ships self-signed ones), `system: true` (the machine's CA store).
 */
export const inventoryTlsSchema = z
  .object({
    caPem: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must be PEM text" }).optional(),
    caFile: z.string().min(1, "must be the path of a PEM file").optional(),
    sha256Fingerprint: certificateSha256.optional(),
    system: z
      .literal(true, { message: "must be true (trust the machine's CA store) or left out" })
      .optional(),
  })
  .strict()
  .refine((t) => Object.values(t).filter((v) => v !== undefined).length === 1, {
    message: "set exactly one of `caPem`, `caFile`, `sha256Fingerprint` or `system: true`",
  });
export type InventoryTls = z.infer<typeof inventoryTlsSchema>;

export const inventoryNodeSchema = z
  .object({
    ...nodeFields,
    version: nodeFields.version.optional(),
    /** REST API base URL; for an HA pair the cluster address (served by the current primary). */
    address: applianceAddressText,
    tls: inventoryTlsSchema.optional(),
    /** HA: the physical units as the HA page names them (default a, b). */
    units: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/, "must be letters and digits")).optional(),
    coreShell: coreShellSchema.optional(),
    bmc: bmcSchema.optional(),
  })
  .strict()
  .superRefine((n, ctx) => {
    checkNodeRoles(n, ctx);
    if (n.bmc !== undefined && !n.ha)
      ctx.addIssue({
        code: "custom",
        path: ["bmc"],
        message: "only an HA pair (ha: true) has a secondary to power on; remove bmc or set ha",
      });
  });
export type InventoryNode = z.infer<typeof inventoryNodeSchema>;

export const inventoryIndexerSchema = z
  .object({
    ...indexerFields,
    version: indexerFields.version.optional(),
    /** SSH endpoint of the indexer host and its pinned host key. */
    host: hostNameText.optional(),
    port: z.number().int().min(1).max(65535).optional(),
    hostKeySha256: sshFingerprintText.optional(),
  })
  .strict();

const stageName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, "must be a stage name: letters, digits, '_' or '-'");

export const inventoryClusterSchema = z
  .object({
    ...clusterFields,
    target: clusterFields.target.optional(),
    nodes: z.array(inventoryNodeSchema).min(1, "must list at least one node"),
    indexers: z.array(inventoryIndexerSchema).default([]),
    /** Trust for the nodes of this cluster that name none. */
    tls: inventoryTlsSchema.optional(),
    /** The rollout stage this cluster belongs to (SpsFleet `rollout.stages[].name`). */
    stage: stageName.optional(),
  })
  .strict()
  .superRefine(checkClusterMembers);
export type InventoryCluster = z.infer<typeof inventoryClusterSchema>;

export const inventorySchema = z
  .object({
    schemaVersion: z
      .literal(INVENTORY_SCHEMA_VERSION, {
        message: `must be ${INVENTORY_SCHEMA_VERSION} (the only inventory format there is) or left out`,
      })
      .optional(),
    defaults: z
      .object({ target: clusterFields.target.optional(), tls: inventoryTlsSchema.optional() })
      .strict()
      .default({}),
    clusters: z.array(inventoryClusterSchema),
  })
  .strict()
  .superRefine((inv, ctx) => {
    checkClusterNames(inv, ctx);
    const addresses = new Map<string, string>();
    inv.clusters.forEach((c, i) => {
      c.nodes.forEach((n, j) => {
        const at = `clusters[${i}].nodes[${j}]`;
        const key = applianceKey(n.address);
        const first = addresses.get(key);
        if (first !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["clusters", i, "nodes", j, "address"],
            message: `${n.address} is also the address of ${first}; every node (an HA pair is one node) has its own address`,
          });
        else addresses.set(key, at);
        if (n.tls === undefined && c.tls === undefined && inv.defaults.tls === undefined)
          ctx.addIssue({
            code: "custom",
            path: ["clusters", i, "nodes", j, "tls"],
            message:
              "is required: say how the certificate is trusted (caPem, caFile, sha256Fingerprint or system: true) here, in the cluster's tls or in defaults.tls",
          });
      });
    });
  });
export type Inventory = z.infer<typeof inventorySchema>;
export type InventoryInput = z.input<typeof inventorySchema>;

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
