/**
 * `ApplianceClient`: what an executor needs from one SPS appliance over its documented REST API
 * (docs/rest-api.md). Operations the API does not document (reboot, HA actions,
 * license upload) are not here: they belong to `SystemControl` (./system-control).
 * Implemented by `SpsRestClient` (./sps-rest-client.ts). Every method throws `ApplianceApiError`
 * on failure (redacted; carries method, path, status and SPS error type).
 */
import type { FirmwareImage } from "./firmware-image";

export type ClusterRole =
  "central-management" | "search-master" | "search-minion" | "search-local" | "managed-host";

export interface SetupStatus {
  /** [ps] "uninitialized" | … | "booting" | "completed". */
  status: string;
}

export interface ApplianceInfo {
  hostname: string | undefined;
  nickname: string | undefined;
  /** Running firmware revision "X.Y.Z" ([doc] `firmware_version`), undefined when the answer lacks it. */
  firmwareVersion: string | undefined;
  /** Release label, e.g. "6 LTS" / "5 F7" ([doc] `version`). */
  versionLabel: string | undefined;
  roles: string[];
  buildDate: string | undefined;
}

export interface FirmwareSlot {
  /** Slot key as an integer (keys are "1".."5" [doc]; use the key, not the array index [ps bug note]). */
  id: number;
  empty: boolean;
  version: string | undefined;
  current: boolean;
  afterReboot: boolean;
  upgradeNotes: string | undefined;
}

export interface FirmwareSlots {
  slots: FirmwareSlot[];
  currentSlot: number | undefined;
  afterRebootSlot: number | undefined;
  emptySlots: number;
}

export interface FirmwareUpload {
  slotId: number;
  /** Version the appliance reports for the uploaded image. */
  version: string | undefined;
  emptySlotsLeft: number | undefined;
  bytes: number;
  sha256: string;
  /** Time spent verifying the checksum locally, then transferring (ms). */
  verifyMs: number;
  transferMs: number;
}

export interface UploadProgress {
  bytesSent: number;
  totalBytes: number;
}

export interface FirmwareTestResult {
  slotId: number;
  /** Rule P12: false for `FirmwareTestFailed` [doc] or a summary saying "not allowed"; any other 2xx passes. */
  passed: boolean;
  /** The appliance's test summary, verbatim (rule P12: shown as is). */
  summary: string;
}

export interface FirmwareActivation {
  slotId: number;
  summary: string;
}

export interface HealthStatus {
  cpu: number | undefined;
  disk: number | undefined;
  memory: number | undefined;
  load1: number | undefined;
  /** Integrity of firmware parts ("OK" / "CORRUPTED"). */
  firmwareIntegrity: Record<string, string>;
  taintedFiles: Record<string, number>;
  raidStatus: string | undefined;
  /** The whole `health_status` object as returned. */
  raw: Record<string, unknown>;
}

export interface LicenseInfo {
  /** The license body as returned: its fields are not documented [doc §8]. */
  raw: Record<string, unknown>;
}

export interface DiskFillupPrevention {
  enabled: boolean;
  archivingEnabled: boolean;
  /** "Disconnect clients when disks are N% used" (rule P8: 50–98 from 6.0.4). */
  usedSpaceRatioLimit: number;
}

export interface ClusterNodeStatus {
  nodeId: string;
  fqdn: string | undefined;
  lastSeen: string | undefined;
  /** false when `health_status` is null: the node is down [doc]. */
  up: boolean;
  syncStatus: string | undefined;
  health: Record<string, unknown> | null;
}

export interface ClusterStatus {
  selfNodeId: string | undefined;
  nodes: ClusterNodeStatus[];
}

export interface ClusterNode {
  nodeId: string;
  address: string | undefined;
  roles: string[];
}

export interface InstalledPlugin {
  type: string;
  key: string;
  name: string;
  version: string;
  description: string | undefined;
  api: string | undefined;
}

export interface TransactionStatus {
  status: string;
  commitMessage: string | undefined;
}

/** A firmware download by URL ([doc] 7.0 LTS REST guide, `/api/firmware/fetch`). */
export interface FirmwareFetchStatus {
  key: string;
  /** [doc] queued | in-progress | finished | failed | cancelled. */
  status: string;
  /** Slot the image went into, when the node says ([unknown] field). */
  slotId?: number;
  /** Failure text, when the node gives one ([unknown] field). */
  error?: string;
  /** The checksum the node verified against, when it says (`checksum.sha256`, [unknown] field). */
  sha256?: string;
}

export interface ApplianceClient {
  /** Base URL, e.g. https://sps1.example:443 (no credentials). */
  readonly endpoint: string;
  login(): Promise<void>;
  /** Unauthenticated; answers during first boot with "booting" [ps]. */
  getSetupStatus(): Promise<SetupStatus>;
  getInfo(): Promise<ApplianceInfo>;
  /** Running firmware revision X.Y.Z (rule S13 verify-version). */
  getFirmwareVersion(): Promise<string>;
  listFirmwareSlots(): Promise<FirmwareSlots>;
  getFirmwareSlot(slotId: number): Promise<FirmwareSlot>;
  deleteFirmwareSlot(slotId: number): Promise<void>;
  /** Verify the checksum by streaming, then stream the ISO to an empty slot (rule S3, S5). */
  uploadFirmware(
    image: FirmwareImage,
    options?: { onProgress?: (p: UploadProgress) => void },
  ): Promise<FirmwareUpload>;
  /** The firmware's own upgrade test (rule P12); a failed test is a result, not an exception. */
  testFirmware(slotId: number): Promise<FirmwareTestResult>;
  /**
   * `POST /api/firmware/upgrade`: select the slot for the next boot ("after reboot"; S7) — and maybe start
   * the reboot ([unknown], docs/appliance-facts.md §1): the caller observes which.
   */
  activateFirmware(slotId: number, message?: string | null): Promise<FirmwareActivation>;
  getHealth(): Promise<HealthStatus>;
  getLicense(): Promise<LicenseInfo>;
  getDiskFillupPrevention(): Promise<DiskFillupPrevention>;
  /** In a transaction, committed (rule P8 remediation). */
  setDiskFillupPrevention(settings: DiskFillupPrevention, commitMessage?: string): Promise<void>;
  /** Central Management node only; `null` when the node is not the CM of a cluster [ps]. */
  getClusterStatus(): Promise<ClusterStatus | null>;
  listClusterNodes(): Promise<ClusterNode[]>;
  /** In a transaction, committed. The central-management role cannot be set this way [doc]. */
  setClusterNodeRoles(
    nodeId: string,
    roles: ClusterRole[],
    address: string,
    commitMessage?: string,
  ): Promise<void>;
  listPlugins(): Promise<InstalledPlugin[]>;
  /** Upload (or update) a plugin zip in a transaction, committed (rules P6, P7, S15). */
  uploadPlugin(zip: Buffer, commitMessage?: string): Promise<InstalledPlugin>;
  getTransaction(): Promise<TransactionStatus>;
  /** The JSON of a REST tree node (`GET /api/…` lists its children), or null when the node lacks it (404). */
  readTree(path: string): Promise<unknown>;
  /** [doc 8.0 LTS] Start a support-bundle job; returns its key. Only where `readCapabilities` says so. */
  startSupportBundle(): Promise<string>;
  supportBundleStatus(key: string): Promise<string>;
  downloadSupportBundle(key: string): Promise<Buffer>;
  deleteSupportBundle(key: string): Promise<void>;
  /** [doc 7.0 LTS] Start a firmware download by URL (checked against `sha256` by the node); returns its key. */
  startFirmwareFetch(url: string, sha256: string): Promise<string>;
  firmwareFetchStatus(key: string): Promise<FirmwareFetchStatus>;
  /** [doc] docs/appliance-facts.md §4: `DELETE /api/firmware/fetch/<key>` cancels (removes) a download. */
  deleteFirmwareFetch(key: string): Promise<void>;
  close(): void;
}
