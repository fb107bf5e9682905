/**
 * One emulated SPS fleet node: a standalone appliance or an HA pair (primary + secondary behind one
 * name). Holds the replicated configuration (plugins, license, disk fill-up setting, roles) and the
 * physical units, and implements both what the REST API documents (called by the HTTP layer) and what
 * it does not (reboot, shutdown/power-on of the secondary, "activate slave", HA state, license upload),
 * which `systemControl()` exposes to the SSH core shell and the IPMI BMC.
 *
 * Time is lazy: every public method first applies the transitions due at `clock.now()`.
 */
import { randomUUID } from "node:crypto";
import semver from "semver";
import { SpsApiFault, SystemControlRefused } from "./api-errors";
import { ApplianceUnit, type BootTimings, type FirmwareImageRecord } from "./appliance-unit";
import { MINUTE, SECOND, type Clock } from "../common/clock";
import { EventLog, type EmulatorEventKind } from "./events";
import type { NodeFaults } from "./faults";
import { FirmwareFetches } from "./firmware-fetch";
import { runUpgradeTest, type UpgradeTestResult } from "./firmware-test";
import {
  defaultLicenseTerm,
  licenseFromFile,
  licenseState,
  type LicenseRecord,
  type LicenseState,
} from "./license";
import { pluginNeedsStarlingJoin, pluginSupportsFirmware, type PluginManifest } from "./plugin-archive";
import { SupportBundleJobs } from "./support-bundles";
import type {
  HaNodeView,
  HaState,
  SystemControlHandler,
  UnitSelector,
  UnitView,
} from "./system-control-handler";

export interface NodeTimings extends BootTimings {
  /** Primary -> secondary firmware sync after activation (H2: usually within 60 s). */
  haFirmwareSyncMs: number;
  /** Secondary data resync after it is back up, before HA is "HA" again. */
  haRejoinSyncMs: number;
  /**
   * "Activate Slave" until the new primary's boot firmware Current equals Active. [doc] 6.0 and 6.3
   * upgrade guides: "This process can take a few minutes"; the figure is the emulator's.
   */
  haActivationMs: number;
}

export const DEFAULT_TIMINGS: NodeTimings = {
  downMs: 60 * SECOND,
  firstBootMs: 15 * MINUTE,
  storageReorgMs: 30 * MINUTE,
  plainBootMs: 3 * MINUTE,
  haFirmwareSyncMs: 30 * SECOND,
  haRejoinSyncMs: 2 * MINUTE,
  haActivationMs: 2 * MINUTE,
};

/**
 * [doc] The 6.0 and 6.3 upgrade guides ("Upgrading an SPS high-availability cluster") show the secondary's
 * boot firmware Current lower than Active after it boots into the new firmware, until "Activate Slave".
 * [unknown] The 5.11 guide has neither the note nor the "Activate Slave" step; for hops below 6.0 the
 * emulator lets the secondary's boot firmware follow its firmware slot (Current = Active after its boot).
 */
export const BOOT_FIRMWARE_HELD_FROM = "6.0.0";

export const CLUSTER_ROLES = [
  "central-management",
  "search-master",
  "search-minion",
  "search-local",
  "managed-host",
] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

export interface InstalledPlugin extends PluginManifest {
  key: string;
}

export interface DiskFillupPrevention {
  enabled: boolean;
  archiving_enabled: boolean;
  used_space_ratio_limit: number;
}

export interface EmulatedNodeOptions {
  name: string;
  cluster?: string;
  version: string;
  ha?: boolean;
  roles?: ClusterRole[];
  hardware?: "standard" | "pyramid";
  hostname?: string;
  nodeId?: string;
  plugins?: PluginManifest[];
  diskFillupLimitPercent?: number;
  /** LTS major of the installed license (default: the running major), expiry date. */
  license?: Partial<LicenseRecord>;
  starlingJoined?: boolean;
  requireCommitLog?: boolean;
  /**
   * What `POST /api/firmware/upgrade` does (docs/appliance-facts.md §1, [unknown] on a real SPS): "reboots"
   * (the reading of [ps] `Install-SafeguardSpsUpgrade`, which sleeps and waits for the new version)
   * selects the slot and starts the reboot; "selects" only marks the slot "after reboot".
   * Default: `DEFAULT_UPGRADE_CALL`.
   */
  upgradeCall?: UpgradeCallReading;
  /** Override: the node offers `/api/troubleshooting/support-bundle` (default: from 7.0, [unknown] cut-over). */
  supportBundleApi?: boolean;
  /** Override: the node offers `POST /api/firmware/fetch` (default: from 7.0 [doc 7.0 LTS REST guide]). */
  firmwareFetchApi?: boolean;
  /** Extra CA (PEM) an https firmware source may chain to (the emulated fleet's CA; fetch-firmware). */
  trustedCaPem?: string;
  /**
   * The license GET shows `product_version` (default true). false: a node whose answer lacks it, the
   * other reading of docs/appliance-facts.md §6 ([unknown]: the REST guide lists no field), so the
   * license's LTS major is not verifiable through REST (rules S2, S11).
   */
  licenseProductVersion?: boolean;
  clock: Clock;
  events?: EventLog;
  timings?: Partial<NodeTimings>;
}

export type ServiceState = "up" | "booting" | "down";
export type UpgradeCallReading = "reboots" | "selects";
/** The reading a node follows unless its fleet entry (or the fleet options) names one. */
export const DEFAULT_UPGRADE_CALL: UpgradeCallReading = "reboots";

/**
 * [unknown] First version with the support-bundle REST API: documented in the 8.0 LTS REST guide
 * ("previously … possible only from the web interface"), used by [ps] since 2023, absent from the 5.x and
 * 6.x guides. The emulator's choice: 7.0.0.
 */
export const SUPPORT_BUNDLE_API_FROM = "7.0.0";
/** [doc] 7.0 LTS REST guide: `/api/firmware/fetch` ("Install firmware files by providing a URL"). */
export const FIRMWARE_FETCH_API_FROM = "7.0.0";
/** Emulated delay between the answer of a rebooting upgrade call and the node going down. */
export const UPGRADE_CALL_REBOOT_DELAY_MS = 5 * SECOND;
export type HaLink = "synced" | "syncing" | "disconnected" | "version-mismatch";

/** The emulated Upgrade Notes of an uploaded image ([unknown] content: see uploadFirmware). */
export function emulatedUpgradeNotes(version: string): string {
  return `Upgrade notes of SPS ${version}\n\tRead the upgrade guide of ${version} before upgrading.`;
}

export class EmulatedNode {
  readonly name: string;
  readonly cluster: string;
  readonly nodeId: string;
  readonly hostname: string;
  readonly ha: boolean;
  readonly hardware: "standard" | "pyramid";
  readonly events: EventLog;
  readonly timings: NodeTimings;
  roles: ClusterRole[];
  plugins: InstalledPlugin[] = [];
  diskFillup: DiskFillupPrevention;
  license: LicenseRecord;
  starlingJoined: boolean;
  requireCommitLog: boolean;
  diskUsedPercent = 42.5;
  coreIntegrity: "OK" | "CORRUPTED" = "OK";
  /** [doc] REST reference, `GET /api/health_status` `raid.status.status`; set by drift (P2 tests). */
  raidStatus: "OK" | "Degraded" = "OK";
  /** [doc] REST reference, `GET /api/health_status` `firmware.tainted_files.core`; set by drift (P2 tests). */
  taintedCoreFiles = 0;
  faults: NodeFaults = {};
  readonly upgradeCall: UpgradeCallReading;
  readonly supportBundles: SupportBundleJobs;
  readonly firmwareFetches: FirmwareFetches;

  private readonly units: ApplianceUnit[];
  private primaryIndex = 0;
  private link: HaLink;
  private linkSyncedAt: number | undefined;
  private firmwareSyncDueAt: number | undefined;
  /** "reboots" reading: the upgrade call's reboot of the primary, due at this emulated time. */
  private upgradeRebootDueAt: number | undefined;
  /** "Activate Slave" (or a takeover) in progress: the new primary's boot firmware catches up at this time. */
  private activationDoneAt: number | undefined;

  constructor(private readonly options: EmulatedNodeOptions) {
    if (!semver.valid(options.version))
      throw new Error(`node ${options.name}: "${options.version}" is not X.Y.Z`);
    this.name = options.name;
    this.cluster = options.cluster ?? options.name;
    this.nodeId = options.nodeId ?? randomUUID();
    this.hostname = options.hostname ?? options.name;
    this.ha = options.ha ?? false;
    this.hardware = options.hardware ?? "standard";
    this.events = options.events ?? new EventLog();
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.roles = [...(options.roles ?? [])];
    const now = options.clock.now();
    this.units = [new ApplianceUnit("a", options.version, this.timings, now)];
    if (this.ha) this.units.push(new ApplianceUnit("b", options.version, this.timings, now));
    this.link = this.ha ? "synced" : "disconnected";
    this.diskFillup = {
      enabled: true,
      archiving_enabled: false,
      used_space_ratio_limit: options.diskFillupLimitPercent ?? 90,
    };
    const major = semver.major(options.version);
    this.license = {
      customer: "Example Corp",
      serial: `EMU-${this.name}`,
      major,
      ...defaultLicenseTerm(now),
      limit: 100,
      ...Object.fromEntries(Object.entries(options.license ?? {}).filter(([, v]) => v !== undefined)),
    };
    this.starlingJoined = options.starlingJoined ?? false;
    this.requireCommitLog = options.requireCommitLog ?? false;
    for (const p of options.plugins ?? []) this.plugins.push({ ...p, key: randomUUID() });
    this.upgradeCall = options.upgradeCall ?? DEFAULT_UPGRADE_CALL;
    this.supportBundles = new SupportBundleJobs(
      options.clock,
      () => `node ${this.name} (${this.hostname}), SPS ${this.runningVersion}`,
    );
    this.firmwareFetches = new FirmwareFetches(
      (image) => this.uploadFirmware(image, "fetch"),
      () => this.options.trustedCaPem,
    );
  }

  /** The node offers the support-bundle REST API (decided by its running version unless overridden). */
  hasSupportBundleApi(): boolean {
    return this.options.supportBundleApi ?? semver.gte(this.runningVersion, SUPPORT_BUNDLE_API_FROM);
  }

  /** The license GET shows `product_version` (the license's LTS major). */
  showsLicenseProductVersion(): boolean {
    return this.options.licenseProductVersion ?? true;
  }

  /** The node offers `POST /api/firmware/fetch`. */
  hasFirmwareFetchApi(): boolean {
    return this.options.firmwareFetchApi ?? semver.gte(this.runningVersion, FIRMWARE_FETCH_API_FROM);
  }

  // ---- time ---------------------------------------------------------------------------------------

  get clock(): Clock {
    return this.options.clock;
  }

  /** Apply every transition due now. Called by every public operation. */
  advance(): void {
    const now = this.clock.now();
    if (this.upgradeRebootDueAt !== undefined && this.upgradeRebootDueAt <= now) {
      const at = this.upgradeRebootDueAt;
      this.upgradeRebootDueAt = undefined;
      this.primary.advance(at);
      if (this.primary.isRunning) this.rebootPrimary("upgrade-call", at);
    }
    for (const unit of this.units) {
      unit.rollbackNextBoot = unit.rollbackNextBoot || (this.faults.rollbackOnBoot ?? false);
      unit.hangInFirstBoot = this.faults.webNeverReturns ?? false;
      unit.advance(now);
      for (const boot of unit.drainBoots()) {
        this.record("state", boot.rolledBack ? "rollback" : "boot", { ...boot }, boot.unit, boot.at);
        if (boot.rolledBack) this.faults = { ...this.faults, rollbackOnBoot: false };
        else this.holdSecondaryBootFirmware(unit, boot.from, boot.to);
      }
    }
    if (this.ha) this.advanceHa(now);
  }

  /**
   * [doc] 6.0 / 6.3 guides: the secondary "attempts to boot with the new firmware, and reconnects to the
   * primary node to sync data" while its "Boot firmware version" Current stays lower than Active until
   * "Activate Slave". The unit's firmware slot (core firmware) moves on, so the data sync can finish.
   */
  private holdSecondaryBootFirmware(unit: ApplianceUnit, from: string, to: string): void {
    if (!this.ha || unit === this.primary || from === to) return;
    if (semver.lt(to, BOOT_FIRMWARE_HELD_FROM)) return; // [unknown] 5.11 guide: see BOOT_FIRMWARE_HELD_FROM
    unit.heldBootFirmware ??= from;
    this.record("state", "boot-firmware-held", { current: unit.heldBootFirmware, active: to }, unit.id);
  }

  /** A unit became primary (Activate Slave, takeover): its boot firmware catches up within a few minutes [doc]. */
  private startActivation(now: number): void {
    this.activationDoneAt = now + this.timings.haActivationMs;
  }

  private advanceHa(now: number): void {
    if (this.activationDoneAt !== undefined && this.activationDoneAt <= now) {
      const p = this.primary;
      const held = p.heldBootFirmware;
      p.heldBootFirmware = undefined;
      this.activationDoneAt = undefined;
      if (held !== undefined)
        this.record("state", "boot-firmware-activated", { from: held, to: p.version }, p.id);
    }
    const p = this.primary;
    const s = this.secondary!;
    if (!p.isRunning && s.isRunning && this.link === "synced") {
      // The primary vanished while a synced secondary runs: takeover (why H2 shuts the secondary down first).
      this.primaryIndex = 1 - this.primaryIndex;
      this.link = "disconnected";
      this.record("state", "takeover", { newPrimary: s.id }, s.id);
      this.startActivation(now);
      return;
    }
    if (!p.isRunning || !s.isRunning) {
      if (this.link !== "disconnected") this.record("state", "ha-link-down", { was: this.link });
      this.link = "disconnected";
      this.linkSyncedAt = undefined;
    } else if (this.link === "disconnected" || this.link === "version-mismatch") {
      if (p.version !== s.version) this.link = "version-mismatch";
      else if (!this.faults.secondaryNeverSyncs) {
        this.link = "syncing";
        this.linkSyncedAt = Math.max(p.runningSince, s.runningSince) + this.timings.haRejoinSyncMs;
      }
    }
    if (this.link === "syncing" && this.linkSyncedAt !== undefined && now >= this.linkSyncedAt) {
      this.link = "synced";
      this.record("state", "ha-synced", {}, undefined, this.linkSyncedAt);
    }
    if (
      this.link === "synced" &&
      this.firmwareSyncDueAt !== undefined &&
      now >= this.firmwareSyncDueAt &&
      !this.faults.secondaryNeverSyncs
    ) {
      s.mirrorSlotsFrom(p);
      const at = Math.max(this.firmwareSyncDueAt, this.linkSyncedAt ?? 0);
      this.record("state", "ha-firmware-synced", { afterReboot: s.afterRebootVersion }, s.id, at);
      this.firmwareSyncDueAt = undefined;
    }
  }

  private get primary(): ApplianceUnit {
    return this.units[this.primaryIndex];
  }

  private get secondary(): ApplianceUnit | undefined {
    return this.ha ? this.units[1 - this.primaryIndex] : undefined;
  }

  /** Add an event about this node to the fleet's record. */
  record(
    kind: EmulatorEventKind,
    name: string,
    detail: Record<string, unknown> = {},
    unit?: string,
    at: number = this.clock.now(),
  ): void {
    this.events.record({ at, node: this.name, kind, name, unit, detail });
  }

  private rebootPrimary(via: string, at: number): void {
    const p = this.primary;
    this.record(
      "action",
      "reboot",
      { unit: p.id, from: p.version, afterReboot: p.afterRebootVersion, via },
      p.id,
      at,
    );
    p.reboot(at);
  }

  /** Refuses an operation that needs the primary running (there is nothing to click on otherwise). */
  private requirePrimaryRunning(refusing: string): void {
    if (!this.primary.isRunning)
      throw new SystemControlRefused(
        `${this.name}: this node is not running (${this.primary.phase}); refusing ${refusing}`,
      );
  }

  /** State of the REST service (served by the primary unit). */
  serviceState(): ServiceState {
    this.advance();
    const phase = this.primary.phase;
    return phase === "running" ? "up" : phase === "first-boot" ? "booting" : "down";
  }

  /**
   * During a firmware boot the web interface shows a progress page, not the REST API [doc: upgrade guides,
   * "SPS displays status information … on the web interface"]; booting from 5.0.x it shows nothing until the
   * first boot into 6.0 is over [doc: 6.0 upgrade guide] — the emulator then drops connections.
   */
  showsBootProgressPage(): boolean {
    this.advance();
    const from = this.primary.bootingFrom;
    return from === undefined || !semver.satisfies(from, "5.0.x");
  }

  /** Emulated time the REST service was last seen up (cluster status `last_seen`). */
  lastSeen(): number {
    this.advance();
    return this.primary.lastUpAt;
  }

  get runningVersion(): string {
    this.advance();
    return this.primary.version;
  }

  // ---- documented REST operations -----------------------------------------------------------------

  firmwareSlots(): { slots: (FirmwareImageRecord | null)[]; current: number; afterReboot: number } {
    this.advance();
    const p = this.primary;
    return {
      slots: p.slots.map((s) => (s ? { ...s } : null)),
      current: p.currentSlot,
      afterReboot: p.afterRebootSlot,
    };
  }

  uploadFirmware(
    image: { version: string; sha256: string; size: number },
    via: "upload" | "fetch" | "core-shell" = "upload",
  ): number {
    this.advance();
    const p = this.primary;
    const slot = p.emptySlotIndex();
    if (slot === undefined)
      throw new SpsApiFault("NoEmptyFirmwareSlot", "There is no empty firmware slot; delete one first.");
    p.slots[slot - 1] = {
      version: image.version,
      sha256: image.sha256,
      // [doc] REST guide, chapter "Firmware" (7.1.1, 8.0 LTS), "List firmware slots": an uploaded image's
      // slot carries `upgrade_notes`, which the web interface shows behind the slot's icon (SPS
      // Administration Guide, "Upgrading SPS (single node)": "To read the Upgrade Notes of the uploaded
      // firmware, click on the icon"). [unknown] what a real image's notes say and how long they are:
      // the emulator serves a few lines naming the version, with a line feed and a tab as real text has.
      upgradeNotes: emulatedUpgradeNotes(image.version),
      upgradeNews: null,
    };
    this.record("action", "upload-firmware", { slot, ...image, via }, p.id);
    this.scheduleFirmwareSync();
    return slot;
  }

  deleteFirmwareSlot(slotId: number): void {
    this.advance();
    const p = this.primary;
    this.requireSlot(slotId);
    if (slotId === p.currentSlot || slotId === p.afterRebootSlot) {
      throw new SpsApiFault(
        "SlotInUse",
        `Slot ${slotId} is the current or the after-reboot firmware and cannot be deleted.`,
      );
    }
    p.slots[slotId - 1] = null;
    this.record("action", "delete-firmware-slot", { slot: slotId }, p.id);
    this.scheduleFirmwareSync();
  }

  private requireSlot(slotId: number): FirmwareImageRecord {
    const slot = Number.isInteger(slotId) ? this.primary.slots[slotId - 1] : undefined;
    if (!slot)
      throw new SpsApiFault("ResourceNotFound", `Firmware slot ${slotId} is empty or does not exist.`, {
        slot_id: slotId,
      });
    return slot;
  }

  /** The firmware's own upgrade test for a slot (rule P12). */
  testFirmware(slotId: number): UpgradeTestResult {
    this.advance();
    const slot = this.requireSlot(slotId);
    const result = runUpgradeTest({
      running: this.primary.version,
      target: slot.version,
      hardware: this.hardware,
      diskFillupLimitPercent: this.diskFillup.used_space_ratio_limit,
      diskUsedPercent: this.diskUsedPercent,
      plugins: this.plugins,
      injectedFailure: this.faults.testFailureText,
    });
    const detail = { slot: slotId, version: slot.version, passed: result.passed };
    this.record("action", "test-firmware", detail, this.primary.id);
    return result;
  }

  /**
   * POST /api/firmware/upgrade: test again [doc: FirmwareTestFailed], select the slot for the next boot,
   * and — in the "reboots" reading ([ps] Install-SafeguardSpsUpgrade) — reboot the primary shortly after
   * answering. Which reading a real SPS follows is [unknown] (docs/appliance-facts.md §1).
   */
  activateFirmware(slotId: number, message: string | null): { summary: string } {
    this.selectForNextBoot(slotId, message, "upgrade-call");
    if (this.upgradeCall === "reboots")
      this.upgradeRebootDueAt = this.clock.now() + UPGRADE_CALL_REBOOT_DELAY_MS;
    return { summary: "HA check started\nHA check finished" };
  }

  /**
   * The web interface's "Basic Settings > System > Firmwares: After reboot, Activate" — documented as a
   * step of its own before "System Control > This node > Reboot" [doc: upgrade guides], so it never
   * reboots. The emulator's control surface offers it as the operator's manual step.
   */
  activateInWebInterface(version: string): number {
    this.advance();
    const i = this.primary.slots.findIndex((s) => s?.version === version);
    if (i < 0) throw new SpsApiFault("ResourceNotFound", `No firmware slot holds ${version}.`, { version });
    this.selectForNextBoot(i + 1, null, "web-interface");
    return i + 1;
  }

  private selectForNextBoot(slotId: number, message: string | null, via: string): void {
    this.advance();
    const slot = this.requireSlot(slotId);
    if (this.requireCommitLog && !message && via === "upgrade-call") {
      throw new SpsApiFault(
        "IncompleteRequestBodyError",
        "A commit message is required (require_commit_log is on).",
        { field: "message" },
      );
    }
    const test = this.testFirmware(slotId);
    if (!test.passed)
      throw new SpsApiFault("FirmwareTestFailed", "The upgrade test failed.", { test_summary: test.summary });
    this.primary.afterRebootSlot = slotId;
    const detail = { slot: slotId, version: slot.version, message, via };
    this.record("action", "activate-firmware", detail, this.primary.id);
    this.scheduleFirmwareSync();
  }

  private scheduleFirmwareSync(): void {
    if (this.ha) this.firmwareSyncDueAt = this.clock.now() + this.timings.haFirmwareSyncMs;
  }

  /** Validate a plugin upload (P6, P7); throws an SPS error when the appliance would refuse it. */
  checkPluginUpload(plugin: PluginManifest): void {
    this.advance();
    const running = this.primary.version;
    const staged = this.primary.slots.flatMap((s) => (s ? [s.version] : []));
    if (!pluginSupportsFirmware(plugin, running) && !staged.some((v) => pluginSupportsFirmware(plugin, v))) {
      // rule P6 — accepted when it supports the running or an uploaded (staged) firmware [inference]
      throw new SpsApiFault(
        "PluginNotSupported",
        `Plugin ${plugin.name} ${plugin.version} does not support SPS ${running}.`,
        { plugin: plugin.name, version: plugin.version },
      );
    }
    if (pluginNeedsStarlingJoin(plugin) && !this.starlingJoined) {
      // rule P7
      throw new SpsApiFault(
        "TransactionProcessingError",
        `Plugin ${plugin.name} ${plugin.version} works only after SPS has joined Starling.`,
        { plugin: plugin.name, version: plugin.version },
      );
    }
  }

  /** Install (or update: same name replaces) a plugin; called at transaction commit. */
  installPlugin(plugin: PluginManifest, key: string = randomUUID()): InstalledPlugin {
    this.advance();
    const installed = { ...plugin, key };
    this.plugins = [...this.plugins.filter((p) => p.name !== plugin.name), installed];
    this.record("action", "install-plugin", {
      name: plugin.name,
      version: plugin.version,
      type: plugin.type,
    });
    return installed;
  }

  setDiskFillup(next: DiskFillupPrevention): void {
    this.diskFillup = { ...next };
    this.record("action", "set-disk-fillup-prevention", { ...next });
  }

  licenseState(): LicenseState {
    return licenseState(this.license, this.runningVersion, this.clock.now());
  }

  // ---- operations the REST API does not document (system control) ---------------------------------

  private unit(selector: UnitSelector): ApplianceUnit {
    if (selector === "primary") return this.primary;
    if (selector === "secondary") {
      const s = this.secondary;
      if (!s) throw new SystemControlRefused(`${this.name} is not an HA pair: it has no secondary`);
      return s;
    }
    const u = this.units.find((x) => x.id === selector);
    if (!u) throw new SystemControlRefused(`${this.name} has no unit "${selector}"`);
    return u;
  }

  private unitView(u: ApplianceUnit): UnitView {
    return {
      unit: u.id,
      power: u.powered ? "on" : "off",
      phase: u.phase,
      currentVersion: u.version,
      afterRebootVersion: u.afterRebootVersion ?? u.version,
      bootCount: u.bootCount,
    };
  }

  haState(): HaState {
    this.advance();
    const s = this.secondary;
    const primary = this.unitView(this.primary);
    const nodeView = (u: ApplianceUnit, role: HaNodeView["role"]): HaNodeView => ({
      unit: u.id,
      role,
      power: u.powered ? "on" : "off",
      // [doc] HA page, "Boot firmware version": Current and Active (6.0 / 6.3 upgrade guides).
      firmware: { current: u.bootFirmwareCurrent, active: u.afterRebootVersion ?? u.version },
      // [unknown] The guides name no Current/Active for the core firmware; the emulator shows its slots.
      coreFirmware: { current: u.version, active: u.afterRebootVersion ?? u.version },
      phase: u.phase,
      bootCount: u.bootCount,
    });
    if (!s) {
      return {
        status: "Standalone",
        sync: "disconnected",
        firmwareSynced: null,
        nodes: [nodeView(this.primary, "standalone")],
        primary,
        secondary: null,
      };
    }
    const firmwareSynced =
      s.powered &&
      s.afterRebootVersion === this.primary.afterRebootVersion &&
      this.firmwareSyncDueAt === undefined;
    return {
      status: this.link === "synced" ? "HA" : "Degraded",
      sync: this.link,
      firmwareSynced,
      nodes: [nodeView(this.primary, "primary"), nodeView(s, "secondary")],
      primary,
      secondary: this.unitView(s),
    };
  }

  rebootThisNode(): void {
    this.advance();
    this.requirePrimaryRunning("to reboot");
    this.upgradeRebootDueAt = undefined;
    this.rebootPrimary("system-control", this.clock.now());
    this.advance();
  }

  /**
   * "Reboot Cluster": both nodes restart. [doc] HA next-hop monitoring text: "For the changes to take
   * effect, you have to restart both nodes. To restart both nodes, click Reboot Cluster." [unknown]
   * Whether SPS restarts the two together or one after the other: the emulator takes both down at
   * once (so no takeover happens) and boots each into its after-reboot slot; the primary stays primary.
   * Refused while the primary is not running (nothing to click on).
   */
  rebootCluster(): void {
    this.advance();
    this.requirePrimaryRunning("Reboot Cluster");
    const units = this.units.filter((u) => u.isRunning);
    this.record("action", "reboot-cluster", { units: units.map((u) => u.id), via: "system-control" });
    this.upgradeRebootDueAt = undefined;
    for (const u of units) u.reboot(this.clock.now());
    this.advance();
  }

  /** An operation on one unit (`act` may refuse it), recorded, between the transitions due before and after it. */
  private onUnit(selector: UnitSelector, name: string, act: (u: ApplianceUnit) => void, was = true): void {
    this.advance();
    const u = this.unit(selector);
    const detail = was ? { unit: u.id, was: u.phase } : { unit: u.id };
    act(u);
    this.record("action", name, detail, u.id);
    this.advance();
  }

  shutdownSecondary(): void {
    this.onUnit("secondary", "shutdown-secondary", (s) => s.powerOff(), false);
  }

  rebootSecondary(): void {
    const reboot = (s: ApplianceUnit): void => {
      if (!s.isRunning)
        throw new SystemControlRefused(`${this.name}: the secondary is not running (${s.phase})`);
      s.reboot(this.clock.now());
    };
    this.onUnit("secondary", "reboot-secondary", reboot, false);
  }

  powerOn(selector: UnitSelector): void {
    this.onUnit(selector, "power-on", (u) => u.powerOn(this.clock.now()));
  }

  powerOff(selector: UnitSelector): void {
    this.onUnit(selector, "power-off", (u) => u.powerOff());
  }

  powerStatus(selector: UnitSelector): "on" | "off" {
    this.advance();
    return this.unit(selector).powered ? "on" : "off";
  }

  /**
   * "Activate slave": the synced secondary becomes the primary (H2, from 6.0 — H3). [doc] 6.0 / 6.3
   * guides: "This effectively turns the previously secondary node into the primary node. This process
   * can take a few minutes." — the roles swap at once, the new primary's boot firmware Current reaches
   * Active after `haActivationMs` (the emulator's figure).
   */
  activateSecondary(): void {
    this.advance();
    const s = this.unit("secondary");
    if (this.link !== "synced") {
      throw new SystemControlRefused(
        `${this.name}: the secondary is not synced (HA link ${this.link}); refusing to activate it`,
      );
    }
    this.record("action", "activate-secondary", { newPrimary: s.id }, s.id);
    this.primaryIndex = 1 - this.primaryIndex;
    this.startActivation(this.clock.now());
  }

  /**
   * A license upload: through system control (command channel, core shell) or, `via: "web-interface"`,
   * the operator's Basic Settings > System > License page (the only documented path, S11).
   */
  uploadLicense(text: string, via: "system-control" | "web-interface" = "system-control"): LicenseRecord {
    this.advance();
    const license = licenseFromFile(text);
    this.license = license;
    this.record("action", "upload-license", {
      serial: license.serial,
      major: license.major,
      validNotAfter: license.validNotAfter,
      via,
    });
    return license;
  }

  // ---- out-of-band changes (emulator control surface, drift tests) ---------------------------------

  /** Someone upgraded the node outside the tool: it now runs `version` (in a new slot). */
  driftRunningVersion(version: string): void {
    this.advance();
    for (const u of this.units) {
      const slot = u.emptySlotIndex() ?? (u.currentSlot === 1 ? 2 : 1);
      u.slots[slot - 1] = { version, sha256: "", upgradeNotes: `SPS ${version}`, upgradeNews: null };
      u.currentSlot = slot;
      u.afterRebootSlot = slot;
      u.heldBootFirmware = undefined;
    }
    this.record("state", "drift-version", { version });
  }

  systemControl(): SystemControlHandler {
    return {
      nodeName: this.name,
      ha: this.ha,
      units: () => this.units.map((u) => u.id),
      runningVersion: () => this.runningVersion,
      serviceState: () => this.serviceState(),
      rebootThisNode: () => this.rebootThisNode(),
      rebootCluster: () => this.rebootCluster(),
      shutdownSecondary: () => this.shutdownSecondary(),
      rebootSecondary: () => this.rebootSecondary(),
      powerOn: (u) => this.powerOn(u),
      powerOff: (u) => this.powerOff(u),
      powerStatus: (u) => this.powerStatus(u),
      activateSecondary: () => this.activateSecondary(),
      haState: () => this.haState(),
      uploadLicense: (text) => {
        this.uploadLicense(text);
      },
      // Core shell `firmwarectl install <iso>`: the image goes into an empty slot (the REST upload's effect).
      installFirmwareImage: (image) => this.uploadFirmware(image, "core-shell"),
    };
  }
}
