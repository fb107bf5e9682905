/**
 * The pack's rules, each a pure check `(inputs, context) → violation messages` (unit-tested in
 * test/unit/policy/rules.test.ts) wrapped as an @pulumi/policy resource policy in ./pack.ts. Every message names the
 * cluster and resource, what is wrong with the numbers, and the fix. Configuration: docs/reference/policies.md.
 */
import { secondsText } from "../core/estimate";
import { isLts, parseVersionSpec, VersionSyntaxError, type Release } from "../core/version";
import { insecureTlsPaths, isRecord, numberOf, subject, type Props } from "./sps-resources";

export interface RuleContext {
  /** The stack being previewed or updated. */
  stack: string;
  /** The resource's name (URN name). */
  resourceName: string;
}

/** sps-production-lts: which stacks are production — regular expressions over the stack name. */
export interface ProductionLtsConfig {
  productionStacks: string[];
}

/**
 * sps-production-lts: on a production stack every cluster targets an LTS release (V1: minor version 0, e.g. 7.0 or
 * 7.0.2). A feature release is supported only until the next release appears (V2).
 */
export function productionLts(inputs: Props, ctx: RuleContext, config: ProductionLtsConfig): string[] {
  const production = config.productionStacks.some((pattern) => new RegExp(pattern).test(ctx.stack));
  const target = inputs["target"];
  if (!production || typeof target !== "string") return [];
  let release: Release;
  try {
    const spec = parseVersionSpec(target);
    release = spec.kind === "release" ? spec.release : spec.revision;
  } catch (e) {
    if (e instanceof VersionSyntaxError) return []; // the provider's check names the bad target
    throw e;
  }
  if (isLts(release)) return [];
  return [
    `${subject(inputs, ctx.resourceName)} targets ${target}, a feature release, on production stack "${ctx.stack}" ` +
      `(V1: an LTS release has minor version 0). Fix: set target to an LTS release, e.g. ${release.major + 1}.0 ` +
      `(${release.major}.0 would be a downgrade, V3); or, if "${ctx.stack}" is not production, change the policy ` +
      `config productionStacks (now ${JSON.stringify(config.productionStacks)}).`,
  ];
}

/** sps-estimate-fits-window: a safety margin on the estimate, and whether a window must be declared. */
export interface EstimateWindowConfig {
  marginPercent: number;
  requireWindow: boolean;
}

/**
 * sps-estimate-fits-window: the cluster's estimated duration (the planner's upper figure, docs/estimate.md) plus
 * `marginPercent` fits its declared maintenanceWindow; with `requireWindow`, a cluster with work to do declares one.
 * A declared window without an estimate to compare (a provider older than the estimate, or a failed check) is a
 * violation: it cannot be shown to fit.
 */
export function estimateFitsWindow(inputs: Props, ctx: RuleContext, config: EstimateWindowConfig): string[] {
  const who = subject(inputs, ctx.resourceName);
  const estimate = isRecord(inputs["estimate"]) ? inputs["estimate"] : undefined;
  const seconds = numberOf(estimate?.["seconds"]);
  const window = isRecord(inputs["maintenanceWindow"]) ? inputs["maintenanceWindow"] : undefined;
  const windowSeconds = numberOf(window?.["seconds"]);
  if (windowSeconds === undefined) {
    if (!config.requireWindow || seconds === 0) return [];
    return [
      `${who} declares no maintenanceWindow, and the policy requires one (requireWindow)` +
        (seconds === undefined ? "" : `; the upgrade is estimated at ${secondsText(seconds)}`) +
        `. Fix: declare maintenanceWindow on the cluster, e.g. maintenanceWindow: "4h".`,
    ];
  }
  if (seconds === undefined) {
    return [
      `${who} declares a maintenance window of ${secondsText(windowSeconds)} but carries no estimate to compare ` +
        `it with. Fix: correct the errors the preview reports for this resource (the estimate is computed in its ` +
        `check), and use an SDK whose ClusterFirmware computes estimate.`,
    ];
  }
  const needed = Math.ceil(seconds * (1 + config.marginPercent / 100));
  if (needed <= windowSeconds) return [];
  const margin = config.marginPercent > 0 ? ` plus the policy's ${config.marginPercent}% margin` : "";
  return [
    `${who}: the upgrade is estimated at ${secondsText(seconds)}${margin} = ${secondsText(needed)}, over its ` +
      `maintenance window of ${secondsText(windowSeconds)} by ${secondsText(needed - windowSeconds)}. Fix: widen ` +
      `maintenanceWindow to at least ${secondsText(needed)}, raise maxParallel (within the policy's limit), or ` +
      `split the hops over several windows (target an intermediate revision first).`,
  ];
}

/** sps-max-parallel: the most nodes one wave may upgrade at once. */
export interface MaxParallelConfig {
  limit: number;
}

/**
 * sps-max-parallel: nodes upgraded at the same time in a wave stay within `limit`. Without maxParallel the planner
 * upgrades every node of a wave at once (core/fleet-plan.ts), so what counts is
 * min(maxParallel, number of nodes).
 */
export function maxParallelWithinLimit(inputs: Props, ctx: RuleContext, config: MaxParallelConfig): string[] {
  const nodes = Array.isArray(inputs["nodes"]) ? inputs["nodes"].length : undefined;
  const declared = numberOf(inputs["maxParallel"]);
  const effective = Math.min(declared ?? Number.POSITIVE_INFINITY, nodes ?? Number.POSITIVE_INFINITY);
  if (!(effective > config.limit)) return [];
  const who = subject(inputs, ctx.resourceName);
  const what =
    declared === undefined
      ? `declares no maxParallel, so a wave upgrades all of its ${nodes} nodes at once`
      : `declares maxParallel ${declared}`;
  return [
    `${who} ${what}, over the policy's limit of ${config.limit}. Fix: set maxParallel to ${config.limit} or less ` +
      `(or raise the policy config limit).`,
  ];
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** sps-firmware-sha256: every firmware image the cluster declares names its SHA-256 (S3, V7: verified on upload). */
export function firmwareSha256(inputs: Props, ctx: RuleContext): string[] {
  const firmware = inputs["firmware"];
  if (!isRecord(firmware)) return [];
  const bad = Object.entries(firmware)
    .filter(
      ([, image]) =>
        !isRecord(image) || typeof image["sha256"] !== "string" || !SHA256_HEX.test(image["sha256"]),
    )
    .map(([revision, image]) =>
      isRecord(image) && typeof image["sha256"] === "string" && image["sha256"] !== ""
        ? `${revision} (sha256 "${image["sha256"]}" is not 64 hex digits)`
        : `${revision} (no sha256)`,
    );
  if (bad.length === 0) return [];
  return [
    `${subject(inputs, ctx.resourceName)}: firmware image ${bad.join(", ")}. Fix: give each image in firmware its ` +
      `SHA-256 as 64 hex digits (sha256sum <image.iso>), as published with the image.`,
  ];
}

/**
 * sps-tls-verified: no SPS resource turns TLS certificate verification off (`insecure`); trust the appliance by
 * caPem, sha256Fingerprint or the system CA store instead.
 */
export function tlsVerified(inputs: Props, ctx: RuleContext): string[] {
  const paths = insecureTlsPaths(inputs);
  if (paths.length === 0) return [];
  return [
    `${subject(inputs, ctx.resourceName)} turns TLS certificate verification off at ${paths.join(", ")}. Fix: ` +
      `trust the appliance's certificate with tls: { caPem } (its CA), { sha256Fingerprint } (pin the ` +
      `certificate) or { system: true } (the machine's CA store).`,
  ];
}
