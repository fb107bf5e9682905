/**
 * One physical SPS unit (a standalone appliance, or one half of an HA pair): five firmware slots,
 * power and the boot sequence. Pure state machine driven by emulated time: `advance(now)` applies every
 * transition whose time has come, in order, so results do not depend on how often it is called.
 *
 * Boot: "down" (going down / POST, no network) -> "first-boot" (web interface refuses service, rule S10)
 * -> "running". At the start of "first-boot" the after-reboot slot becomes current, unless a rollback
 * is injected (the unit then stays on its previous firmware, rule S13).
 */
import semver from "semver";

export const SLOT_COUNT = 5;

export interface FirmwareImageRecord {
  version: string;
  sha256: string;
  upgradeNotes: string;
  upgradeNews: string | null;
}

export type UnitPhase = "off" | "down" | "first-boot" | "running";

export interface BootTimings {
  /** Going down plus POST before the kernel starts (emulated ms). */
  downMs: number;
  /** First boot into a firmware, web interface unavailable (S10: 10-20 min). */
  firstBootMs: number;
  /** Extra first-boot time when entering 6.3.0+ from below (P14: 30 min or more). */
  storageReorgMs: number;
  /** A boot without firmware change (e.g. power-on of the same firmware). */
  plainBootMs: number;
}

export interface BootOutcome {
  unit: string;
  at: number;
  from: string;
  to: string;
  rolledBack: boolean;
}

export class ApplianceUnit {
  readonly slots: (FirmwareImageRecord | null)[];
  currentSlot = 1;
  afterRebootSlot = 1;
  phase: UnitPhase = "running";
  /** Emulated time at which the current phase ends (undefined: it does not end by itself). */
  phaseEndsAt: number | undefined;
  bootCount = 0;
  /** Firmware the unit ran before its current (or last) boot. */
  bootingFrom: string | undefined;
  /** Set by the node before a boot: the next boot into new firmware rolls back. */
  rollbackNextBoot = false;
  /** Set by the node: first boot never ends (web interface never returns). */
  hangInFirstBoot = false;
  lastUpAt: number;
  /** Emulated time the unit last reached "running". */
  runningSince: number;
  /**
   * The boot firmware this unit runs when it differs from its (core) firmware slot: set by the node when
   * the unit boots into a new firmware as the HA secondary of a hop to 6.0 or later, cleared when it
   * becomes the primary ("Activate Slave"). [doc] SPS 6.0 and 6.3 upgrade guides, "Upgrading an SPS
   * high-availability cluster", the steps after powering on the secondary: "on the Other node > Boot
   * firmware version, the version number next to Current is lower than the version number next to
   * Active"; after "Activate Slave" "these version numbers should all be the same".
   */
  heldBootFirmware: string | undefined;
  private readonly bootLog: BootOutcome[] = [];

  constructor(
    readonly id: string,
    version: string,
    private readonly timings: BootTimings,
    now: number,
  ) {
    this.slots = Array.from({ length: SLOT_COUNT }, () => null);
    this.slots[0] = { version, sha256: "", upgradeNotes: `SPS ${version}`, upgradeNews: null };
    this.lastUpAt = now;
    this.runningSince = now;
  }

  get version(): string {
    const slot = this.slots[this.currentSlot - 1];
    if (!slot) throw new Error(`unit ${this.id}: current slot ${this.currentSlot} is empty`);
    return slot.version;
  }

  get afterRebootVersion(): string | undefined {
    return this.slots[this.afterRebootSlot - 1]?.version;
  }

  /** "Boot firmware version > Current" of the HA page [doc]: the held boot firmware, else the running slot. */
  get bootFirmwareCurrent(): string {
    return this.heldBootFirmware ?? this.version;
  }

  get isRunning(): boolean {
    return this.phase === "running";
  }

  get powered(): boolean {
    return this.phase !== "off";
  }

  /** Boots that happened since the last call (for the node's event record). */
  drainBoots(): BootOutcome[] {
    return this.bootLog.splice(0);
  }

  advance(now: number): void {
    while (this.phaseEndsAt !== undefined && this.phaseEndsAt <= now) {
      const at = this.phaseEndsAt;
      if (this.phase === "down") this.startFirstBoot(at);
      else if (this.phase === "first-boot") {
        this.phase = "running";
        this.phaseEndsAt = undefined;
        this.lastUpAt = at;
        this.runningSince = at;
      } else this.phaseEndsAt = undefined;
    }
    if (this.phase === "running") this.lastUpAt = now;
  }

  private startFirstBoot(at: number): void {
    const from = this.version;
    let to = from;
    let rolledBack = false;
    if (this.afterRebootSlot !== this.currentSlot && this.slots[this.afterRebootSlot - 1]) {
      if (this.rollbackNextBoot) {
        rolledBack = true;
        this.rollbackNextBoot = false;
        this.afterRebootSlot = this.currentSlot;
      } else {
        this.currentSlot = this.afterRebootSlot;
        to = this.version;
      }
    }
    this.bootCount++;
    this.bootingFrom = from;
    this.bootLog.push({ unit: this.id, at, from, to, rolledBack });
    this.phase = "first-boot";
    let duration = to !== from || rolledBack ? this.timings.firstBootMs : this.timings.plainBootMs;
    if (to !== from && semver.gte(to, "6.3.0") && semver.lt(from, "6.3.0"))
      duration += this.timings.storageReorgMs; // rule P14
    this.phaseEndsAt = this.hangInFirstBoot ? undefined : at + duration;
  }

  /** Reboot (this unit): goes down now, boots the after-reboot slot. */
  reboot(now: number): void {
    if (this.phase === "off") throw new Error(`unit ${this.id} is powered off`);
    this.phase = "down";
    this.phaseEndsAt = now + this.timings.downMs;
  }

  powerOff(): void {
    this.phase = "off";
    this.phaseEndsAt = undefined;
  }

  powerOn(now: number): void {
    if (this.phase !== "off") return;
    this.phase = "down";
    this.phaseEndsAt = now + this.timings.downMs;
  }

  emptySlotIndex(): number | undefined {
    const i = this.slots.findIndex((s) => s === null);
    return i < 0 ? undefined : i + 1;
  }

  /** Copy firmware slots from another unit (HA firmware sync); keeps this unit's current slot. */
  mirrorSlotsFrom(other: ApplianceUnit): void {
    const running = this.slots[this.currentSlot - 1];
    for (let i = 0; i < SLOT_COUNT; i++) this.slots[i] = other.slots[i] ? { ...other.slots[i]! } : null;
    // Keep what is running in place: find it in the mirrored table, or keep it in its slot.
    const keepAt = this.slots.findIndex(
      (s) => s !== null && running !== null && s.version === running.version,
    );
    if (keepAt >= 0) this.currentSlot = keepAt + 1;
    else this.slots[this.currentSlot - 1] = running;
    this.afterRebootSlot = other.afterRebootSlot;
    if (!this.slots[this.afterRebootSlot - 1]) this.afterRebootSlot = this.currentSlot;
  }
}
