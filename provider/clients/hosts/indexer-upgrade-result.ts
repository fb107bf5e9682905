/**
 * What an indexer host upgrade did, as data: the executor records it, Pulumi resources expose it as
 * outputs, and a failure carries it so the next run resumes from the truth (rule I5).
 */
import { SpsError } from "../../../core/errors";
import type { IndexerOs } from "../../../core/indexer-commands";
import type { IndexerAction } from "../../../core/plan";

/** The planner's indexer actions, plus the two recovery actions of rule I5. */
export type IndexerHostAction = IndexerAction | "restore-indexer-config" | "restart-previous-indexer";

export type ServiceState = "running" | "stopped" | "failed" | "unknown";

export interface ActionRecord {
  action: IndexerHostAction;
  ok: boolean;
  /** The command run (absent for uploads). */
  command?: string;
  detail?: string;
  at: string;
}

export interface ConfigBackup {
  /** Configuration file name (indexerworker.cfg, indexer-certs.cfg). */
  file: string;
  path: string;
  backupPath: string;
  sha256: string;
}

export type IndexerUpgradeOutcome =
  /** Already at the declared version and running: nothing done. */
  | "unchanged"
  /** The package was already at the declared version; the service was started. */
  | "started"
  | "upgraded"
  /** Refused before anything was stopped (rule I1, no downgrade, wrong package). */
  | "refused"
  /** Failed; see `actions` for what was done and what was recovered (rule I5). */
  | "failed";

export interface IndexerUpgradeResult {
  host: string;
  os?: IndexerOs;
  outcome: IndexerUpgradeOutcome;
  /** True when anything on the host changed (package, service state, configuration, files). */
  changed: boolean;
  declaredVersion: string;
  spsVersion: string;
  versionBefore?: string | null;
  versionAfter?: string | null;
  serviceBefore?: ServiceState;
  serviceAfter?: ServiceState;
  actions: ActionRecord[];
  backups: ConfigBackup[];
  package?: { remotePath: string; sha256: string; version: string };
  /** Rule the refusal or failure is about (I1, I2, I5, V3). */
  rule?: string;
  error?: string;
}

/** A refused or failed upgrade. `result` is the partial, recorded state of the host. */
export class IndexerUpgradeError extends SpsError {
  static override readonly code: string = "INDEXER_UPGRADE_FAILED";
  readonly host: string;
  readonly rule: string | undefined;
  readonly result: IndexerUpgradeResult;

  constructor(message: string, result: IndexerUpgradeResult, options?: { cause?: unknown }) {
    super(message, options);
    this.host = result.host;
    this.rule = result.rule;
    this.result = result;
  }
}
