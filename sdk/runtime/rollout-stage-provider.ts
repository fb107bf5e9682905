/**
 * The rollout stage gate (`RolloutStage`, one per stage of an `SpsFleet`): registered only after
 * every cluster of its stage has finished, and the next stage's clusters depend on it — so a stage
 * starts only after the one before it passed. Its `create`/`update` is the verification: every node
 * of every cluster of the stage runs its target (`nodeStates` all "on-target"); anything else fails
 * the gate, and no later stage starts. Preview shows the stage: its clusters, how many at once, its
 * estimated duration and what the engine's parallelism costs (`summary`). No appliance is contacted:
 * the facts are the clusters' own outputs.
 */
import type { CheckResult, DiffResult, ReadResult } from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { fieldProblems } from "../../provider/domain/validation";

type Props = Record<string, unknown>;
export const ROLLOUT_STAGE_STATE_VERSION = 1;

const nodeStatesSchema = z.record(
  z.string(),
  z.record(z.string(), z.object({ version: z.string().nullable(), state: z.string() }).passthrough()),
);

export const rolloutStageInputSchema = z
  .object({
    fleet: z.string().min(1),
    stage: z.string().min(1),
    /** `2/3`: the stage's place in the rollout. */
    position: z.string().min(1),
    clusters: z.array(z.string().min(1)).min(1),
    /** Clusters the stage runs at once (lanes). */
    inFlight: z.number().int().positive(),
    /** What preview shows: clusters, estimate, engine-parallelism cost and fix. */
    summary: z.array(z.string()),
    /** Per cluster, per node: version and state (the clusters' `nodeStates` outputs). */
    nodeStates: nodeStatesSchema.optional(),
    /** Gates of other stacks this stage waits for (StackReference outputs), shown as given. */
    waitsFor: z.array(z.string()).optional(),
  })
  .strict();
export type RolloutStageInputs = z.infer<typeof rolloutStageInputSchema>;

const DECLARED = Object.keys(rolloutStageInputSchema.shape);

function declared(props: Props): Props {
  return Object.fromEntries(DECLARED.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}

/** The engine's placeholder for a value not known yet (preview: the clusters' outputs). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function check(_olds: Props, news: Props): Promise<CheckResult> {
  if (JSON.stringify(news).includes(UNKNOWN)) return Promise.resolve({ inputs: news });
  const parsed = rolloutStageInputSchema.safeParse(declared(news));
  return Promise.resolve(
    parsed.success ? { inputs: news } : { inputs: news, failures: fieldProblems(parsed.error) },
  );
}

export function diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
  const changes = JSON.stringify(declared(olds)) !== JSON.stringify(declared(news));
  return Promise.resolve({ changes, stables: ["fleet", "stage"] });
}

/** Every node of every cluster of the stage on target, or the lines saying which is not. */
export function unverified(f: RolloutStageInputs): string[] {
  if (f.waitsFor !== undefined)
    return f.waitsFor
      .filter((l) => !l.endsWith(": verified"))
      .map((l) => `${l} (run that stack's \`pulumi up\` first)`);
  const out: string[] = [];
  for (const cluster of f.clusters) {
    const nodes = f.nodeStates?.[cluster];
    if (nodes === undefined || Object.keys(nodes).length === 0) {
      out.push(`${cluster}: no node state recorded`);
      continue;
    }
    for (const [node, s] of Object.entries(nodes))
      if (s.state !== "on-target")
        out.push(`${cluster}/${node} is ${s.state} (runs ${s.version ?? "unknown"})`);
  }
  return out;
}

function apply(news: Props): { id: string; outs: Props } {
  const f = rolloutStageInputSchema.parse(declared(news));
  const problems = unverified(f);
  if (problems.length > 0)
    throw new Error(
      `rollout ${f.fleet}: stage ${f.position} "${f.stage}" is not verified, so no later stage starts: ${problems.join("; ")}. Fix these clusters and run \`pulumi up\` again.`,
    );
  return {
    id: `${f.fleet}/${f.stage}`,
    outs: {
      ...declared(news),
      verified: true,
      stateVersion: ROLLOUT_STAGE_STATE_VERSION,
    },
  };
}

export function create(news: Props): Promise<{ id: string; outs: Props }> {
  try {
    return Promise.resolve(apply(news));
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

export function update(_id: string, _olds: Props, news: Props): Promise<{ outs: Props }> {
  try {
    return Promise.resolve({ outs: apply(news).outs });
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

export function read(id: string, props: Props): Promise<ReadResult> {
  return Promise.resolve({ id, props });
}

export function remove(): Promise<void> {
  return Promise.resolve();
}
