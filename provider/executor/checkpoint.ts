/**
 * The executor's checkpoint: the few facts that cannot be read back from the appliance, persisted
 * after every step (the sdk keeps it in resource outputs). Above all the reboot marks: a reboot is
 * recorded here *before* it is issued, and a node is never rebooted twice for the same hop (S9, S10,
 * S13, H1). Validated with zod on load, so an older or damaged checkpoint fails with a clear message.
 */
import { z } from "zod";
import type { CheckpointStore, ExecutionCheckpoint, FetchMark, RebootMark } from "./types";

const rebootMarkSchema = z.strictObject({
  node: z.string().min(1),
  hop: z.number().int().positive(),
  fromVersion: z.string(),
  toVersion: z.string(),
  /** HA: the unit that was primary when the reboot was issued (H2 activate-secondary check). */
  unit: z.string().optional(),
  issuedAt: z.string(),
  route: z.literal("upgrade-call").optional(),
  observed: z.enum(["went-away", "stayed-up", "unclear"]).optional(),
  rebootIssuedAt: z.string().optional(),
});

const evidenceSchema = z.strictObject({
  node: z.string().min(1),
  hop: z.number().int().positive(),
  when: z.enum(["before-reboot", "after-rollback", "upgrade-notes"]),
  path: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
});

const fetchMarkSchema = z.strictObject({
  node: z.string().min(1),
  hop: z.number().int().positive(),
  toVersion: z.string(),
  host: z.string(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  startedAt: z.string(),
  key: z.string().min(1).optional(),
});

const imageMarkSchema = z.strictObject({
  node: z.string().min(1),
  hop: z.number().int().positive(),
  toVersion: z.string(),
  startedAt: z.string(),
  slot: z.number().int().nonnegative().optional(),
});

export const checkpointSchema = z.strictObject({
  schemaVersion: z.literal(1),
  cluster: z.string().min(1),
  target: z.string(),
  finished: z.array(z.number().int().positive()),
  reboots: z.array(rebootMarkSchema),
  secondaryDown: z.record(z.string(), z.number().int().positive()),
  rolledBack: z.record(
    z.string(),
    z.strictObject({ hop: z.number().int().positive(), running: z.string(), expected: z.string() }),
  ),
  evidence: z.array(evidenceSchema).optional(),
  bundleNotes: z.record(z.string(), z.string()).optional(),
  fetches: z.array(fetchMarkSchema).optional(),
  images: z.array(imageMarkSchema).optional(),
  licenseRecords: z
    .record(
      z.string(),
      z.strictObject({
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        by: z.enum(["system-control", "operator"]),
      }),
    )
    .optional(),
  /** Per "node#field" what this stack's run found there first (./plugin-license-check.ts); null: none. */
  found: z.record(z.string(), z.string().nullable()).optional(),
  pluginWrites: z
    .array(
      z.strictObject({
        node: z.string().min(1),
        plugin: z.string().min(1),
        version: z.string().min(1),
        hop: z.number().int().nonnegative(),
        startedAt: z.string(),
      }),
    )
    .optional(),
  updatedAt: z.string(),
});

/** Validates a stored checkpoint; the error names the field. */
export function parseCheckpoint(raw: unknown): ExecutionCheckpoint {
  const parsed = checkpointSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? issue.path.map(String).join(".") || "(root)" : "(root)";
  throw new Error(`executor checkpoint: ${where}: ${issue?.message ?? "invalid"}`);
}

export function emptyCheckpoint(cluster: string, target: string, at: string): ExecutionCheckpoint {
  return {
    schemaVersion: 1,
    cluster,
    target,
    finished: [],
    reboots: [],
    secondaryDown: {},
    rolledBack: {},
    updatedAt: at,
  };
}

/**
 * The reboot recorded for a node's hop. Matched on the hop's target revision (not only its index),
 * so a checkpoint stays right even if the caller plans again and the hop numbers shift.
 */
export function rebootMarkOf(
  c: ExecutionCheckpoint,
  node: string,
  toVersion: string,
): RebootMark | undefined {
  return c.reboots.find((r) => r.node === node && r.toVersion === toVersion);
}

/** The firmware download recorded for a node's hop (fetch-firmware, S3), matched on the target revision. */
export function fetchMarkOf(c: ExecutionCheckpoint, node: string, toVersion: string): FetchMark | undefined {
  return c.fetches?.find((f) => f.node === node && f.toVersion === toVersion);
}

/**
 * A reboot of this node's hop may have started (or is over): marked through SystemControl, or by an
 * upgrade call that was not seen to leave the node up with its slot selected. Every "skip: already
 * rebooted" check uses this, never the bare mark (an upgrade call that only selected still needs its
 * reboot — and on an HA pair the secondary shut down first, H2).
 */
export function rebootStarted(mark: RebootMark | undefined): boolean {
  if (!mark) return false;
  if (mark.route !== "upgrade-call") return true;
  return mark.observed !== "stayed-up" || mark.rebootIssuedAt !== undefined;
}

/** In-memory store (tests, and callers that persist `ExecutionResult.checkpoint` themselves). */
export function memoryCheckpointStore(initial?: ExecutionCheckpoint): CheckpointStore & {
  current: ExecutionCheckpoint | undefined;
  saves: number;
} {
  const store = {
    current: initial ? clone(initial) : undefined,
    saves: 0,
    load: () => Promise.resolve(store.current ? clone(store.current) : undefined),
    save: (c: ExecutionCheckpoint) => {
      store.current = clone(c);
      store.saves += 1;
      return Promise.resolve();
    },
  };
  return store;
}

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
