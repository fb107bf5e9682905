/**
 * Emulated time for the SPS emulator. Every duration the emulator models (first boot, HA sync, the
 * 20-minute session idle expiry) is expressed in emulated milliseconds and read through a `Clock`,
 * so tests can run a 15-minute first boot in 1.5 s (`ScaledClock` with scale 600) or step time by hand
 * (`ManualClock`) without any timer.
 */
export interface Clock {
  /** Emulated wall-clock time in milliseconds since the epoch. */
  now(): number;
}

/** Emulated time runs `scale` times faster than real time; `advance` jumps it forward. */
export class ScaledClock implements Clock {
  private readonly realStart: number;
  private readonly emulatedStart: number;
  private offset = 0;

  constructor(
    public scale = 1,
    startAt: number = Date.now(),
  ) {
    if (!(scale > 0)) throw new Error(`time scale must be > 0, got ${scale}`);
    this.realStart = Date.now();
    this.emulatedStart = startAt;
  }

  now(): number {
    return this.emulatedStart + (Date.now() - this.realStart) * this.scale + this.offset;
  }

  /** Jump emulated time forward by `ms` (emulated milliseconds). */
  advance(ms: number): void {
    if (ms < 0) throw new Error("time only moves forward");
    this.offset += ms;
  }

  /** Real milliseconds that `emulatedMs` of emulated time takes. */
  realDuration(emulatedMs: number): number {
    return emulatedMs / this.scale;
  }
}

/** Time that moves only when told to: for unit tests of the node model. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error("time only moves forward");
    this.current += ms;
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
