/**
 * `SpsCluster`: a whole cluster from one declaration — nodes with roles and addresses, HA pairs with
 * their BMCs, system-control channel choices, firmware images, license, plugins and indexer hosts.
 * The firmware resource owns the order inside the cluster (C1, C3, H2); license, plugins and indexer
 * packages come after it (dependsOn). `SpsFleet` (./fleet.ts) adds the progressive rollout.
 */
import * as pulumi from "@pulumi/pulumi";
import { maintenanceWindowSchema } from "../core/maintenance-window-schema";
import { fieldProblems } from "../core/validation";
import { formatRevision, isVersionText, parseVersionSpec } from "../core/version";
import type { CatalogFile } from "../core/catalog";
import { catalogDocument, effectiveCatalog, type CatalogInput } from "./catalog-input";
import { claimClusterNodes } from "./appliance-claims";
import { tlsInputSchema } from "./inputs";
import type { ApplianceNodeInput, SystemControlInput } from "./input-types";
import {
  ClusterFirmware,
  IndexerPackage,
  License,
  Plugin,
  type FirmwareImageArg,
  type IndexerHostArg,
  type NodeEndpoint,
} from "./resources";

export interface SpsClusterArgs {
  /** Cluster name (default: the resource name). */
  cluster?: string;
  target: string;
  canary?: boolean;
  nodes: ApplianceNodeInput[];
  /** Per revision X.Y.Z, its ISO (FirmwareImageArg: a path to upload, or from 7.0 a url; S3, V7). */
  firmware: Record<string, FirmwareImageArg>;
  systemControl?: SystemControlInput;
  /** License to keep installed (name in sps:credentials.licenses) and its LTS major. */
  license?: { name: string; major: number; warnDays?: number };
  /** LTS major → license name, uploaded during a hop into that LTS (S11). Default: from `license`. */
  hopLicenses?: Record<string, string>;
  /**
   * "sha256:<hex>": the operator confirms that the license file of this SHA-256 (the value the manual
   * license gate names) is installed, for nodes whose REST answer cannot show the license's LTS major
   * (S11). A changed license file has a new SHA-256: this confirmation then no longer counts.
   */
  licenseConfirmed?: string;
  /**
   * Operator confirmations of manual gates the tool cannot see passed: each gate names the one it needs
   * ("vm-snapshot sps1", P5; "console-redirection sps1", P15; ...). Add it once the work is done and run again.
   */
  confirmed?: string[];
  plugins?: Array<{ node: string; name: string; version: string; path: string }>;
  pluginBuilds?: Record<string, Record<string, { version: string; path: string }>>;
  /**
   * External indexer hosts. The firmware run upgrades each after every hop's appliance steps to that
   * hop's SPS revision (I1: no hop leaves SPS newer than its indexers; [doc] 6.3 upgrade guide,
   * "Upgrading the external indexer"), so `packages` needs the RPM of every hop's revision the host is
   * below — e.g. "6.0.12" and "6.3.0" for 5.11 → 6.0 → 6.3 — downloaded from that SPS version.
   */
  indexers?: IndexerHostArg[];
  maxParallel?: number;
  /**
   * Releases and revisions beyond the bundled catalog — the SDK's counterpart of the CLI's `--catalog`:
   * a catalog file's path (relative to the program's directory) or the catalog object, in the bundled
   * catalog's format; its releases extend (or replace) the bundled ones.
   */
  catalog?: CatalogInput;
  /**
   * What POST /api/firmware/upgrade does on this cluster's SPS version, if the operator knows it
   * ([unknown] in general). HA pairs: undeclared or "reboots" = the activation is a manual web-interface
   * gate (H2 safe under both readings); "selects" = the tool makes the call. See docs/user-guide.md, "The firmware upgrade call".
   */
  upgradeCall?: "reboots" | "selects";
  /** Directory the support bundles (S8, S13) and the Upgrade Notes (G53) go into; path, size and SHA-256 are in `evidence`. */
  evidenceDir?: string;
  asOf?: string;
  deadlines?: Record<string, number>;
  /**
   * P13: the window the upgrade must fit — `"4h"`, `"90m"`, `"2h30m"`, `"PT4H"` or `{ seconds }`.
   * An estimate over it is a blocking finding: the preview fails naming the numbers.
   */
  maintenanceWindow?: string | { seconds: number };
}

/**
 * SpsFleet's own option for a cluster under `rollout.failureBudget` above 0, not part of the public
 * `SpsClusterArgs` (alone it would let a failed cluster look green: only the fleet's gates count the
 * recorded failures and fail the `up`). Keyed by a symbol not exported from the package (./index.ts).
 */
export const FLEET_BUDGET = Symbol("pulumi-sps.fleetBudget");

/** The arguments SpsFleet passes: the public ones plus, under a budget, its stage's budget and lane. */
export type FleetRunArgs = SpsClusterArgs & {
  /** Becomes ClusterFirmware's `recordFailure` and `hold` (./resources.ts, sdk/inputs.ts). */
  [FLEET_BUDGET]?: { budget: number; failedBefore: pulumi.Input<string[]> };
};

/**
 * ClusterFirmware's `recordFailure` / `hold` inputs: set only through SpsFleet's symbol-keyed option
 * (a `recordFailure` or `hold` given in the public arguments, e.g. from JavaScript, is ignored).
 */
export function fleetRunInputs(args: SpsClusterArgs): {
  recordFailure?: true;
  hold?: pulumi.Output<{ budget: number; failedBefore: string[] }>;
} {
  const run = (args as FleetRunArgs)[FLEET_BUDGET];
  return run ? { recordFailure: true, hold: pulumi.output(run) } : {};
}

/** `maintenanceWindow` as ClusterFirmware takes it (`{ seconds, text }`); a bad value names the field. */
export function clusterWindow(name: string, window: SpsClusterArgs["maintenanceWindow"]) {
  if (window === undefined) return undefined;
  const r = maintenanceWindowSchema.safeParse(window);
  if (r.success) return r.data;
  throw new pulumi.RunError(
    `${name}: maintenanceWindow: ${fieldProblems(r.error)
      .map((p) => p.reason)
      .join("; ")}`,
  );
}

/**
 * The revision a target names, by the catalog (`6.3` → its newest revision); a target that is no
 * version is returned as it is (the firmware resource's check names it).
 */
export function resolvedRevision(target: string, catalog?: CatalogFile): string {
  if (!isVersionText(target)) return target;
  const spec = parseVersionSpec(target);
  if (spec.kind === "revision") return formatRevision(spec.revision);
  const newest = effectiveCatalog(catalog).newestRevision(spec.release);
  return newest ? formatRevision(newest) : target;
}

/** A target that is no version stops the program naming the field and the fix (no stack trace). */
function checkedTarget(name: string, target: string): string {
  if (typeof target !== "string" || !isVersionText(target))
    throw new pulumi.RunError(
      `${name}: target: ${JSON.stringify(target)} is not a version; use a release (X.Y, "X LTS", "X FY") or a revision X.Y.Z, e.g. "6.3" or "7.0.4"`,
    );
  return target;
}

/**
 * Each node's `tls` checked where the program declares it (a fingerprint that is not SHA-256, two trust
 * fields): the program stops naming `nodes[i].tls.<field>` and the fix, before any resource is planned.
 * A value that is still an Output is left to the firmware resource's check.
 */
function checkNodesTls(name: string, nodes: readonly ApplianceNodeInput[]): void {
  nodes.forEach((n, i) => {
    const tls: unknown = n.tls;
    if (tls === undefined || tls === null || typeof tls !== "object" || pulumi.Output.isInstance(tls)) return;
    const r = tlsInputSchema.safeParse(tls);
    if (r.success) return;
    const issue = r.error.issues[0];
    const field = [`nodes[${i}]`, "tls", ...(issue?.path ?? []).map(String)].join(".");
    throw new pulumi.RunError(`${name}: ${field}: ${issue?.message ?? "invalid"}`);
  });
}

/**
 * A node as the License and Plugin resources get it: where to reach it and its system-control channel
 * settings (core shell, BMCs, HA units), so an operation routed to ssh or ipmi finds them there too.
 */
export function nodeEndpoint(n: ApplianceNodeInput): NodeEndpoint {
  return {
    name: n.name,
    address: n.address,
    tls: n.tls,
    ...(n.ha ? { ha: true } : {}),
    ...(n.units ? { units: n.units } : {}),
    ...(n.coreShell ? { coreShell: n.coreShell } : {}),
    ...(n.bmc ? { bmc: n.bmc } : {}),
  };
}

export class SpsCluster extends pulumi.ComponentResource {
  readonly firmware: ClusterFirmware;
  readonly license: License | undefined;
  readonly plugins: Plugin[];
  readonly indexers: IndexerPackage[];
  /** Per node version and state. */
  readonly nodes: pulumi.Output<Record<string, { version: string | null; state: string }>>;
  /** Per indexer host version and service. */
  readonly indexerStates: pulumi.Output<Record<string, { version: string | null; service: string }>>;
  /** Every drift line of the cluster's resources (after refresh). */
  readonly drift: pulumi.Output<string[]>;
  /** Files kept in `evidenceDir` — support bundles (S8, S13), Upgrade Notes: node, hop, when, path, bytes, SHA-256. */
  readonly evidence: ClusterFirmware["evidence"];
  readonly plannedActions: pulumi.Output<string[]>;
  /** The firmware's estimate (docs/estimate.md). */
  readonly estimate: ClusterFirmware["estimate"];
  /**
   * What the last firmware run came to (with `recordFailure`): `{ outcome: "failed", message }` (the
   * error, redacted), `{ outcome: "held", message }` (not started: its lane's failures were over the
   * stage's budget) or `{ outcome: "succeeded" }`.
   */
  readonly outcome: pulumi.Output<{ outcome: string; message?: string }>;

  constructor(name: string, args: SpsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sps:index:SpsCluster", name, {}, opts);
    // One declaration per appliance in the program (./appliance-claims.ts): refused at preview.
    claimClusterNodes(this, `SpsCluster "${name}"`, args.nodes);
    checkNodesTls(name, args.nodes);
    const cluster = args.cluster ?? name;
    const checkpointDir = new pulumi.Config("sps").get("checkpointDir");
    const endpoints = args.nodes.map(nodeEndpoint);
    const window = clusterWindow(name, args.maintenanceWindow);
    const catalog =
      args.catalog === undefined ? undefined : catalogDocument(`${name}: catalog`, args.catalog);

    this.firmware = new ClusterFirmware(
      `${name}-firmware`,
      {
        cluster,
        target: checkedTarget(name, args.target),
        ...(args.canary !== undefined ? { canary: args.canary } : {}),
        nodes: args.nodes,
        firmware: args.firmware,
        licenses:
          args.hopLicenses ?? (args.license ? { [String(args.license.major)]: args.license.name } : {}),
        ...(args.pluginBuilds ? { pluginBuilds: args.pluginBuilds } : {}),
        ...(args.plugins && args.plugins.length > 0
          ? { pluginVersions: args.plugins.map(({ node, name, version }) => ({ node, name, version })) }
          : {}),
        ...(args.systemControl ? { systemControl: args.systemControl } : {}),
        ...(args.licenseConfirmed ? { licenseConfirmed: args.licenseConfirmed } : {}),
        ...(args.confirmed && args.confirmed.length > 0 ? { confirmed: args.confirmed } : {}),
        ...(args.maxParallel !== undefined ? { maxParallel: args.maxParallel } : {}),
        ...(catalog ? { catalog } : {}),
        ...(args.upgradeCall ? { upgradeCall: args.upgradeCall } : {}),
        ...(args.evidenceDir ? { evidenceDir: args.evidenceDir } : {}),
        ...(args.indexers && args.indexers.length > 0 ? { indexers: args.indexers } : {}),
        ...(args.asOf ? { asOf: args.asOf } : {}),
        ...(args.deadlines ? { deadlines: args.deadlines } : {}),
        ...(window ? { maintenanceWindow: window } : {}),
        ...(checkpointDir ? { checkpointDir } : {}),
        ...fleetRunInputs(args),
        checkpointKey: `${pulumi.getProject()}.${pulumi.getStack()}.${cluster}`,
      },
      { parent: this },
    );
    const after = { parent: this, dependsOn: [this.firmware] };

    this.license = args.license
      ? new License(
          `${name}-license`,
          {
            cluster,
            nodes: endpoints,
            license: args.license.name,
            major: args.license.major,
            ...(args.license.warnDays !== undefined ? { warnDays: args.license.warnDays } : {}),
            ...(args.systemControl ? { systemControl: args.systemControl } : {}),
            ...(args.licenseConfirmed ? { licenseConfirmed: args.licenseConfirmed } : {}),
          },
          after,
        )
      : undefined;

    this.plugins = (args.plugins ?? []).map((p) => {
      const node = endpoints.find((e) => e.name === p.node);
      if (!node)
        throw new pulumi.RunError(
          `${name}: plugins: node "${p.node}" is not one of the cluster's nodes; name one of: ${endpoints.map((e) => e.name).join(", ")}`,
        );
      return new Plugin(
        `${name}-plugin-${p.node}-${p.name}`,
        { cluster, node, name: p.name, version: p.version, path: p.path },
        after,
      );
    });

    const spsVersion = resolvedRevision(args.target, catalog);
    this.indexers = (args.indexers ?? []).map(
      (i) =>
        new IndexerPackage(
          `${name}-indexer-${i.name}`,
          {
            cluster,
            name: i.name,
            os: i.os,
            host: i.host,
            ...(i.port !== undefined ? { port: i.port } : {}),
            hostKeySha256: i.hostKeySha256,
            ...(i.rootPrefix ? { rootPrefix: i.rootPrefix } : {}),
            spsVersion,
            packages: i.packages,
            perHop: true,
          },
          after,
        ),
    );

    this.nodes = this.firmware.nodeStates;
    this.plannedActions = this.firmware.plannedActions;
    this.estimate = this.firmware.estimate;
    this.evidence = this.firmware.evidence;
    this.outcome = pulumi
      .all([this.firmware.outcome, this.firmware.lastRun])
      .apply(([outcome, lastRun]) =>
        outcome === "failed" || outcome === "held"
          ? { outcome, message: lastRun?.failed?.message ?? "no message recorded" }
          : { outcome: outcome ?? "succeeded" },
      );
    this.indexerStates = pulumi
      .all(
        this.indexers.map((i, k) =>
          pulumi.all([args.indexers?.[k]?.name ?? String(k), i.version, i.service]),
        ),
      )
      .apply((rows) => Object.fromEntries(rows.map(([n, version, service]) => [n, { version, service }])));
    this.drift = pulumi
      .all([
        this.firmware.drift,
        ...(this.license ? [this.license.drift] : []),
        ...this.plugins.map((p) => p.drift),
        ...this.indexers.map((i) => i.drift),
      ])
      .apply((lists) => lists.flatMap((l) => l ?? []));
    this.registerOutputs({
      nodes: this.nodes,
      indexerStates: this.indexerStates,
      drift: this.drift,
      plannedActions: this.plannedActions,
      estimate: this.estimate,
      evidence: this.evidence,
    });
  }
}
