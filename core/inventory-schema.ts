/** The zod schemas of the fleet inventory (./inventory.ts), apart for the reason ./same-type.ts gives. */
import { z } from "zod";
import {
  checkClusterMembers,
  checkClusterNames,
  checkNodeRoles,
  clusterFields,
  indexerFields,
  nodeFields,
} from "./fleet";
import { applianceKey, hasCredentials } from "./appliance-address";
import type { Equal, Same } from "./same-type";
import type { Inventory, InventoryCluster, InventoryInput, InventoryNode, InventoryTls } from "./inventory";
import { INVENTORY_SCHEMA_VERSION } from "./inventory-version";

/** A host name or IP address (no scheme, no port). */
export const hostNameText = z
  .string()
  .regex(/^[A-Za-z0-9._:%-]{1,253}$/, "must be a host name or IP address (no scheme, no port)");

/** An OpenSSH host key fingerprint as `ssh-keygen -lf` prints it. */
export const sshFingerprintText = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, "must look like SHA256:<43 base64 characters> (ssh-keygen -lf)");

/** Core shell over SSH (system-control `ssh` channel). */
export const coreShellSchema = z.strictObject({
  host: hostNameText,
  port: z.number().int().min(1).max(65535).default(22),
  hostKeySha256: sshFingerprintText,
});

/** BMC per HA unit (system-control `ipmi` channel), e.g. { a: {host, port}, b: {host, port} }. */
export const bmcSchema = z.record(
  z.string().regex(/^[A-Za-z0-9]{1,16}$/, "must be an HA unit name (letters and digits), e.g. a"),
  z.object({ host: hostNameText, port: z.number().int().min(1).max(65535).default(623) }).strict(),
);

/** A node's `bmc` needs an HA pair: only a pair has a secondary to power on. */
export function checkBmcNeedsHa(
  n: { bmc?: unknown; ha: boolean },
  ctx: z.RefinementCtx,
  at: PropertyKey[],
): void {
  const message = "only an HA pair (ha: true) has a secondary to power on; remove bmc or set ha";
  if (n.bmc !== undefined && !n.ha) ctx.addIssue({ code: "custom", path: [...at, "bmc"], message });
}

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

export const certificateSha256 = z
  .string()
  .regex(
    /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
    "must be the SHA-256 fingerprint of the appliance certificate (64 hex digits, colons optional)",
  );

/** The trust fields a program's node (sdk/inputs.ts) and an inventory node share. */
export const tlsFields = {
  caPem: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must be PEM text" }).optional(),
  sha256Fingerprint: certificateSha256.optional(),
  system: z.literal(true, { message: "must be true (trust the machine's CA store) or left out" }).optional(),
};

/** InventoryTls (./inventory.ts). */
export const inventoryTlsSchema = z
  .strictObject({
    caPem: tlsFields.caPem,
    caFile: z.string().min(1, "must be the path of a PEM file").optional(),
    sha256Fingerprint: tlsFields.sha256Fingerprint,
    system: tlsFields.system,
  })
  .refine((t) => Object.values(t).filter((v) => v !== undefined).length === 1, {
    message: "set exactly one of `caPem`, `caFile`, `sha256Fingerprint` or `system: true`",
  });
export type InventoryTlsSchemaIsInventoryTls = Same<Equal<z.output<typeof inventoryTlsSchema>, InventoryTls>>;

export const inventoryNodeSchema = z
  .strictObject({
    ...nodeFields,
    version: nodeFields.version.optional(),
    address: applianceAddressText,
    tls: inventoryTlsSchema.optional(),
    units: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/, "must be letters and digits")).optional(),
    coreShell: coreShellSchema.optional(),
    bmc: bmcSchema.optional(),
  })
  .superRefine((n, ctx) => {
    checkNodeRoles(n, ctx);
    checkBmcNeedsHa(n, ctx, []);
  });
export type InventoryNodeSchemaIsInventoryNode = Same<
  Equal<z.output<typeof inventoryNodeSchema>, InventoryNode>
>;

export const inventoryIndexerSchema = z.strictObject({
  ...indexerFields,
  version: indexerFields.version.optional(),
  host: hostNameText.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  hostKeySha256: sshFingerprintText.optional(),
});

const stageName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, "must be a stage name: letters, digits, '_' or '-'");

export const inventoryClusterSchema = z
  .strictObject({
    ...clusterFields,
    target: clusterFields.target.optional(),
    nodes: z.array(inventoryNodeSchema).min(1, "must list at least one node"),
    indexers: z.array(inventoryIndexerSchema).default([]),
    tls: inventoryTlsSchema.optional(),
    stage: stageName.optional(),
  })
  .superRefine(checkClusterMembers);
export type InventoryClusterSchemaIsInventoryCluster = Same<
  Equal<z.output<typeof inventoryClusterSchema>, InventoryCluster>
>;

export const inventorySchema = z
  .strictObject({
    schemaVersion: z
      .literal(INVENTORY_SCHEMA_VERSION, {
        message: `must be ${INVENTORY_SCHEMA_VERSION} (the only inventory format there is) or left out`,
      })
      .optional(),
    defaults: z
      .strictObject({ target: clusterFields.target.optional(), tls: inventoryTlsSchema.optional() })
      .default({}),
    clusters: z.array(inventoryClusterSchema),
  })
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
export type InventorySchemaIsInventory = Same<Equal<z.output<typeof inventorySchema>, Inventory>>;
export type InventorySchemaTakesInventoryInput = Same<Equal<z.input<typeof inventorySchema>, InventoryInput>>;
