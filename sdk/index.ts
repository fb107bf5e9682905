/** pulumi-sps: Pulumi resources for One Identity Safeguard for Privileged Sessions (SPS) fleets. */
export { SpsCluster, resolvedRevision, type SpsClusterArgs } from "./cluster";
export {
  SpsFleet,
  engineParallelism,
  type FleetClusterArgs,
  type GateOutput,
  type SpsFleetArgs,
} from "./fleet";
export { RolloutStage, type RolloutStageArgs } from "./rollout-stage";
export { planRollout, type RolloutSpec, type RolloutStageSpec } from "../core/rollout-stages";
export { ClusterFirmware, License, Plugin, IndexerPackage } from "./resources";
export { SPS_MODULE } from "./resource-kinds";
export type {
  ClusterFirmwareArgs,
  FirmwareImageArg,
  LicenseArgs,
  PluginArgs,
  IndexerPackageArgs,
  IndexerHostArg,
  NodeEndpoint,
} from "./resources";
export {
  SppJoin,
  TrafficRedirection,
  NextHopMonitoring,
  type SppJoinArgs,
  type TrafficRedirectionArgs,
  type NextHopMonitoringArgs,
} from "./integration";
export type { ApplianceNodeInput, SystemControlInput, TlsInput } from "./input-types";
export { CREDENTIALS_CONFIG_KEY, type CredentialsInput } from "./credentials";
export { DRIFT_KINDS, type DriftKind } from "./drift";
export { plannedActionLines } from "./plan-lines";
export {
  clustersFromInventory,
  type FleetInventoryArgs,
  type InventoryCluster,
  type InventoryClusterArgs,
} from "./fleet-inventory";
export { InventoryFileError, readInventoryFile, type InventoryFile } from "./inventory-file";
export {
  INVENTORY_SCHEMA_VERSION,
  parseInventory,
  plannerFleet,
  type Inventory,
  type InventoryInput,
} from "../core/inventory";
