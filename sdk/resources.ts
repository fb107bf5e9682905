/**
 * The dynamic resources. Each has its own type token (`pulumi-nodejs:dynamic/sps:<Type>`), captures
 * only the provider stub of ./dynamic.ts, and takes no secret: credentials come from stack config.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EstimateFigures } from "../core/estimate";
import { usableFirmwareImages } from "../core/firmware-images";
import { claimedFirmwareNodes } from "./appliance-claims";
import { catalogDocument, effectiveCatalog, type CatalogInput } from "./catalog-input";
import { SpsDriftingResource } from "./dynamic";
import type { ApplianceNodeInput, SystemControlInput, TlsInput } from "./input-types";

/**
 * Of the declared image map, the images a plan towards the target can use (often one per catalog
 * revision is declared): the rest would only fill `__wiring` in the state (core/firmware-images.ts).
 */
function usableImages(
  args: ClusterFirmwareArgs,
  catalog: ReturnType<typeof catalogDocument> | undefined,
): pulumi.Output<UsableImages> {
  const usable = pulumi
    .all([args.firmware, args.target])
    .apply(([images, target]) => usableFirmwareImages(images, target, effectiveCatalog(catalog)));
  // A fetch URL may carry a secret (userinfo, a signed query or path): the engine then keeps the whole
  // map secret in `__wiring` (encrypted in the state); only the host is ever shown (plannedActions).
  return usable.apply((m) =>
    Object.values(m).some((i) => "url" in i) ? pulumi.secret(m) : m,
  ) as unknown as pulumi.Output<UsableImages>;
}
type UsableImages = Record<string, { path: string; sha256: string } | { url: string; sha256: string }>;

/**
 * One revision's ISO: a local `path` the tool uploads (the default, and the only way below 7.0), or a
 * `url` (https) the appliance fetches itself (7.0 LTS and later) — with its SHA-256 either way (S3). A url
 * with credentials or a signed query comes from secret config (`config.requireSecret(…)`), so it is
 * never in the stack's config or state in plaintext.
 */
export type FirmwareImageArg =
  { path: string; sha256: string } | { url: pulumi.Input<string>; sha256: string };

/** An external indexer host: SSH endpoint (login from sps:credentials.indexer) and its RPM per SPS revision. */
export interface IndexerHostArg {
  name: string;
  os: "rhel6" | "rhel7" | "rhel8" | "rhel9";
  host: string;
  port?: number;
  hostKeySha256: string;
  rootPrefix?: string;
  /** Per SPS revision X.Y.Z the indexer is brought to (every hop's, not only the target's): the RPM. */
  packages: Record<string, { path: string; version?: string }>;
}

export interface ClusterFirmwareArgs {
  cluster: pulumi.Input<string>;
  /** Release ("6.3") or revision ("6.3.2") every node of the cluster must run. */
  target: pulumi.Input<string>;
  canary?: pulumi.Input<boolean>;
  nodes: pulumi.Input<ApplianceNodeInput[]>;
  /** Firmware ISO per revision X.Y.Z, with its SHA-256 (S3, V7): `{path, sha256}` or (7.0+) `{url, sha256}`. */
  firmware: pulumi.Input<Record<string, FirmwareImageArg>>;
  /** LTS major → license name in sps:credentials.licenses, uploaded after the reboot into that LTS (S11). */
  licenses?: pulumi.Input<Record<string, string>>;
  pluginBuilds?: pulumi.Input<Record<string, Record<string, { version: string; path: string }>>>;
  /** The versions the cluster's Plugin resources install after the firmware: judged by P7 with the plan. */
  pluginVersions?: pulumi.Input<Array<{ node: string; name: string; version: string }>>;
  systemControl?: pulumi.Input<SystemControlInput>;
  /** "sha256:<hex>": the operator confirms this license file is installed where REST cannot show it (S11). */
  licenseConfirmed?: pulumi.Input<string>;
  /** Operator confirmations of manual gates ("vm-snapshot sps1", ...): each gate names the one it needs. */
  confirmed?: pulumi.Input<string[]>;
  maxParallel?: pulumi.Input<number>;
  /** As SpsClusterArgs.catalog (./catalog-input.ts). */
  catalog?: CatalogInput;
  /** What POST /api/firmware/upgrade does on this SPS version, if known (only HA pairs depend on it). */
  upgradeCall?: pulumi.Input<"reboots" | "selects">;
  /** Directory the support bundles go into (S8, S13). */
  evidenceDir?: pulumi.Input<string>;
  /** As SpsClusterArgs.indexers: upgraded after every hop's appliance steps (I1–I5). */
  indexers?: pulumi.Input<IndexerHostArg[]>;
  asOf?: pulumi.Input<string>;
  deadlines?: pulumi.Input<Record<string, number>>;
  /** P13: the window the upgrade must fit (`{ seconds }`); an estimate over it fails the preview. */
  maintenanceWindow?: pulumi.Input<{ seconds: number; text?: string }>;
  checkpointDir?: pulumi.Input<string>;
  checkpointKey?: pulumi.Input<string>;
  /** Record a failed run as `outcome: "failed"` instead of failing in the engine (SpsFleet, failure budget above 0). */
  recordFailure?: pulumi.Input<boolean>;
  /** With recordFailure: the stage's budget and the lane's failed clusters before this one (SpsFleet). */
  hold?: pulumi.Input<{ budget: number; failedBefore: string[] }>;
}

/** Firmware of one cluster (standalone node, HA pair or CM cluster): plans in check, runs the waves in up. */
export class ClusterFirmware extends SpsDriftingResource {
  /** The plan as readable lines (hops, then per wave and node the ordered steps); empty when converged. */
  declare readonly plannedActions: pulumi.Output<string[]>;
  /**
   * The plan's findings as display lines (`warning P13: …`): a finding longer than the engine shows
   * whole continues on lines indented by four spaces. For the findings as data, run `sps-upgrade
   * plan --json` on the same fleet (plan-contract.md).
   */
  declare readonly planFindings: pulumi.Output<string[]>;
  declare readonly resolvedTarget: pulumi.Output<string>;
  /**
   * How long the planned upgrade takes (docs/estimate.md): `seconds` — the guides' durations at
   * their upper end, what a maintenance window must hold — and `text`; computed in check beside
   * `plannedActions`; `nothing to do` (0 s) when converged.
   */
  declare readonly estimate: pulumi.Output<EstimateFigures & { text: string }>;
  /** The declared window (input), when declared. */
  declare readonly maintenanceWindow: pulumi.Output<{ seconds: number; text?: string } | undefined>;
  /** The revision the last run worked towards. */
  declare readonly targetRevision: pulumi.Output<string>;
  /** Per node: version, state (on-target, behind, booting, stuck-mid-hop, ...), HA units. */
  declare readonly nodeStates: pulumi.Output<Record<string, { version: string | null; state: string }>>;
  declare readonly lastRun: pulumi.Output<{
    complete: boolean;
    steps: string[];
    failed?: { kind: string; message: string };
  }>;
  /**
   * What the last run came to: "succeeded", or (only when `recordFailure` is set) "failed" — the
   * error is in `lastRun.failed`, redacted, and the next `up` retries from the checkpoint — or "held"
   * (not started: `hold`).
   */
  declare readonly outcome: pulumi.Output<string | undefined>;
  /**
   * Files kept in evidenceDir: support bundles (`when`: "before-reboot", S8; "after-rollback", S13) and the
   * firmware's Upgrade Notes ("upgrade-notes", G53).
   */
  declare readonly evidence: pulumi.Output<
    Array<{ node: string; hop: number; when: string; path: string; bytes: number; sha256: string }>
  >;

  constructor(name: string, args: ClusterFirmwareArgs, opts?: pulumi.CustomResourceOptions) {
    const nodes = claimedFirmwareNodes(`ClusterFirmware "${name}"`, args.nodes, opts?.parent);
    super("firmware", name, firmwareDeclared(name, { ...args, nodes }), opts);
  }
}

/** ClusterFirmware's declared properties: the usable images, the catalog read (a path is read here). */
function firmwareDeclared(name: string, args: ClusterFirmwareArgs): object {
  const catalog = args.catalog === undefined ? undefined : catalogDocument(`${name}: catalog`, args.catalog);
  return { ...args, ...(catalog ? { catalog } : {}), firmware: usableImages(args, catalog) };
}

export interface NodeEndpoint {
  name: string;
  address: string;
  tls: TlsInput;
  /** The node's system-control channel settings, as in ApplianceNodeInput (operations routed to ssh or ipmi). */
  ha?: boolean;
  units?: string[];
  coreShell?: ApplianceNodeInput["coreShell"];
  bmc?: ApplianceNodeInput["bmc"];
}

export interface LicenseArgs {
  cluster: pulumi.Input<string>;
  nodes: pulumi.Input<NodeEndpoint[]>;
  /** Name of the license text in sps:credentials.licenses. */
  license: pulumi.Input<string>;
  major: pulumi.Input<number>;
  warnDays?: pulumi.Input<number>;
  systemControl?: pulumi.Input<SystemControlInput>;
  /**
   * "sha256:<hex>" of the declared license file, as the manual gate names it: the operator confirms it
   * is installed (Basic Settings > System > License) where REST cannot show the license's LTS major.
   */
  licenseConfirmed?: pulumi.Input<string>;
}

/** The license installed on each node of a cluster. */
export class License extends SpsDriftingResource {
  declare readonly plannedActions: pulumi.Output<string[]>;
  declare readonly installed: pulumi.Output<
    Record<string, { serial?: string; major?: number; validNotAfter?: string; state?: string }>
  >;
  declare readonly licenseSha256: pulumi.Output<string>;
  /** Per node the SHA-256 of the file installed through system control or confirmed by the operator. */
  declare readonly licenseRecords: pulumi.Output<Record<string, { sha256: string; by: string }>>;

  constructor(name: string, args: LicenseArgs, opts?: pulumi.CustomResourceOptions) {
    super("license", name, args, { ...opts, additionalSecretOutputs: ["licenseSha256", "licenseRecords"] });
  }
}

export interface PluginArgs {
  cluster: pulumi.Input<string>;
  node: pulumi.Input<NodeEndpoint>;
  /** Plugin name as the appliance lists it. */
  name: pulumi.Input<string>;
  version: pulumi.Input<string>;
  /** Local path of the plugin zip. */
  path: pulumi.Input<string>;
}

/** One plugin at a declared version on one node. */
export class Plugin extends SpsDriftingResource {
  declare readonly plannedActions: pulumi.Output<string[]>;
  declare readonly installedVersion: pulumi.Output<string | null>;

  constructor(name: string, args: PluginArgs, opts?: pulumi.CustomResourceOptions) {
    super("plugin", name, args, opts);
  }
}

export interface IndexerPackageArgs {
  cluster: pulumi.Input<string>;
  name: pulumi.Input<string>;
  os: pulumi.Input<"rhel6" | "rhel7" | "rhel8" | "rhel9">;
  host: pulumi.Input<string>;
  port?: pulumi.Input<number>;
  hostKeySha256: pulumi.Input<string>;
  rootPrefix?: pulumi.Input<string>;
  /** The SPS revision the indexer serves (the cluster's resolved target). */
  spsVersion: pulumi.Input<string>;
  packages: pulumi.Input<Record<string, { path: string; version?: string }>>;
  /**
   * The cluster's ClusterFirmware (given the same host in its `indexers`) upgrades this host after
   * every hop; this resource then only converges and verifies the final version. Set by SpsCluster.
   */
  perHop?: pulumi.Input<boolean>;
}

/** The external-indexer package on one host (after its cluster's firmware, rule I1). */
export class IndexerPackage extends SpsDriftingResource {
  declare readonly plannedActions: pulumi.Output<string[]>;
  declare readonly version: pulumi.Output<string | null>;
  declare readonly service: pulumi.Output<string>;

  constructor(name: string, args: IndexerPackageArgs, opts?: pulumi.CustomResourceOptions) {
    super("indexer", name, args, opts);
  }
}
