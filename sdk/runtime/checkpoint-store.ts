/**
 * Where a firmware run keeps its progress: in the resource outputs (written by Pulumi when the run
 * ends or fails) and, at every save, in a local file, so that a provider killed mid-run (no outputs
 * written) still resumes from truth on the next `up`. The newer of the two wins. Stored with the plan
 * being executed, so a resumed run works through the same steps (seq numbers) as the interrupted one.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { ClusterPlan } from "../../provider/domain/plan";
import type { CheckpointStore, ExecutionCheckpoint } from "../../provider/executor/types";

export interface RunRecord {
  plan: ClusterPlan;
  checkpoint: ExecutionCheckpoint | null;
}

const runRecordSchema = z
  .object({
    plan: z
      .object({
        name: z.string(),
        target: z.string(),
        hops: z.array(z.unknown()),
        steps: z.array(z.unknown()),
        findings: z.array(z.unknown()),
      })
      .loose(),
    checkpoint: z
      .object({ schemaVersion: z.literal(1), cluster: z.string(), target: z.string(), updatedAt: z.string() })
      .loose()
      .nullable(),
  })
  .loose();

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

function stamp(r: RunRecord | undefined): string {
  return r?.checkpoint?.updatedAt ?? "";
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
