/**
 * Virtual time for an emulated fleet (test support, used by the crash matrix): the executor's sleeps do
 * not wait in real time. Every sleep is a wake-up at an emulated instant; once nothing but sleeps is in
 * flight — no REST call of the executor is running and the event loop has been quiet for one turn —
 * the emulator's clock jumps to the earliest wake-up and wakes it (a discrete-event simulation).
 *
 * Why this proves the same as the scaled clock: the emulator is lazy (every transition is computed from
 * `clock.now()` when the node is next touched, emulator/sps/emulated-node.ts), every executor wait polls a
 * condition read from the emulator, and every deadline is measured on the same clock. Time only jumps
 * while the executor waits, so a wait still sees every poll it would see on a slow machine — and no
 * deadline can expire because the machine is loaded (a REST call in flight holds the clock still).
 *
 * `track` wraps a REST client so that its calls count as work in flight; the client's retry backoff
 * (`backoff`) is a sleep inside such a call: the call pauses, time may jump. `holdWhile` holds the clock
 * while work that runs in real time outside the executor is under way (the emulator downloading a
 * firmware URL in the background).
 */
import type { ScaledClock } from "../../../emulator/common/clock";
import type { SleepFn } from "../../../provider/executor/types";

interface Sleeper {
  at: number;
  wake: () => void;
}

export class VirtualTime {
  private readonly sleepers = new Set<Sleeper>();
  private readonly holds: Array<() => boolean> = [];
  private busy = 0;
  private generation = 0;
  private checkPending = false;
  private stopped = false;
  /** A call that never settles must not stop time forever: the clock's own real-time flow still wakes due sleepers. */
  private readonly tick: NodeJS.Timeout;
  /** Jumps made and emulated milliseconds skipped (for the profile line of the crash matrix). */
  jumps = 0;
  skippedMs = 0;

  constructor(private readonly clock: ScaledClock) {
    this.tick = setInterval(() => {
      this.wakeDue();
      if (this.holds.length > 0 && this.sleepers.size > 0) this.changed(); // a hold may have ended
    }, 25);
    this.tick.unref();
  }

  /** A `SleepFn` for `ExecutionInputs.sleep`: wakes at `now + ms` emulated; the signal ends it early. */
  readonly sleep: SleepFn = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(reasonOf(signal));
        return;
      }
      const onAbort = (): void => {
        this.sleepers.delete(sleeper);
        this.changed();
        reject(reasonOf(signal!));
      };
      const sleeper: Sleeper = {
        at: this.clock.now() + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.sleepers.add(sleeper);
      this.changed();
    });

  /** Sleep inside tracked work (the REST client's retry backoff): the work pauses while it sleeps. */
  readonly backoff = async (ms: number): Promise<void> => {
    this.busy--;
    this.changed();
    try {
      await this.sleep(ms);
    } finally {
      this.busy++;
      this.changed();
    }
  };

  /** Wraps an object (a REST client) so that every promise its methods return counts as work in flight. */
  track<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (t, p) => {
        const v: unknown = Reflect.get(t, p, t);
        if (typeof v !== "function") return v;
        return (...args: unknown[]): unknown => {
          const r: unknown = (v as (...a: unknown[]) => unknown).apply(t, args);
          return isPromise(r) ? this.inFlight(r) : r;
        };
      },
    });
  }

  /** Time does not jump while `busy()` is true (checked before every jump). */
  holdWhile(busy: () => boolean): void {
    this.holds.push(busy);
  }

  /** No sleeper left behind (a run that ended must not leave a wait running). */
  get pendingSleeps(): number {
    return this.sleepers.size;
  }

  dispose(): void {
    this.stopped = true;
    clearInterval(this.tick);
  }

  private inFlight<R>(p: Promise<R>): Promise<R> {
    this.busy++;
    this.changed();
    const done = (): void => {
      this.busy--;
      this.changed();
    };
    p.then(done, done);
    return p;
  }

  private changed(): void {
    this.generation++;
    if (this.checkPending || this.stopped) return;
    this.checkPending = true;
    setImmediate(() => this.check());
  }

  private check(): void {
    this.checkPending = false;
    this.wakeDue();
    if (this.busy > 0 || this.sleepers.size === 0 || this.stopped || this.held()) return;
    // Quiet for one more turn of the event loop (I/O callbacks included): then jump.
    const seen = this.generation;
    setImmediate(() => {
      if (seen !== this.generation || this.busy > 0 || this.stopped || this.held()) return; // re-checked on change
      this.jump();
    });
  }

  private held(): boolean {
    return this.holds.some((h) => h());
  }

  private jump(): void {
    let earliest = Infinity;
    for (const s of this.sleepers) earliest = Math.min(earliest, s.at);
    if (earliest === Infinity) return;
    const ahead = earliest - this.clock.now();
    if (ahead > 0) {
      this.clock.advance(ahead);
      this.jumps++;
      this.skippedMs += ahead;
    }
    this.wakeDue();
  }

  private wakeDue(): void {
    const now = this.clock.now();
    const due = [...this.sleepers].filter((s) => s.at <= now);
    if (due.length === 0) return;
    for (const s of due) {
      this.sleepers.delete(s);
      s.wake();
    }
    this.changed();
  }
}

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

function reasonOf(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error("aborted");
}
