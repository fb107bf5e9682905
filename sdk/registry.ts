/**
 * THE list of the dynamic resources: per kind, its class name (also its type token,
 * `pulumi-nodejs:dynamic/sps:<type>`), the runtime entry that implements it, its input schema, which
 * inputs travel as unprinted wiring (./wiring.ts) and its outputs. Program side: it loads no provider
 * code. The classes (`SpsDynamicResource`, ./dynamic.ts), both runtime entries' dispatch (`KindsOf`,
 * ../provider/resources/index.ts, ../provider/resources/integration-providers.ts) and the policy pack's resource types
 * (policy/sps-resources.ts) derive from it. Kind and runtime entry are recorded in every resource's
 * `__provider`: never rename them. Adding a resource: docs/contributing/add-a-resource.md.
 */
import {
  firmwareInputSchema,
  indexerInputSchema,
  licenseInputSchema,
  nextHopInputSchema,
  pluginInputSchema,
  rolloutStageInputSchema,
  sppJoinInputSchema,
  trafficRedirectionInputSchema,
} from "./inputs";
import type { Equal, Same } from "../core/same-type";
import { SPS_MODULE, type ResourceKind, type RuntimeEntry } from "./resource-kinds";

export { SPS_MODULE };
export type { ResourceKind, RuntimeEntry };

export interface ResourceSpec {
  /** The class name the SDK exports, and the last part of the type token. */
  readonly type: string;
  /** The runtime entry whose `dynamicProvider(kind)` implements the kind. */
  readonly entry: RuntimeEntry;
  /** The declared inputs, as the provider's `check` validates them. */
  readonly schema: { readonly shape: Readonly<Record<string, unknown>> };
  /**
   * The inputs sent under `__wiring` (never printed; ./wiring.ts), or null: the inputs go to the engine
   * as declared (no wiring, no `__preview`).
   */
  readonly wiring: readonly string[] | null;
  /** The outputs the resource declares (placeholders among its inputs, ./dynamic.ts `outputSlots`). */
  readonly outputs: readonly string[];
}

export const RESOURCES = {
  firmware: {
    type: "ClusterFirmware",
    entry: "core",
    schema: firmwareInputSchema,
    // Shown are cluster, target, canary, maxParallel, asOf and the plan. `confirmed`, the operator's
    // confirmations of manual gates, is a list that grows with the gates passed, not the plan.
    wiring: [
      "nodes",
      "firmware",
      "licenses",
      "pluginBuilds",
      "pluginVersions",
      "systemControl",
      "deadlines",
      "catalog",
      "checkpointDir",
      "checkpointKey",
      "confirmed",
      // The indexer hosts upgraded after every hop (addresses, host keys, RPM paths).
      "indexers",
    ],
    outputs: [
      "plannedActions",
      "planFindings",
      "resolvedTarget",
      "estimate",
      "targetRevision",
      "nodeStates",
      "lastRun",
      "outcome",
      "evidence",
      "drift",
      "stateVersion",
    ],
  },
  license: {
    type: "License",
    entry: "core",
    schema: licenseInputSchema,
    // Shown are cluster, license (its name), major, warnDays and the plan.
    wiring: ["nodes", "systemControl"],
    outputs: ["plannedActions", "installed", "licenseSha256", "licenseRecords", "drift", "stateVersion"],
  },
  plugin: {
    type: "Plugin",
    entry: "core",
    schema: pluginInputSchema,
    // Shown are cluster, name, version and the plan.
    wiring: ["node", "path"],
    outputs: ["plannedActions", "installedVersion", "drift", "stateVersion"],
  },
  indexer: {
    type: "IndexerPackage",
    entry: "core",
    schema: indexerInputSchema,
    // Shown are cluster, name, host, spsVersion and the plan.
    wiring: ["os", "port", "hostKeySha256", "rootPrefix", "packages"],
    outputs: ["plannedActions", "version", "service", "drift", "stateVersion"],
  },
  rolloutStage: {
    type: "RolloutStage",
    entry: "core",
    schema: rolloutStageInputSchema,
    wiring: null,
    outputs: ["verified", "failed", "stateVersion"],
  },
  sppJoin: {
    type: "SppJoin",
    entry: "integration",
    schema: sppJoinInputSchema,
    // Shown are node, spp, firewall, promoteStandalone, the addresses and the plan.
    wiring: ["address", "tls"],
    outputs: [
      "plannedActions",
      "joined",
      "promoted",
      "sppCertificateSha256",
      "tokenFingerprint",
      "drift",
      "joinState",
      "stateVersion",
    ],
  },
  trafficRedirection: {
    type: "TrafficRedirection",
    entry: "integration",
    schema: trafficRedirectionInputSchema,
    wiring: null,
    outputs: ["changes", "previousRpFilter", "drift", "stateVersion"],
  },
  nextHopMonitoring: {
    type: "NextHopMonitoring",
    entry: "integration",
    schema: nextHopInputSchema,
    // Shown are the targets and the plan.
    wiring: ["node", "systemControl", "waitTimeoutMs", "pollMs"],
    outputs: [
      "plannedActions",
      "effectiveTargets",
      "restartRequired",
      "route",
      "lastRun",
      "drift",
      "stateVersion",
    ],
  },
} as const satisfies Record<string, ResourceSpec>;

/** The keys of `RESOURCES` are exactly `ResourceKind` (./resource-kinds.ts), recorded in each resource's `__provider`. */
export type RegistryKindsAreResourceKinds = Same<Equal<keyof typeof RESOURCES, ResourceKind>>;

/** The kinds one runtime entry dispatches. */
export type KindsOf<E extends RuntimeEntry> = {
  [K in ResourceKind]: (typeof RESOURCES)[K]["entry"] extends E ? K : never;
}[ResourceKind];

export const RESOURCE_KINDS = Object.keys(RESOURCES) as ResourceKind[];

/** `pulumi-nodejs:dynamic/sps:<type>`: what the engine records as the resource's type. */
export function typeToken(kind: ResourceKind): string {
  return `pulumi-nodejs:dynamic/${SPS_MODULE}:${RESOURCES[kind].type}`;
}
