/**
 * The provider process must not outlive the engine that started it. The engine stops its plugins when
 * it exits normally, but a `pulumi` killed with SIGKILL (OOM killer, a cancelled CI job, `kill -9`)
 * cannot: the dynamic-provider host would keep running — and keep upgrading appliances nobody
 * watches. Two signs that the engine is gone, whichever comes first: this process's parent changed
 * (our launcher `exec`s node, so the engine is the parent until we are re-parented to init or a
 * subreaper), or nothing listens any more at the engine address the engine passed us (the first
 * argument; works with any launcher, also one that keeps a shell between the engine and node).
 *
 * Then the watchdog aborts the runs in flight through their signal — a cluster upgrade stops at its
 * next safe point (a wait or a step boundary, after its checkpoint is saved; a first-boot wait is
 * read-only, S10); license, plugin and indexer operations finish first (an indexer is never left
 * stopped, I5) — and exits once no provider operation is left running. The next `pulumi up` resumes
 * from the checkpoint and the appliances' real state.
 */
import { setMaxListeners } from "node:events";
import * as net from "node:net";

/** What a connection attempt to the engine's address found. */
export type EngineProbe = "answers" | "refused" | "unknown";

export interface WatchdogHost {
  /** The parent pid right now (`process.ppid` is read from the OS on every access). */
  parentPid(): number;
  /** Connects to the engine's address; "refused" once nothing listens there. Absent: not checked. */
  probeEngine?(): Promise<EngineProbe>;
  exit(code: number): void;
  setInterval(fn: () => void, ms: number): { unref(): void };
}

export class EngineWatchdog {
  private readonly controller = new AbortController();
  private readonly engine: number;
  private active = 0;
  private timer: { unref(): void } | undefined;
  private probing = false;
  private refusals = 0;

  constructor(
    private readonly host: WatchdogHost,
    private readonly pollMs = 1000,
  ) {
    this.engine = host.parentPid();
    // One signal for every run of the process: as many waits as nodes in flight listen to it.
    setMaxListeners(0, this.controller.signal);
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

  /** Checks once (the parent now, the engine's address in the background); public for tests. */
  poll(): void {
    if (this.controller.signal.aborted) return;
    if (this.host.parentPid() !== this.engine) {
      this.lose(`pid ${this.engine} is no longer this process's parent`);
      return;
    }
    if (!this.host.probeEngine || this.probing) return;
    this.probing = true;
    void this.host.probeEngine().then((found) => {
      this.probing = false;
      // Two refusals in a row: one could be a listener being restarted; a busy engine only times out.
      this.refusals = found === "refused" ? this.refusals + 1 : 0;
      if (this.refusals >= 2) this.lose("nothing listens at its address any more");
    });
  }

  private lose(why: string): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(
      new Error(
        `the Pulumi engine that started this provider is gone (${why}); stopping at the next safe point — run \`pulumi up\` again to resume`,
      ),
    );
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

/**
 * True inside @pulumi/pulumi's dynamic-provider host (not in a program, not in mocha), started as
 * `…/cmd/dynamic-provider/index.js` (our launcher) or `…/cmd/dynamic-provider` (Pulumi's).
 */
export function inDynamicProviderHost(argv: readonly string[] = process.argv): boolean {
  return /[\\/]cmd[\\/]dynamic-provider([\\/]index(\.js)?)?$/.test(argv[1] ?? "");
}

/** The engine's address from the host's arguments (`127.0.0.1:41933`), if there is one. */
export function engineAddress(
  argv: readonly string[] = process.argv,
): { host: string; port: number } | undefined {
  const m = /^([\w.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(argv[2] ?? "");
  return m ? { host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) } : undefined;
}

/** One TCP connection attempt: "answers" if accepted, "refused" if nothing listens, else "unknown". */
export function probeTcp(address: { host: string; port: number }, timeoutMs = 1000): Promise<EngineProbe> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    const done = (found: EngineProbe): void => {
      socket.destroy();
      resolve(found);
    };
    socket.setTimeout(timeoutMs, () => done("unknown"));
    socket.once("connect", () => done("answers"));
    socket.once("error", (e: NodeJS.ErrnoException) =>
      done(e.code === "ECONNREFUSED" ? "refused" : "unknown"),
    );
  });
}

/** Shared by every copy of this module in the process (the serialized providers `require` by path). */
const SHARED = Symbol.for("pulumi-sps.engine-watchdog");

/**
 * The process's watchdog: polling inside the dynamic-provider host, inert (never aborts) elsewhere,
 * so the same provider code runs in tests and programs unchanged. One per process, even when two
 * copies of the runtime are loaded (a stack's old state names another checkout), so one copy never
 * exits the process under the other's run.
 */
export function engineWatchdog(): EngineWatchdog {
  const slot = globalThis as unknown as Record<symbol, EngineWatchdog | undefined>;
  let shared = slot[SHARED];
  if (!shared) {
    const address = engineAddress();
    shared = new EngineWatchdog({
      parentPid: () => process.ppid,
      ...(address ? { probeEngine: () => probeTcp(address) } : {}),
      exit: (code) => process.exit(code),
      setInterval: (fn, ms) => setInterval(fn, ms),
    });
    slot[SHARED] = shared;
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
