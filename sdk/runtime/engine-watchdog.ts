/**
 * The provider process must not outlive the engine that started it. The engine stops its plugins when
 * it exits normally, but a `pulumi` killed with SIGKILL (OOM killer, a cancelled CI job, `kill -9`)
 * cannot: the dynamic-provider host would keep running — and keep upgrading appliances nobody
 * watches. The launcher `exec`s node, so the engine is this process's parent; once the parent
 * changes (we were re-parented to init or a subreaper) the engine is gone.
 *
 * Then the watchdog aborts the runs in flight through their signal — the executor stops at its next
 * safe point (a wait or a step boundary; never between an indexer's stop and start, I5; a first-boot
 * wait is read-only, S10) after its checkpoint is saved — and exits once no provider operation is
 * left running. The next `pulumi up` resumes from the checkpoint and the appliances' real state.
 */

export interface WatchdogHost {
  /** The parent pid right now (`process.ppid` is read from the OS on every access). */
  parentPid(): number;
  /** Ends the process. */
  exit(code: number): void;
  setInterval(fn: () => void, ms: number): { unref(): void };
}

export class EngineWatchdog {
  private readonly controller = new AbortController();
  private readonly engine: number;
  private active = 0;
  private timer: { unref(): void } | undefined;

  constructor(
    private readonly host: WatchdogHost,
    private readonly pollMs = 1000,
  ) {
    this.engine = host.parentPid();
  }

  /**
   * True once the engine is gone. Nothing may be written to stdout/stderr then: the pipes lead to the
   * dead engine, and a write to them was seen to stall the process's promise jobs for good.
   */
  get engineGone(): boolean {
    return this.controller.signal.aborted;
  }

  /** Aborted when the engine is gone: pass it to every long run. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts polling (idempotent); the timer never keeps the process alive by itself. */
  start(): this {
    if (!this.timer) {
      this.timer = this.host.setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
    return this;
  }

  /** Checks the parent once; public for tests. */
  poll(): void {
    if (this.controller.signal.aborted) return;
    const now = this.host.parentPid();
    if (now === this.engine) return;
    const reason = new Error(
      `the Pulumi engine (pid ${this.engine}) that started this provider is gone; stopping at the next safe point — run \`pulumi up\` again to resume`,
    );
    this.controller.abort(reason);
    this.exitIfIdle();
  }

  /** Runs one provider operation; the process exits after the last one once the engine is gone. */
  async track<T>(operation: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await operation();
    } finally {
      this.active--;
      this.exitIfIdle();
    }
  }

  private exitIfIdle(): void {
    if (this.controller.signal.aborted && this.active === 0) this.host.exit(1);
  }
}

/** True inside @pulumi/pulumi's dynamic-provider host (not in a program, not in mocha). */
export function inDynamicProviderHost(argv: readonly string[] = process.argv): boolean {
  return /dynamic-provider[\\/]index\.js$/.test(argv[1] ?? "");
}

let shared: EngineWatchdog | undefined;

/**
 * The process's watchdog: polling inside the dynamic-provider host, inert (never aborts) elsewhere,
 * so the same provider code runs in tests and programs unchanged.
 */
export function engineWatchdog(): EngineWatchdog {
  if (!shared) {
    shared = new EngineWatchdog({
      parentPid: () => process.ppid,
      exit: (code) => process.exit(code),
      setInterval: (fn, ms) => setInterval(fn, ms),
    });
    if (inDynamicProviderHost()) shared.start();
  }
  return shared;
}

const PROVIDER_METHODS = ["check", "diff", "create", "update", "read", "remove"] as const;
type ProviderMethod = (typeof PROVIDER_METHODS)[number];

/** `provider` with its provider methods (check … remove) tracked by the process's watchdog. */
export function watched<P extends Partial<Record<ProviderMethod, (...args: never[]) => Promise<unknown>>>>(
  provider: P,
): P {
  const out: Record<string, unknown> = { ...provider };
  for (const name of PROVIDER_METHODS) {
    const fn = provider[name];
    if (fn) out[name] = (...args: never[]) => engineWatchdog().track(() => fn.apply(provider, args));
  }
  return out as P;
}
