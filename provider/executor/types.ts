/**
 * Public API of the executor (`provider/executor/`): runs one cluster's plan (plan-contract.md)
 * against the appliances (REST `ApplianceClient` + out-of-band `SystemControl`) and the indexer hosts
 * (`IndexerHost`), resumably and idempotently (usage: ./README.md). The Pulumi resources in `sdk/`
 * code against this file. Every step first reads the real state and skips what is already true; a step
 * that is dangerous to repeat (a reboot) is recorded in the checkpoint before it is issued and never
 * issued twice for the same hop (rules S9, S10, S13, H1).
 */
import { SpsError } from "../../core/errors";
import type { ExecutionCheckpoint } from "./checkpoint";
import type { ApplianceClient } from "../clients/sps/appliance-client";
import type { HaState, LicenseFile, SystemControl } from "../clients/system-control/operations";
import type { UpgradeDeadlines } from "../../core/deadlines";
import type { ClusterPlan, StepAction } from "../../core/plan";
import type { IndexerHost } from "../clients/hosts/indexer-host";
import type { ServiceState } from "../clients/hosts/indexer-upgrade-result";

// ---- Inputs ----------------------------------------------------------------------------------------------

/**
 * An HA pair behind one plan node (rule H2). Names are node names of the `SystemControl` config.
 * Which unit is primary changes on "activate slave", so the executor reads it live (`readHaState`).
 */
export interface HaBinding {
  /**
   * SystemControl node name of the pair's core shell — it follows the current primary (the cluster
   * address): `rebootNode`, `readHaState`, `shutdownSecondary`, `activateSecondary`, `uploadLicense`.
   */
  primary: string;
  /**
   * Per physical unit, as `readHaState().nodes[].unit` names it, the SystemControl node name whose
   * BMC powers that unit (`powerOnSecondary`, `readPowerState`; H2: through IPMI).
   */
  units: Record<string, string>;
}

export interface NodeBinding {
  /** REST client of the node (for an HA pair: the cluster address, served by the current primary). */
  client: ApplianceClient;
  /** SystemControl node name for a standalone node (default: the plan node name). */
  controlName?: string;
  /** The appliance's address as declared, for messages that must name the appliance. */
  address?: string;
  /** Present when the plan node is an HA pair. */
  ha?: HaBinding;
}

/**
 * A firmware ISO for one revision X.Y.Z (rule S3: its checksum is verified before use): a local `path`
 * the tool uploads, or (targets 7.0 and later) a `url` the appliance fetches itself
 * (core/firmware-source.ts). The url may carry secrets (userinfo, a signed query): only its
 * host is ever shown.
 */
export type FirmwareImageInput = { path: string; sha256: string } | { url: string; sha256: string };

/** A plugin build (zip) for a target (rules P6, S4, S15). */
export interface PluginPackage {
  /** Version the plugin reports once installed (`listPlugins()[].version`): "already there" check. */
  version: string;
  /** Local path of the zip, or its bytes. */
  path?: string;
  zip?: Buffer;
  /** Declared SHA-256 of the file at `path`: checked before the run's first write (input check). */
  sha256?: string;
}

/** The indexer RPM for one SPS revision (rule I3: downloaded from the SPS, Local Services → Indexer). */
export interface IndexerPackage {
  path: string;
  /** RPM version; default: the SPS revision it is keyed by (rule I1: indexer ≥ SPS). */
  version?: string;
  /** Declared SHA-256 of the RPM: checked before the run's first write (input check). */
  sha256?: string;
}

/** An indexer host, or a factory that connects one (called at most once per run, lazily). */
export type IndexerBinding = IndexerHost | (() => Promise<IndexerHost>);

/** Deadlines of the executor's own waits, on top of `UpgradeDeadlines`. All in (emulated) ms. */
export interface ExecutorDeadlines extends UpgradeDeadlines {
  /** How often waits poll (default 5 s). */
  readonly pollIntervalMs?: number;
  /** Firmware upgrade test (P12) — a REST call; default 10 min. */
  readonly firmwareTestMs?: number;
  /** I4: SPS seeing an upgraded indexer's worker again (Indexer > Worker status); default 10 min. */
  readonly indexerWorkerMs?: number;
  /**
   * After `POST /api/firmware/upgrade`: how long to watch whether the node goes away (the call rebooted
   * it) before concluding it only selected the slot; default 3 min ([ps] waits 60 s before polling).
   */
  readonly upgradeCallObserveMs?: number;
  /** A support-bundle job until "finished" ([ps] polls up to 10 min); default 15 min. */
  readonly supportBundleMs?: number;
}

/** Progress lines (the sdk prints them on stdout; the Pulumi engine shows them). Never carries secrets. */
export interface ProgressEvent {
  cluster: string;
  /** Plan node or indexer host. */
  node: string;
  seq: number;
  action: StepAction;
  hop: number | null;
  /** Hop target revision, when the step has one. */
  version?: string;
  phase: "start" | "done" | "skipped" | "failed" | "waiting";
  /** Milliseconds since the run started (injected clock). */
  elapsedMs: number;
  /** Human-readable detail ("already in slot 2", "waiting for first boot (S10)", ...). */
  message: string;
}

/** Injectable time (the emulator runs a scaled clock). */
export interface ExecutorClock {
  /** Milliseconds since the epoch. */
  now(): number;
}
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Small persistent store for the checkpoint (the sdk keeps it in resource outputs). */
export interface CheckpointStore {
  load(): Promise<ExecutionCheckpoint | undefined>;
  save(checkpoint: ExecutionCheckpoint): Promise<void>;
}

export interface ExecutionInputs {
  plan: ClusterPlan;
  /** Per plan node name. */
  nodes: Record<string, NodeBinding>;
  systemControl: SystemControl;
  /** Per indexer host name (as in the plan). */
  indexers?: Record<string, IndexerBinding>;
  /** Per revision X.Y.Z (every hop target). */
  firmware: Record<string, FirmwareImageInput>;
  /** Per LTS major ("6") the license file for it (S2, S11). */
  licenses?: Record<string, LicenseFile>;
  /**
   * "sha256:<hex>" of license files the operator confirms installed (after the manual gate's web-interface
   * upload) where REST cannot show the license's LTS major (S11, core/license-decision.ts).
   */
  licenseConfirmed?: string[];
  /**
   * Operator confirmations of manual gates the tool cannot see passed (provider/executor/confirmations.ts):
   * "vm-snapshot <node>" (P5), "console-redirection <node>" (P15), ... — each gate names its own.
   */
  confirmed?: string[];
  /** Per plugin name, per target revision "X.Y.Z" or release "X.Y", the build to install (P6, S15). */
  plugins?: Record<string, Record<string, PluginPackage>>;
  /** Per SPS revision "X.Y.Z", the indexer RPM (I3). */
  indexerPackages?: Record<string, IndexerPackage>;
  /**
   * Per indexer host name, per SPS revision "X.Y.Z", that host's RPM (I3): a host listed here takes
   * its packages from here only (`indexerPackages` is for the hosts not listed). The Pulumi resources
   * declare the packages per host.
   */
  indexerHostPackages?: Record<string, Record<string, IndexerPackage>>;
  /** Default `DEFAULT_DEADLINES` (core/deadlines.ts); each wait can be overridden. */
  deadlines?: Partial<ExecutorDeadlines>;
  /** Nodes of one wave worked on at the same time (default: all of the wave). */
  maxParallel?: number;
  progress?: (event: ProgressEvent) => void;
  checkpoint?: CheckpointStore;
  clock?: ExecutorClock;
  sleep?: SleepFn;
  signal?: AbortSignal;
  /**
   * The operator's declaration of what `POST /api/firmware/upgrade` does on this cluster's version
   * ([unknown] in general, docs/appliance-facts.md §1). Only HA pairs depend on it: undeclared or "reboots",
   * a pair's firmware is activated by hand in the web interface (a manual gate, H2); "selects" lets the
   * tool make the call. Standalone and central-management nodes observe the call either way.
   */
  upgradeCall?: "reboots" | "selects";
  /**
   * Directory the support bundles go into (S8, S13), created when missing. Without it, and without
   * `hooks.supportBundle`, the step says how to make one in the web interface.
   */
  evidenceDir?: string;
  /**
   * Optional hooks for steps that neither the REST API nor SystemControl can do (P1 backup, S8
   * support bundle). Without a hook the step is recorded as skipped with the reason.
   */
  hooks?: {
    backupConfig?: (node: string) => Promise<string | void>;
    supportBundle?: (node: string, hop: number) => Promise<string | void>;
  };
}

// ---- Results ---------------------------------------------------------------------------------------------

export interface StepRecord {
  seq: number;
  node: string;
  action: StepAction;
  hop: number | null;
  version?: string;
  plugin?: string;
  status: "done" | "skipped" | "failed";
  /** ISO timestamps (injected clock). */
  startedAt: string;
  finishedAt: string;
  /** What was observed or done ("slot 2 already holds 6.0.7", test summary, ...). */
  detail: string;
}

export interface ObservedNode {
  node: string;
  reachable: boolean;
  /** True while the web interface answers, but not the REST API (firmware boot progress page, 5xx; S10). */
  booting: boolean;
  runningVersion: string | null;
  afterRebootVersion: string | null;
  slots: Array<{ id: number; version: string | undefined; current: boolean; afterReboot: boolean }>;
  ha: HaState | null;
  license: { major: number | null; state: string | null } | null;
  plugins: Array<{ name: string; version: string }>;
  /** Read error, when a part could not be read (no secrets). */
  error?: string;
}

export interface ObservedIndexer {
  name: string;
  reachable: boolean;
  version: string | null;
  service: ServiceState;
  error?: string;
}

export interface ExecutionResult {
  cluster: string;
  target: string;
  /** Every plan step this run got to, in seq order. */
  steps: StepRecord[];
  /** Live state at the end of the run (or at the failure). */
  nodes: Record<string, ObservedNode>;
  indexers: Record<string, ObservedIndexer>;
  /** True when every plan step is done or skipped. */
  complete: boolean;
  /** The checkpoint as saved last (also returned when no store was given). */
  checkpoint: ExecutionCheckpoint;
}

// Checkpoint (JSON; its zod schema, with what each field means, is in ./checkpoint.ts)
export type {
  EvidenceRecord,
  ExecutionCheckpoint,
  FetchMark,
  ImageMark,
  PluginWriteMark,
  RebootMark,
} from "./checkpoint";

// ---- Errors ----------------------------------------------------------------------------------------------

export type ExecutionFailureKind =
  /** P12: the firmware's own upgrade test failed; `message` holds the test summary verbatim. */
  | "firmware-test-failed"
  /** S13: the node came back on a lower version than the hop target. */
  | "rollback-detected"
  /** S12: the web interface did not come back within the deadline (console access needed). */
  | "web-interface-not-back"
  /** A wait reached its deadline (H2 sync, rejoin, first boot). */
  | "deadline"
  /** A SystemControl operation routed to the manual channel: do it, then run again. */
  | "manual-step-required"
  /** A preflight rule (P2, P4, P8) blocks the upgrade. */
  | "preflight-blocked"
  /** An input is missing (firmware image, license, plugin or indexer package) or the plan is unusable. */
  | "input-missing"
  /** The signal aborted the run. */
  | "aborted"
  /** The node shows an upload or a selected slot this run did not make (another run?): ./foreign-state.ts. */
  | "foreign-state"
  /**
   * The node answered several times in a row, but not as SPS does (over the byte cap, JSON of an
   * impossible shape, a version that is not X.Y.Z): a state this run cannot read (./liveness-watch.ts).
   */
  | "unreadable-answers"
  /** Anything else (REST, SSH, indexer failure): see `cause`. */
  | "step-failed";

export type FailedStep = Pick<StepRecord, "seq" | "node" | "action" | "hop" | "version">;

/** Carries what failed and the partial result, so the resource records it and the next run resumes. */
export class ExecutionError extends SpsError {
  static override readonly code: string = "EXECUTION_FAILED";
  readonly kind: ExecutionFailureKind;
  readonly step: FailedStep | undefined;
  /** Rule the failure is about (P12, S12, S13, H2, ...). */
  readonly rule: string | undefined;
  partial: ExecutionResult | undefined;

  constructor(
    kind: ExecutionFailureKind,
    message: string,
    options: { step?: FailedStep; rule?: string; cause?: unknown; partial?: ExecutionResult } = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.kind = kind;
    this.step = options.step;
    this.rule = options.rule;
    this.partial = options.partial;
  }
}

/**
 * A probe's verdict that waiting longer cannot help (a node in a state this run cannot read): a wait
 * (`RunContext.waitFor`) stops on it at once, where any other error of a probe only means "not yet".
 */
export class WaitStopped extends ExecutionError {
  static override readonly code: string = "EXECUTION_WAIT_STOPPED";
}

// ---- Observation (read-only; the sdk's read / drift) -----------------------------------------------------

export interface ObserveInputs {
  nodes: Record<string, NodeBinding>;
  systemControl?: SystemControl;
  indexers?: Record<string, IndexerBinding>;
}

export type ClusterObservation = Pick<ExecutionResult, "nodes" | "indexers">;
