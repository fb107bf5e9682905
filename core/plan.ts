/**
 * The plan document of the offline planner contract (docs/plan-contract.md).
 * A plan is data: the executor, the Pulumi resources and the CLI all read this shape.
 * Extend it with new optional fields only; never rename or remove one.
 */

import type { ClusterEstimate, FleetEstimate, StepEstimate } from "./estimate";
import type { MaintenanceWindow } from "./maintenance-window";

export type Severity = "error" | "warning";

/** Appliance step actions, in the order a node goes through them within one hop. */
export const APPLIANCE_ACTIONS = [
  "preflight",
  "backup-config",
  "upload-plugin",
  "upload-firmware",
  "fetch-firmware",
  "test-firmware",
  "activate-firmware",
  "wait-secondary-sync",
  "shutdown-secondary",
  "support-bundle",
  "reboot",
  "upload-license",
  "verify-version",
  "power-on-secondary",
  "wait-secondary-rejoin",
  "activate-secondary",
  "verify-ha",
  "upgrade-plugin",
] as const;

/** Indexer host step actions, in order, per host, after every appliance step of the cluster (rule I1). */
export const INDEXER_ACTIONS = [
  "backup-indexer-config",
  "copy-indexer-package",
  "stop-indexer",
  "upgrade-indexer-package",
  "start-indexer",
  "verify-indexer",
] as const;

export type ApplianceAction = (typeof APPLIANCE_ACTIONS)[number];
export type IndexerAction = (typeof INDEXER_ACTIONS)[number];
export type StepAction = ApplianceAction | IndexerAction;

export interface Hop {
  from: string;
  to: string;
}

export interface Finding {
  /** A rule ID from docs/rules.md (V3, P8, ...). */
  rule: string;
  severity: Severity;
  /** Node or indexer host the finding is about; absent for cluster-wide findings. */
  node?: string;
  message: string;
  /** A warning whose rule could not be checked for want of a declared fact (extension of the contract). */
  status?: "not-checked";
  /**
   * A prerequisite declared as not met (P5, P15): the run stops at the node's preflight until the operator
   * adds this confirmation to the executor's `confirmed` list (extension of the contract).
   */
  confirm?: string;
}

/** A finding in the contract's key order (rule, severity, node, message); `node` only when given. */
export function finding(rule: string, severity: Severity, message: string, node?: string): Finding {
  return node === undefined ? { rule, severity, message } : { rule, severity, node, message };
}

/** A rule not checked for want of a declared fact: a warning whose message says what to declare. */
export function uncheckedFinding(rule: string, message: string, node?: string): Finding {
  const status = "not-checked";
  return node === undefined
    ? { rule, severity: "warning", status, message }
    : { rule, severity: "warning", node, status, message };
}

export interface PlanStep {
  seq: number;
  wave: number;
  /** 1-based index into the cluster's hops, or null for steps not tied to a hop. */
  hop: number | null;
  node: string;
  action: StepAction;
  /** Firmware revision the step works towards (hop target), when it has one. */
  version?: string;
  /** Indexer steps: the exact shell command run on the host. */
  command?: string;
  /** Plugin steps: the plugin name. */
  plugin?: string;
  /**
   * fetch-firmware: the host the appliance downloads the ISO from (`downloads.example.com`), never the
   * URL's userinfo, path or query.
   */
  host?: string;
  /** How long the step takes (./estimate.ts): documented figures and the deadline of its wait. */
  estimate?: StepEstimate;
}

export interface ClusterPlan {
  name: string;
  /** Resolved target revision (X.Y.Z), or the declared target when it could not be resolved. */
  target: string;
  hops: Hop[];
  steps: PlanStep[];
  findings: Finding[];
  /** Per wave and for the whole cluster (./estimate.ts). */
  estimate?: ClusterEstimate;
  /** The declared window the estimate must fit (rule P13), when declared. */
  maintenanceWindow?: MaintenanceWindow;
}

export interface PlanDocument {
  clusters: ClusterPlan[];
  /** The fleet: stages one after another, the clusters of a stage at the same time (./estimate.ts). */
  estimate?: FleetEstimate;
}

export function hasBlockingFinding(doc: PlanDocument): boolean {
  return doc.clusters.some((c) => c.findings.some((f) => f.severity === "error"));
}
