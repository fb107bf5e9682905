/**
 * Everything one run shares: resolved deadlines, injected clock and sleep, the abort signal, the
 * checkpoint (saved after every step), progress, and polling waits with their own deadlines (the
 * Pulumi engine cannot cancel a dynamic provider, so every wait must end by itself).
 */
import { DEFAULT_DEADLINES, firmwareFetchDeadlineMs, restRequestDeadlineMs } from "../../core/deadlines";
import type { PlanStep } from "../../core/plan";
import type { SeenNode } from "./boot-watch";
import { clone } from "./checkpoint";
import { formatDuration } from "../../core/duration";
import {
  ExecutionError,
  type CheckpointStore,
  type ExecutionCheckpoint,
  type ExecutionFailureKind,
  type ExecutionInputs,
  type ExecutorClock,
  type ExecutorDeadlines,
  type FailedStep,
  type ProgressEvent,
  type SleepFn,
  WaitStopped,
} from "./types";

/** Real-time sleep that an AbortSignal ends early (rejects with the signal's reason). */
export const realSleep: SleepFn = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error("aborted");
}

export function failedStep(step: PlanStep): FailedStep {
  return {
    seq: step.seq,
    node: step.node,
    action: step.action,
    hop: step.hop,
    ...(step.version !== undefined ? { version: step.version } : {}),
  };
}

export interface WaitSpec {
  /** What we wait for, for messages ("first boot of sps1 into 6.0.7"). */
  what: string;
  deadlineMs: number;
  /** Default "deadline". */
  kind?: ExecutionFailureKind;
  rule: string;
  step: PlanStep;
  /** Extra text for the deadline message (e.g. "console access needed"). */
  hint?: string;
  /** Progress line while waiting (default: the step's "waiting" progress line). */
  onWait?: (message: string) => void;
}

export class RunContext {
  readonly deadlines: Required<ExecutorDeadlines>;
  readonly clock: ExecutorClock;
  readonly sleepFn: SleepFn;
  readonly signal: AbortSignal | undefined;
  readonly startedAt: number;
  checkpoint: ExecutionCheckpoint;
  /** Per node, what this run read of it last (./boot-watch.ts): in memory, for the run. */
  readonly seen = new Map<string, SeenNode>();
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly inputs: ExecutionInputs,
    checkpoint: ExecutionCheckpoint,
    private readonly store: CheckpointStore | undefined,
  ) {
    this.deadlines = {
      ...DEFAULT_DEADLINES,
      firmwareFetchMs: firmwareFetchDeadlineMs(DEFAULT_DEADLINES),
      restRequestMs: restRequestDeadlineMs(DEFAULT_DEADLINES),
      pollIntervalMs: 5_000,
      firmwareTestMs: 10 * 60_000,
      /** [inference] No figure is documented for a worker to reconnect; 10 minutes. */
      indexerWorkerMs: 10 * 60_000,
      upgradeCallObserveMs: 3 * 60_000,
      supportBundleMs: 15 * 60_000,
      ...Object.fromEntries(Object.entries(inputs.deadlines ?? {}).filter(([, v]) => v !== undefined)),
    };
    this.clock = inputs.clock ?? { now: () => Date.now() };
    this.sleepFn = inputs.sleep ?? realSleep;
    this.signal = inputs.signal;
    this.startedAt = this.clock.now();
    this.checkpoint = checkpoint;
  }

  get cluster(): string {
    return this.inputs.plan.name;
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  elapsedMs(): number {
    return this.clock.now() - this.startedAt;
  }

  progress(step: PlanStep, phase: ProgressEvent["phase"], message: string): void {
    const sink = this.inputs.progress;
    if (!sink) return;
    try {
      sink({
        cluster: this.cluster,
        ...failedStep(step),
        phase,
        elapsedMs: this.elapsedMs(),
        message,
      });
    } catch {
      // A failing progress sink must not fail the upgrade.
    }
  }

  /** Saves the checkpoint (serialised: concurrent nodes of a wave save one after the other). */
  async save(mutate?: (c: ExecutionCheckpoint) => void): Promise<void> {
    const run = async (): Promise<void> => {
      if (mutate) mutate(this.checkpoint);
      this.checkpoint.updatedAt = this.nowIso();
      if (this.store) await this.store.save(clone(this.checkpoint));
    };
    const next = this.saving.then(run, run);
    this.saving = next.catch(() => undefined);
    await next;
  }

  throwIfAborted(step?: PlanStep): void {
    if (this.signal?.aborted) {
      throw new ExecutionError(
        "aborted",
        `cluster ${this.cluster}: run aborted${step ? ` at step ${step.seq} (${step.action} on ${step.node})` : ""}${this.signal.reason instanceof Error ? ` — ${this.signal.reason.message}` : "; run again to resume"}`,
        { step: step && failedStep(step), cause: this.signal.reason },
      );
    }
  }

  async sleep(ms: number, step?: PlanStep): Promise<void> {
    this.throwIfAborted(step);
    try {
      await this.sleepFn(ms, this.signal);
    } catch (e) {
      this.throwIfAborted(step);
      throw e;
    }
  }

  /**
   * Races one call against its own deadline (injected sleep, so it runs on the emulator's clock too).
   * The call itself cannot be cancelled; on deadline the step fails with `spec.kind`.
   */
  async withDeadline<T>(spec: Omit<WaitSpec, "onWait">, call: Promise<T>): Promise<T> {
    const timer = new AbortController();
    // The call may settle after the deadline: its late rejection is not an unhandled one.
    call.catch(() => undefined);
    const expired = this.sleepFn(spec.deadlineMs, timer.signal).then(
      () => {
        throw new ExecutionError(
          spec.kind ?? "deadline",
          `cluster ${this.cluster}, node ${spec.step.node}, step ${spec.step.seq} ${spec.step.action}: ${spec.what} took longer than ${formatDuration(spec.deadlineMs)} (rule ${spec.rule})${spec.hint ? `: ${spec.hint}` : ""}`,
          { step: failedStep(spec.step), rule: spec.rule },
        );
      },
      () => undefined as never,
    );
    try {
      return await Promise.race([call, expired]);
    } finally {
      timer.abort();
    }
  }

  /**
   * Polls `probe` (read-only) until it returns a value; errors of the probe count as "not yet" (a
   * rebooting node drops connections) — except a `foreign-state` stop (./boot-watch.ts: the node
   * changed in a way this run did not make) and a `WaitStopped` (./liveness-watch.ts: a node in a state
   * this run cannot read), which end the wait at once. On deadline throws `ExecutionError` with `spec.kind`.
   */
  async waitFor<T>(spec: WaitSpec, probe: () => Promise<T | undefined>): Promise<T> {
    const onWait = spec.onWait ?? ((m: string) => this.progress(spec.step, "waiting", m));
    const start = this.clock.now();
    let last = "";
    let announced = false;
    for (;;) {
      this.throwIfAborted(spec.step);
      try {
        const v = await probe();
        if (v !== undefined) return v;
        last = "";
      } catch (e) {
        if (e instanceof WaitStopped || (e instanceof ExecutionError && e.kind === "foreign-state")) throw e;
        last = e instanceof Error ? e.message : String(e);
      }
      const waited = this.clock.now() - start;
      if (waited >= spec.deadlineMs) {
        throw new ExecutionError(
          spec.kind ?? "deadline",
          `cluster ${this.cluster}, node ${spec.step.node}, step ${spec.step.seq} ${spec.step.action}: ${spec.what} did not happen within ${formatDuration(spec.deadlineMs)} (rule ${spec.rule})${spec.hint ? `: ${spec.hint}` : ""}${last ? `; last error: ${last}` : ""}`,
          { step: failedStep(spec.step), rule: spec.rule },
        );
      }
      if (!announced) {
        // The progress line already names the phase ("… waiting: <message>"): no "waiting:" here.
        onWait(`${spec.what} (deadline ${formatDuration(spec.deadlineMs)}, rule ${spec.rule})`);
        announced = true;
      }
      await this.sleep(Math.min(this.deadlines.pollIntervalMs, spec.deadlineMs - waited), spec.step);
    }
  }
}
