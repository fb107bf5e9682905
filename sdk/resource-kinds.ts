/**
 * The names the package's resources are registered under, as plain types: the Pulumi module, the
 * resource kinds and the runtime entries. registry.ts holds each kind's input schema (zod) and ties its
 * kinds to `ResourceKind` with a `Same` check; this file has no zod because the package entry reaches it.
 */

/** The Pulumi module of every type token: `pulumi-nodejs:dynamic/sps:<type>`. */
export const SPS_MODULE = "sps";

/** The compiled provider modules, as package.json `exports` names them (recorded in `__provider`). */
export type RuntimeEntry = "core" | "integration";

/** Every dynamic resource kind (the keys of registry.ts `RESOURCES`). */
export type ResourceKind =
  | "firmware"
  | "license"
  | "plugin"
  | "indexer"
  | "rolloutStage"
  | "sppJoin"
  | "trafficRedirection"
  | "nextHopMonitoring";
