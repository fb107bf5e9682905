/**
 * The executor's checkpoint: the few facts that cannot be read back from the appliance, persisted
 * after every step (the sdk keeps it in resource outputs). Above all the reboot marks: a reboot is
 * recorded here *before* it is issued, and a node is never rebooted twice for the same hop (S9, S10,
 * S13, H1). Validated with zod on load, so an older or damaged checkpoint fails with a clear message.
 */
import { z } from "zod";
import type { CheckpointStore } from "./types";

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const rebootMarkSchema = z.strictObject({
  node: z.string().min(1),
  hop: z.number().int().positive(),
  /** Revision the node ran when the reboot was issued. */
  fromVersion: z.string(),
  toVersion: z.string(),
  /** HA: the unit that was primary when the reboot was issued (decides whether activate-secondary is due). */
  unit: z.string().optional(),
  issuedAt: z.string(),
  /**
   * "upgrade-call": recorded before `POST /api/firmware/upgrade`, which may start the reboot itself
   * ([unknown], docs/appliance-facts.md §1). Absent: the reboot was issued through SystemControl.
   */
  route: z.literal("upgrade-call").optional(),
  /**
   * What was seen after the upgrade call: the node went away (the call rebooted it), stayed up with the
   * slot selected (the reboot is still due, through SystemControl), or stayed up with no slot selected
   * ("unclear": it may have rebooted and rolled back — never rebooted again). Absent: not observed yet.
   */
  observed: z.enum(["went-away", "stayed-up", "unclear"]).optional(),
  /** After "stayed-up": when the SystemControl reboot was issued (saved before issuing it). */
  rebootIssuedAt: z.string().optional(),
});

/** A support bundle downloaded into the evidence directory (S8 before the reboot, S13 after a rollback). */
const evidenceSchema = z.strictObject({
  node: z.string().min(1),
  hop: z.number().int().positive(),
  /** A support bundle before the reboot (S8) or after a rollback (S13), or the firmware's Upgrade Notes (G53). */
  when: z.enum(["before-reboot", "after-rollback", "upgrade-notes"]),
  /** Absolute path of the file (named after cluster, node, hop and time — never a credential). */
  path: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: hex64,
  createdAt: z.string(),
});

/**
 * fetch-firmware (S3): recorded *before* `POST /api/firmware/fetch`, the key added from its answer, so a
 * resumed run follows the same download instead of starting a second one. Only the host is kept.
 */
const fetchMarkSchema = z.strictObject({
  node: z.string().min(1),
  hop: z.number().int().positive(),
  toVersion: z.string(),
  /** Host of the URL (never userinfo, path or query). */
  host: z.string(),
  /** The declared image's sha256 (lowercase; public, from the download page), absent in earlier checkpoints. */
  sha256: hex64.optional(),
  startedAt: z.string(),
  /** The node's key of the download (absent: the call's answer was not seen). */
  key: z.string().min(1).optional(),
});

/**
 * upload-firmware: recorded *before* `POST /api/upload/firmware`, the slot added from its answer, so a
 * resumed run recognises its own upload and any other copy of the image is seen as another run's
 * (./foreign-state.ts).
 */
const imageMarkSchema = z.strictObject({
  node: z.string().min(1),
  hop: z.number().int().positive(),
  toVersion: z.string(),
  startedAt: z.string(),
  /** The slot the appliance put the image into (absent: the upload's answer was not seen). */
  slot: z.number().int().nonnegative().optional(),
});

/** A plugin upload, recorded before `POST /api/upload/plugins` (./plugin-license-check.ts). */
const pluginWriteSchema = z.strictObject({
  node: z.string().min(1),
  plugin: z.string().min(1),
  version: z.string().min(1),
  hop: z.number().int().nonnegative(),
  startedAt: z.string(),
});

const checkpointSchema = z.strictObject({
  schemaVersion: z.literal(1),
  cluster: z.string().min(1),
  target: z.string(),
  /** Seqs of the plan steps finished (done or skipped). */
  finished: z.array(z.number().int().positive()),
  /** Rule S9/S13: a reboot recorded here is never issued again for the same node and hop. */
  reboots: z.array(rebootMarkSchema),
  /** H2: secondaries shut down by us for a hop and not powered on yet (node → hop). */
  secondaryDown: z.record(z.string(), z.number().int().positive()),
  /** S13: nodes found rolled back; the run stops there until the operator acts. */
  rolledBack: z.record(
    z.string(),
    z.strictObject({ hop: z.number().int().positive(), running: z.string(), expected: z.string() }),
  ),
  /** S8 / S13: support bundles downloaded by this tool (absent in checkpoints of earlier versions). */
  evidence: z.array(evidenceSchema).optional(),
  /** S8 where no bundle could be made automatically: why, per "node#hop" (absent in earlier checkpoints). */
  bundleNotes: z.record(z.string(), z.string()).optional(),
  /** S3 fetch-firmware downloads started by this tool (absent in earlier checkpoints). */
  fetches: z.array(fetchMarkSchema).optional(),
  /** upload-firmware uploads made by this tool (absent in earlier checkpoints). */
  images: z.array(imageMarkSchema).optional(),
  /**
   * S11: per "node#major" the SHA-256 of the license file installed through system control or confirmed
   * by the operator — what decides where REST cannot show the license's major (absent in earlier checkpoints).
   */
  licenseRecords: z
    .record(z.string(), z.strictObject({ sha256: hex64, by: z.enum(["system-control", "operator"]) }))
    .optional(),
  /**
   * Per "node#plugin <name>" / "node#license", what this stack's run found on the node at its first read
   * (null: no plugin; no license field shown) — what a plugin or license write is checked against, so
   * another run's change is seen (./plugin-license-check.ts; absent in earlier checkpoints).
   */
  found: z.record(z.string(), z.string().nullable()).optional(),
  /** Plugin uploads this tool started, saved before each upload (absent in earlier checkpoints). */
  pluginWrites: z.array(pluginWriteSchema).optional(),
  updatedAt: z.string(),
});

export type RebootMark = z.infer<typeof rebootMarkSchema>;
export type EvidenceRecord = z.infer<typeof evidenceSchema>;
export type FetchMark = z.infer<typeof fetchMarkSchema>;
export type ImageMark = z.infer<typeof imageMarkSchema>;
export type PluginWriteMark = z.infer<typeof pluginWriteSchema>;
export type ExecutionCheckpoint = z.infer<typeof checkpointSchema>;

/** Validates a stored checkpoint; the error names the field. */
export function parseCheckpoint(raw: unknown): ExecutionCheckpoint {
  const parsed = checkpointSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new Error(zodMessage("executor checkpoint", parsed.error));
}

/** `<prefix>: <path of the first issue>: <its message>`. */
export function zodMessage(prefix: string, error: z.ZodError): string {
  const i = error.issues[0];
  return `${prefix}: ${i ? `${i.path.map(String).join(".") || "(root)"}: ${i.message}` : "invalid"}`;
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
