/**
 * Where a firmware run keeps its progress: in the resource outputs (written by Pulumi when the run
 * ends or fails) and, at every save, in a local file, so that a provider killed mid-run (no outputs
 * written) still resumes from truth on the next `up`. The newer of the two wins. Stored with the plan
 * being executed, so a resumed run works through the same steps (seq numbers) as the interrupted one.
 */
import { SpsError } from "../../core/errors";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { ClusterPlan } from "../../core/plan";
import type { CheckpointStore, ExecutionCheckpoint } from "../executor/types";

export interface RunRecord {
  plan: ClusterPlan;
  checkpoint: ExecutionCheckpoint | null;
}

const list = z.array(z.unknown());
const runRecordSchema = z.looseObject({
  plan: z.looseObject({ name: z.string(), target: z.string(), hops: list, steps: list, findings: list }),
  checkpoint: z
    .looseObject({
      schemaVersion: z.literal(1),
      cluster: z.string(),
      target: z.string(),
      updatedAt: z.string(),
    })
    .nullable(),
});

export function parseRunRecord(raw: unknown): RunRecord | undefined {
  const parsed = runRecordSchema.safeParse(raw);
  return parsed.success ? (parsed.data as unknown as RunRecord) : undefined;
}

export function checkpointFile(dir: string | undefined, key: string): string {
  const base = dir ?? join(homedir(), ".pulumi-sps", "checkpoints");
  return join(base, `${key.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
}

export function readRunFile(file: string): RunRecord | undefined {
  try {
    return parseRunRecord(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return undefined;
  }
}

export function writeRunFile(file: string, record: RunRecord): void {
  mkdirSync(join(file, ".."), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeRunFile(file: string): void {
  rmSync(file, { force: true });
}

/** The run to resume, if any: the newer of outputs and file, for the same resolved target. */
export function runToResume(
  fromOutputs: RunRecord | undefined,
  fromFile: RunRecord | undefined,
  target: string,
): RunRecord | undefined {
  const candidates = [fromOutputs, fromFile].filter(
    (r): r is RunRecord => r !== undefined && r.plan.target === target,
  );
  const stamp = (r: RunRecord): string => r.checkpoint?.updatedAt ?? "";
  candidates.sort((a, b) => stamp(b).localeCompare(stamp(a)));
  return candidates[0];
}

/** A CheckpointStore that writes through to the file and remembers the latest value. */
export function fileBackedStore(
  file: string,
  plan: ClusterPlan,
  initial: ExecutionCheckpoint | null,
): CheckpointStore & { latest(): ExecutionCheckpoint | null } {
  let current = initial;
  return {
    load: () => Promise.resolve(current ?? undefined),
    save: (c) => {
      current = JSON.parse(JSON.stringify(c)) as ExecutionCheckpoint;
      writeRunFile(file, { plan, checkpoint: current });
      return Promise.resolve();
    },
    latest: () => current,
  };
}

/** Another live process holds the run lock of this cluster. */
export class RunLockedError extends SpsError {
  static override readonly code: string = "RUN_LOCKED";
  constructor(
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(
      `another provider process (pid ${holder.pid}${holder.startedAt ? `, since ${holder.startedAt}` : ""}) is still running this cluster's upgrade — most likely left by a \`pulumi up\` that was killed; it stops at its next safe point and exits. Wait until it is gone (\`ps -p ${holder.pid}\`), then run again; if that pid is not a pulumi-sps provider, delete ${lockFile}`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // A recycled pid that is not a node process is not ours.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("node");
  } catch {
    return true;
  }
}

/** The holder a lock file names: its pid, since when, and the run (project.stack.cluster) where it says. */
const lockHolderSchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string().optional(),
  run: z.string().optional(),
});
export type LockHolder = z.infer<typeof lockHolderSchema>;

/**
 * Creates `lock` naming this process (and `run`), or throws `held(holder)` while another live process
 * holds it; a holder that is no longer running (or an unreadable lock, a writer that died mid-write)
 * leaves a stale lock, which is taken over. `release()` removes it only while it is still ours.
 */
export function takeLockFile(
  lock: string,
  run: string | undefined,
  held: (holder: LockHolder) => Error,
): { release(): void } {
  mkdirSync(join(lock, ".."), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const me: LockHolder = {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        ...(run ? { run } : {}),
      };
      writeFileSync(lock, JSON.stringify(me), { flag: "wx", mode: 0o600 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw e;
      let holder: LockHolder | undefined;
      try {
        holder = lockHolderSchema.parse(JSON.parse(readFileSync(lock, "utf8")));
      } catch {
        holder = undefined; // unreadable: a writer died mid-write
      }
      if (holder && alive(holder.pid)) throw held(holder);
      rmSync(lock, { force: true });
    }
  }
  return {
    release: () => {
      try {
        const now = JSON.parse(readFileSync(lock, "utf8")) as { pid?: unknown };
        if (now.pid === process.pid) rmSync(lock, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

/**
 * One run per cluster at a time: a provider left running by a killed `pulumi up` (it finishes its
 * step in flight, then saves its checkpoint) and a new `up` must never write the same run file, or
 * the older writer could erase the newer one's reboot mark (S9). The lock file next to the run file
 * names its holder; a holder that is no longer running leaves a stale lock, which is taken over.
 */
export function acquireRunLock(file: string): { release(): void } {
  const lock = `${file}.lock`;
  return takeLockFile(lock, undefined, (holder) => new RunLockedError(lock, holder));
}

/** The file an operator creates to stop a running upgrade after its current step. */
export function stopRequestFile(file: string): string {
  return `${file}.stop`;
}

/**
 * A signal aborted once `<run file>.stop` exists (checked every `pollMs`): the operator's way to stop
 * a long upgrade at its next safe point without killing anything (Pulumi's first Ctrl-C waits for the
 * whole operation). The file is consumed, so the next `up` resumes. `dispose()` ends the polling.
 */
export function stopRequestSignal(file: string, pollMs = 1000): { signal: AbortSignal; dispose(): void } {
  const stop = stopRequestFile(file);
  const controller = new AbortController();
  const check = (): void => {
    if (controller.signal.aborted || !existsSync(stop)) return;
    rmSync(stop, { force: true });
    controller.abort(
      new Error(
        `stop requested (${stop}); stopping at the next safe point — run \`pulumi up\` again to resume`,
      ),
    );
  };
  // A stop file left from before this run is stale: the run starts anyway.
  rmSync(stop, { force: true });
  const timer = setInterval(check, pollMs);
  timer.unref();
  return { signal: controller.signal, dispose: () => clearInterval(timer) };
}
