/**
 * The emulator's fleet file: the plan-contract fleet format (clusters / nodes with name, version,
 * roles, ha, hardware, plugins, settings) plus emulator-only fields under `emulator` — at the top level
 * (time scale, credentials, timings in emulated seconds) and per node (license, Starling join, faults,
 * commit-log requirement). Unknown planner fields are accepted and ignored.
 */
import { z } from "zod";
import { NodeFaultsSchema } from "../sps/faults";
import { CLUSTER_ROLES } from "../sps/emulated-node";

const Version = z.string().regex(/^\d+\.\d+\.\d+$/, "must be a revision X.Y.Z");

export const CredentialsSchema = z
  .object({
    username: z.string().min(1),
    password: z.string().min(1),
    access: z.enum(["admin", "readonly"]).default("admin"),
  })
  .strict();

const PluginDecl = z
  .object({
    name: z.string().min(1),
    version: z.string().min(1),
    type: z.enum(["aa", "credentialstore", "signingca", "configuration_sync"]).optional(),
    api: z.string().optional(),
    implementation: z.enum(["legacy", "deprecated", "new"]).optional(),
  })
  .loose();

const NodeEmulatorSettings = z
  .object({
    license: z
      .object({
        major: z.number().int().positive(),
        /** Default: five years after the emulator starts (dates relative to its clock never turn false). */
        validNotAfter: z.iso.date().optional(),
        customer: z.string().optional(),
      })
      .strict()
      .optional(),
    starlingJoined: z.boolean().optional(),
    requireCommitLog: z.boolean().optional(),
    diskUsedPercent: z.number().min(0).max(100).optional(),
    faults: NodeFaultsSchema.optional(),
    port: z.number().int().min(0).max(65535).optional(),
    /** What `POST /api/firmware/upgrade` does: "reboots" (default, [ps]) or "selects" (docs/appliance-facts.md §1). */
    upgradeCall: z.enum(["reboots", "selects"]).optional(),
    /** The node offers the support-bundle REST API (default: from 7.0, [unknown] cut-over). */
    supportBundleApi: z.boolean().optional(),
    /** The node offers `POST /api/firmware/fetch` (default: from 7.0 [doc]). */
    firmwareFetchApi: z.boolean().optional(),
    /** The license GET shows `product_version` (default true); false: the LTS major is not verifiable (S11). */
    licenseProductVersion: z.boolean().optional(),
    /** The REST tree offers the emulator's [inference] next-hop path (default true; H4). */
    nextHopRest: z.boolean().optional(),
  })
  .strict();

export const FleetNodeSchema = z
  .object({
    name: z.string().min(1),
    version: Version,
    roles: z.array(z.enum(CLUSTER_ROLES)).optional(),
    ha: z.boolean().optional(),
    hardware: z.enum(["standard", "pyramid"]).optional(),
    virtual: z.boolean().optional(),
    plugins: z.array(PluginDecl).optional(),
    settings: z.object({ diskFillupLimitPercent: z.number().int().optional() }).loose().optional(),
    emulator: NodeEmulatorSettings.optional(),
  })
  .loose();

export const FleetClusterSchema = z
  .object({
    name: z.string().min(1),
    target: z.string().optional(),
    nodes: z.array(FleetNodeSchema).min(1),
  })
  .loose();

const Seconds = z.number().nonnegative();

export const FleetFileSchema = z
  .object({
    clusters: z.array(FleetClusterSchema).min(1),
    emulator: z
      .object({
        /** Emulated time runs this many times faster than real time (600: 15 min in 1.5 s). */
        timeScale: z.number().positive().optional(),
        credentials: z.array(CredentialsSchema).min(1).optional(),
        /** Emulated seconds. */
        timings: z
          .object({
            downSeconds: Seconds.optional(),
            firstBootSeconds: Seconds.optional(),
            storageReorgSeconds: Seconds.optional(),
            plainBootSeconds: Seconds.optional(),
            haFirmwareSyncSeconds: Seconds.optional(),
            haRejoinSyncSeconds: Seconds.optional(),
            haActivationSeconds: Seconds.optional(),
          })
          .strict()
          .optional(),
        /** Port of the emulator's control surface (0: any free port). */
        controlPort: z.number().int().min(0).max(65535).optional(),
      })
      .strict()
      .optional(),
  })
  .loose();

export type FleetFile = z.infer<typeof FleetFileSchema>;

/** Parse a fleet document; the error names the field path (`clusters[0].nodes[1].version: ...`). */
export function parseFleetFile(raw: unknown, source = "fleet"): FleetFile {
  const parsed = FleetFileSchema.safeParse(raw);
  if (parsed.success) {
    const names = parsed.data.clusters.flatMap((c) => c.nodes.map((n) => n.name));
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup)
      throw new Error(`${source}: node name "${dup}" is used twice; node names must be unique in the fleet`);
    return parsed.data;
  }
  const issue = parsed.error.issues[0];
  const path = issue.path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
  throw new Error(`${source}: ${path || "(root)"}: ${issue.message}`);
}
