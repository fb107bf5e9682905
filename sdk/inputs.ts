/**
 * Inputs of the dynamic resources, validated with zod when `check` runs (the provider boundary).
 * None of them holds a secret: credentials, keys and license texts come from `sps:credentials`
 * (./credentials.ts). zod issues become `check` failures `{property, reason}` naming field and fix.
 */
import { deadlineMsSchema, intervalMsSchema, requestMsSchema } from "../core/duration-bounds";
import { z } from "zod";
import { NODE_ROLES, nodeSettingsSchema, pluginSchema } from "../core/fleet";
import { checkFirmwareSources, firmwareSourceSchema } from "../core/firmware-source";
import { hardwareSchema } from "../core/hardware";
import { INDEXER_OS } from "../core/indexer-commands";
import { LICENSE_CONFIRMATION_PATTERN } from "../core/license-decision";
import {
  applianceAddressText,
  bmcSchema,
  checkBmcNeedsHa,
  coreShellSchema,
  hostNameText,
  sshFingerprintText,
  tlsFields,
} from "../core/inventory-schema";
import { revisionText, versionSpecText } from "../core/validation";
import { catalogSchema } from "../core/catalog-schema";
import { trafficRedirectionSpecSchema } from "../core/redirection-spec";
import type { Equal, Same } from "../core/same-type";
import type { ApplianceNodeInput, SystemControlInput, TlsInput } from "./input-types";

export type { ApplianceNodeInput, SystemControlInput, TlsInput } from "./input-types";

/** TlsInput (./input-types.ts documents the fields of this file's schemas where they are public). */
export const tlsInputSchema = z
  .strictObject(tlsFields)
  .refine((t) => [t.caPem, t.sha256Fingerprint, t.system].filter((v) => v !== undefined).length === 1, {
    message: "set exactly one of `caPem`, `sha256Fingerprint` or `system: true`",
  });
export type TlsSchemaIsTlsInput = Same<Equal<z.output<typeof tlsInputSchema>, TlsInput>>;

/** ApplianceNodeInput. */
export const applianceNodeInputSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, "use letters, digits, '_' or '-'"),
  address: applianceAddressText,
  tls: tlsInputSchema,
  roles: z.array(z.enum(NODE_ROLES)).default([]),
  ha: z.boolean().default(false),
  units: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/)).optional(),
  hardware: hardwareSchema.optional(),
  virtual: z.boolean().optional(),
  settings: nodeSettingsSchema.optional(),
  plugins: z.array(pluginSchema).optional(),
  /** Only for offline planning: used when the appliance cannot be read during preview. */
  version: revisionText.optional(),
  coreShell: coreShellSchema.optional(),
  bmc: bmcSchema.optional(),
});
export type NodeSchemaTakesApplianceNodeInput = Same<
  Equal<z.input<typeof applianceNodeInputSchema>, ApplianceNodeInput>
>;
export type ApplianceNode = z.output<typeof applianceNodeInputSchema>;

const deadlineMs = deadlineMsSchema.optional();
const route = z
  .union([
    z.strictObject({ channel: z.literal("ssh"), deadlineMs }),
    z.strictObject({ channel: z.literal("ipmi"), deadlineMs }),
    z.strictObject({ channel: z.literal("manual"), note: z.string().optional(), deadlineMs }),
    z.strictObject({
      channel: z.literal("command"),
      argv: z.array(z.string()).min(1),
      env: z.record(z.string(), z.string()).optional(),
      deadlineMs,
    }),
  ])
  .optional();

/** SystemControlInput. */
export const systemControlInputSchema = z.strictObject({
  rebootNode: route,
  rebootCluster: route,
  shutdownSecondary: route,
  powerOnSecondary: route,
  activateSecondary: route,
  readHaState: route,
  readPowerState: route,
  uploadLicense: route,
});
export type SystemControlSchemaIsSystemControlInput = Same<
  Equal<z.output<typeof systemControlInputSchema>, SystemControlInput>
>;

const deadlinesSchema = z
  .strictObject({
    secondarySyncMs: deadlineMsSchema,
    firstBootMs: deadlineMsSchema,
    webInterfaceBackMs: deadlineMsSchema,
    secondaryRejoinMs: deadlineMsSchema,
    storageReorganisationMs: deadlineMsSchema,
    pollIntervalMs: intervalMsSchema,
    firmwareTestMs: deadlineMsSchema,
    /** S3 fetch-firmware: the appliance's download by URL (default 60 min). */
    firmwareFetchMs: deadlineMsSchema,
    /** How long a node is watched after the firmware upgrade call before it is rebooted (docs/user-guide.md, "The firmware upgrade call"). */
    upgradeCallObserveMs: deadlineMsSchema,
    /**
     * check, diff and read (preview, and `up` before it changes anything): how long to wait for a
     * node's facts — a node in its first boot (S10) included — and the longest one request may take;
     * default 90 s, each request at most 15 s (provider/resources/firmware-plan.ts).
     */
    planReadMs: deadlineMsSchema,
    /**
     * `up` past planning: how long one REST request to a node may take (default 30 s, 1 s to 10 min);
     * the waits poll again after a request that timed out (core/deadlines.ts).
     */
    restRequestMs: requestMsSchema,
  })
  .partial();

/**
 * The operator's confirmation that the license file of this SHA-256 is installed on every node,
 * "sha256:<hex>" as the manual gate names it; counts only where REST cannot show the license's LTS
 * major (rules S2, S11; core/license-decision.ts).
 */
const licenseConfirmedSchema = z
  .string()
  .regex(
    LICENSE_CONFIRMATION_PATTERN,
    'must be "sha256:<64 lowercase hex digits>", the value the license gate names',
  )
  .optional();

/** Longest file name (bytes) Linux file systems accept (NAME_MAX). */
const MAX_FILE_NAME = 255;

/**
 * A cluster name: it names the run's checkpoint, lock and evidence files, and appears in every message,
 * so it is short and printable.
 */
export const clusterNameText = z
  .string()
  .min(1, "must not be empty")
  .max(100, "must be at most 100 characters (it names the run's checkpoint and evidence files)")
  .refine((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s), {
    message: "must not hold control characters (tabs, newlines, escapes)",
  });

/** One external-indexer host: how to reach it over SSH and its RPM per SPS revision (I3). */
const indexerHostFields = {
  name: z.string().min(1),
  os: z.enum(INDEXER_OS),
  /** SSH endpoint of the host (login from sps:credentials.indexer / .indexerHosts). */
  host: hostNameText,
  port: z.number().int().min(1).max(65535).default(22),
  hostKeySha256: sshFingerprintText,
  /** Where the host's filesystem starts (tests; default "/"). */
  rootPrefix: z.string().optional(),
  /** Indexer RPM per SPS revision (I3): every revision the indexer is brought to needs one. */
  packages: z.record(
    revisionText,
    z.object({ path: z.string().min(1), version: revisionText.optional() }).strict(),
  ),
};

/** An indexer host as the firmware resource takes it: upgraded after every hop (I1). */
export const indexerHostInputSchema = z.object(indexerHostFields).strict();
export type IndexerHostInputs = z.output<typeof indexerHostInputSchema>;

/** The firmware resource of one cluster: the unit of ordering (C1, C3, H2); ClusterFirmwareArgs (./resources.ts) documents the fields. */
export const firmwareInputSchema = z
  .strictObject({
    cluster: clusterNameText,
    target: versionSpecText,
    canary: z.boolean().optional(),
    nodes: z.array(applianceNodeInputSchema).min(1, "must list at least one node"),
    firmware: z
      .record(revisionText, firmwareSourceSchema)
      .superRefine((m, ctx) => checkFirmwareSources(m, ctx))
      .default({}),
    licenses: z
      .record(z.string().regex(/^\d+$/, 'must be an LTS major, e.g. "6"'), z.string().min(1))
      .default({}),
    /** Plugin builds: plugin name → release or revision → { version, path } (P6, S15). */
    pluginBuilds: z
      .record(
        z.string(),
        z.record(z.string(), z.object({ version: z.string().min(1), path: z.string().min(1) }).strict()),
      )
      .default({}),
    pluginVersions: z
      .array(z.object({ node: z.string(), name: z.string().min(1), version: z.string().min(1) }).strict())
      .optional(),
    systemControl: systemControlInputSchema.default({}),
    licenseConfirmed: licenseConfirmedSchema,
    /** Each gate names its own confirmation (provider/executor/confirmations.ts). */
    confirmed: z.array(z.string().min(1, "must not be empty")).default([]),
    indexers: z.array(indexerHostInputSchema).default([]),
    maxParallel: z.number().int().positive().optional(),
    /** The catalog object, a path already read (./catalog-input.ts). */
    catalog: catalogSchema.optional(),
    /**
     * What POST /api/firmware/upgrade does on this cluster's SPS version, when the operator knows it
     * ([unknown] in general: docs/appliance-facts.md §1). Only HA pairs depend on it (provider/executor/upgrade-call.ts).
     */
    upgradeCall: z.enum(["reboots", "selects"]).optional(),
    /** Created when missing. */
    evidenceDir: z.string().min(1, "must be a directory path").optional(),
    /** ISO date for support-window findings (V2); default today. */
    asOf: z.iso.date().optional(),
    deadlines: deadlinesSchema.optional(),
    maintenanceWindow: z
      .strictObject({
        seconds: z.number().int().positive("must be a positive whole number of seconds"),
        text: z.string().optional(),
      })
      .optional(),
    /** Directory for the local copy of the checkpoint (survives a killed provider). */
    checkpointDir: z.string().optional(),
    /** Stack-unique key of the checkpoint file (project/stack/cluster). */
    checkpointKey: z.string().optional(),
    /** Set by SpsFleet only (FleetRunArgs in ./cluster.ts): a failed run recorded as a result. */
    recordFailure: z.boolean().optional(),
    hold: z.strictObject({ budget: z.number().int().min(0), failedBefore: z.array(z.string()) }).optional(),
    // Computed by check (shown by `pulumi preview --diff`):
    plannedActions: z.array(z.string()).optional(),
    planFindings: z.array(z.string()).optional(),
    resolvedTarget: z.string().optional(),
    estimate: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.nodes.forEach((n, i) => {
      if (seen.has(n.name))
        ctx.addIssue({
          code: "custom",
          path: ["nodes", i, "name"],
          message: `"${n.name}" is used twice; node names must be unique`,
        });
      seen.add(n.name);
      checkBmcNeedsHa(n, ctx, ["nodes", i]);
    });
    // The checkpoint file and its lock are named by project.stack.cluster: a name the file system
    // refuses (ENAMETOOLONG at the first write of an up) is refused here, at preview.
    const key = f.checkpointKey ?? f.cluster;
    const fileName = `${key.replace(/[^A-Za-z0-9._-]/g, "_")}.json.lock`;
    if (fileName.length > MAX_FILE_NAME)
      ctx.addIssue({
        code: "custom",
        path: ["cluster"],
        message: `is too long: with the project and stack names the run's checkpoint file name would be ${fileName.length} characters, over the ${MAX_FILE_NAME} a file system allows; shorten the cluster name (or the project or stack name)`,
      });
  });
export type FirmwareInputs = z.output<typeof firmwareInputSchema>;

/** NodeEndpoint (./resources.ts; built by nodeEndpoint in ./cluster.ts). */
export const nodeEndpointSchema = z.strictObject({
  name: z.string().min(1),
  address: applianceAddressText,
  tls: tlsInputSchema,
  ha: z.boolean().optional(),
  units: z.array(z.string().regex(/^[A-Za-z0-9]{1,16}$/)).optional(),
  coreShell: coreShellSchema.optional(),
  bmc: bmcSchema.optional(),
});

export const licenseInputSchema = z.strictObject({
  cluster: z.string().min(1),
  nodes: z.array(nodeEndpointSchema).min(1),
  license: z.string().min(1, "must name a license in sps:credentials.licenses"),
  /** LTS major the license is for (S2). */
  major: z.number().int().positive(),
  /** Warn (drift "expiring") when the license ends within this many days. */
  warnDays: z.number().int().nonnegative().default(30),
  systemControl: systemControlInputSchema.default({}),
  licenseConfirmed: licenseConfirmedSchema,
});
export type LicenseInputs = z.output<typeof licenseInputSchema>;

export const pluginInputSchema = z.strictObject({
  cluster: z.string().min(1),
  node: nodeEndpointSchema,
  name: z.string().min(1),
  version: z.string().min(1),
  path: z.string().min(1, "must be the local path of the plugin zip"),
});
export type PluginInputs = z.output<typeof pluginInputSchema>;

const { packages, ...indexerReach } = indexerHostFields;
export const indexerInputSchema = z.strictObject({
  cluster: z.string().min(1),
  ...indexerReach,
  /** The SPS revision the indexer serves (the cluster's firmware target, resolved). */
  spsVersion: revisionText,
  packages,
  perHop: z.boolean().optional(),
  plannedActions: z.array(z.string()).optional(),
});
export type IndexerInputs = z.output<typeof indexerInputSchema>;

/** RolloutStage (./rollout-stage.ts): the gate after a stage of an SpsFleet rollout (../provider/resources/rollout-stage-provider.ts). */
const nodeStatesSchema = z.record(
  z.string(),
  z.record(z.string(), z.object({ version: z.string().nullable(), state: z.string() }).passthrough()),
);

export const rolloutStageInputSchema = z.strictObject({
  fleet: z.string().min(1),
  stage: z.string().min(1),
  /** `2/3`: the stage's place in the rollout. */
  position: z.string().min(1),
  clusters: z.array(z.string().min(1)).min(1),
  /** Clusters the stage runs at once (lanes). */
  inFlight: z.number().int().positive(),
  /** What preview shows: clusters, estimate, engine-parallelism cost and fix. */
  summary: z.array(z.string()),
  /** Per cluster, per node: version and state (the clusters' `nodeStates` outputs). */
  nodeStates: nodeStatesSchema.optional(),
  /** Gates of other stacks this stage waits for (StackReference outputs), shown as given. */
  waitsFor: z.array(z.string()).optional(),
  failureBudget: z.number().int().min(0).optional(),
  outcomes: z
    .record(z.string(), z.object({ outcome: z.string(), message: z.string().optional() }).passthrough())
    .optional(),
  final: z.boolean().optional(),
});
export type RolloutStageInputs = z.infer<typeof rolloutStageInputSchema>;

/** SppJoin (./integration.ts), J1–J6. */
export const sppJoinInputSchema = z.strictObject({
  node: z.string().min(1),
  address: z.string().min(1),
  tls: tlsInputSchema,
  spp: z.strictObject({
    address: z.string().min(1),
    port: z.number().int().optional(),
    certificateCheckHost: z.string().min(1).optional(),
    /** J3: how SPP's certificate is trusted (like a node's `tls`); without it no token goes to SPP. */
    tls: tlsInputSchema.optional(),
  }),
  promoteStandalone: z.boolean().optional(),
  firewall: z.strictObject({ tcp8649BothWays: z.boolean(), tcp443SpsToSpp: z.boolean() }),
  spsPrimaryAddress: z.string().optional(),
  sppPrimaryAddress: z.string().optional(),
});
export type SppJoinInputs = z.output<typeof sppJoinInputSchema>;

/** NextHopMonitoring (./integration.ts), H4. */
export const nextHopInputSchema = z.strictObject({
  node: applianceNodeInputSchema,
  targets: z.array(
    z.strictObject({ interface: z.string().min(1), thisNode: z.string(), otherNode: z.string() }),
  ),
  systemControl: systemControlInputSchema.default({}),
  waitTimeoutMs: deadlineMsSchema.optional(),
  pollMs: intervalMsSchema.optional(),
  path: z.string().optional(),
  manualConfirmed: z.string().optional(),
});
export type NextHopInputs = z.output<typeof nextHopInputSchema>;

/** The router of TrafficRedirection (./integration.ts), reached over SSH (its key or password: sps:routerSsh). */
const routerInputSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  username: z.string().min(1),
  hostKey: z.union([
    z.strictObject({ knownHostsLine: z.string().min(1) }),
    z.strictObject({ sha256Fingerprint: z.string().min(1) }),
  ]),
});

/**
 * TrafficRedirection (./integration.ts): the router and what it sends to SPS. The provider's check
 * reports the router's and the redirection's problems under their own field paths.
 */
export const trafficRedirectionInputSchema = z.strictObject({
  router: routerInputSchema,
  redirection: trafficRedirectionSpecSchema,
});
